//go:build unix

package main

// GDAL reads the real binary over HTTP: its OGC API – Features driver (OAPIF) follows the landing
// page, collection and next links as a desktop GIS would, and its CSV and GeoJSON drivers read the
// exports. Every request GDAL makes must be answered without a 4xx.

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dcatlas/data"
	"dcatlas/geo"
)

func TestGDALReadsTheService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and GDAL; skipped with -short")
	}
	for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: apt-get install gdal-bin", tool)
		}
	}
	t.Logf("%s", strings.TrimSpace(gdal(t, "ogrinfo", "--version")))

	srv := startServer(t)
	items := srv.URL + "/collections/sites/items"
	oapif := "OAPIF:" + srv.URL

	// What GDAL should find: the sites that exist today, as the server counts them and as the data
	// says.
	all := siteIDs(t, srv, "")
	var page struct {
		NumberMatched int    `json:"numberMatched"`
		At            string `json:"at"`
	}
	getJSON(t, items+"?limit=1", &page)
	if page.NumberMatched != len(all) {
		t.Fatalf("numberMatched = %d with limit=1, but limit=1000 returns %d features", page.NumberMatched, len(all))
	}
	ds, err := data.Load(data.Embedded(), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at, err := geo.ParseDay(page.At)
	if err != nil {
		t.Fatalf("items page has at=%q: %v", page.At, err)
	}
	if got := len(ds.Select(at, geo.Filter{})); got != len(all) || got == 0 {
		t.Fatalf("the built-in data has %d sites at %s; the server returns %d", got, at, len(all))
	}
	count := "Feature Count: " + strconv.Itoa(len(all))

	t.Run("ogrinfo summary", func(t *testing.T) {
		mark := len(srv.requests())
		out := gdal(t, "ogrinfo", "-ro", "-so", oapif, "sites")
		for _, want := range []string{"Layer name: sites", "Geometry: Point", count} {
			if !strings.Contains(out, want) {
				t.Errorf("ogrinfo -so does not say %q:\n%s", want, out)
			}
		}
		// GDAL types each field from the schema (rel describedBy): EDTF dates as text, the plain
		// days beside them as Date, zones as Integer.
		for field, typ := range map[string]string{"id": "String", "name": "String", "provider": "String", "region": "String",
			"country": "String", "status": "String", "closing": "String", "pending_date": "String", "zones": "Integer", "at": "Date",
			"opened_earliest": "Date", "closing_latest": "Date", "pending_date_earliest": "Date", "closed_latest": "Date"} {
			if !regexp.MustCompile(`(?m)^` + field + `: ` + typ + ` `).MatchString(out) {
				t.Errorf("ogrinfo -so lists no %s field %q:\n%s", typ, field, out)
			}
		}
		checkAccepted(t, srv, mark)
	})

	t.Run("every page with PAGE_SIZE=5", func(t *testing.T) {
		mark := len(srv.requests())
		out := gdal(t, "ogrinfo", "-ro", "-al", "-q", "-oo", "PAGE_SIZE=5", oapif, "sites")
		checkFeatures(t, out, all)
		// The offsets GDAL asked for come only from next links, so this checks it followed them.
		var want []int
		for off := 0; off < len(all); off += 5 {
			want = append(want, off)
		}
		var got []int
		for _, r := range checkAccepted(t, srv, mark) {
			q, _ := url.ParseQuery(r.Query)
			if r.Path == "/collections/sites/items" && q.Get("limit") == "5" {
				off, _ := strconv.Atoi(q.Get("offset"))
				got = append(got, off)
			}
		}
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			t.Errorf("GDAL asked for offsets %v with limit=5, want %v", got, want)
		}
	})

	t.Run("ogr2ogr to GeoPackage", func(t *testing.T) {
		mark := len(srv.requests())
		gpkg := filepath.Join(t.TempDir(), "sites.gpkg")
		gdal(t, "ogr2ogr", "-f", "GPKG", gpkg, oapif, "sites")
		checkAccepted(t, srv, mark)
		out := gdal(t, "ogrinfo", "-ro", "-so", gpkg, "sites")
		for _, want := range []string{"Geometry: Point", count} {
			if !strings.Contains(out, want) {
				t.Errorf("ogrinfo -so of the GeoPackage does not say %q:\n%s", want, out)
			}
		}
		checkFeatures(t, gdal(t, "ogrinfo", "-ro", "-al", "-q", gpkg, "sites"), all)
	})

	t.Run("CSV export with lon and lat columns", func(t *testing.T) {
		csv := filepath.Join(t.TempDir(), "sites.csv")
		if err := os.WriteFile(csv, get(t, items+"?f=csv&limit=1000"), 0o644); err != nil {
			t.Fatal(err)
		}
		xy := []string{"-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat"}
		out := gdal(t, "ogrinfo", append(append([]string{"-ro", "-so"}, xy...), csv, "sites")...)
		for _, want := range []string{"Geometry: Point", count} {
			if !strings.Contains(out, want) {
				t.Errorf("ogrinfo -so of the CSV does not say %q:\n%s", want, out)
			}
		}
		checkFeatures(t, gdal(t, "ogrinfo", append(append([]string{"-ro", "-al", "-q"}, xy...), csv, "sites")...), all)
	})

	t.Run("spatial filter sent as bbox", func(t *testing.T) {
		mark := len(srv.requests())
		out := gdal(t, "ogrinfo", "-ro", "-al", "-q", "-spat", "100", "20", "125", "45", oapif, "sites")
		checkFeatures(t, out, siteIDs(t, srv, "bbox=100,20,125,45"))
		sentBbox := false
		for _, r := range checkAccepted(t, srv, mark) {
			q, _ := url.ParseQuery(r.Query)
			sentBbox = sentBbox || q.Has("bbox")
		}
		if !sentBbox {
			t.Errorf("GDAL filtered without sending bbox")
		}
	})

	t.Run("attribute filter", func(t *testing.T) {
		mark := len(srv.requests())
		out := gdal(t, "ogrinfo", "-ro", "-al", "-q", "-where", "status = 'active' AND country = 'CN'", oapif, "sites")
		checkFeatures(t, out, siteIDs(t, srv, "status=active&country=CN"))
		checkAccepted(t, srv, mark)
	})

	t.Run("collection URL", func(t *testing.T) {
		mark := len(srv.requests())
		out := gdal(t, "ogrinfo", "-ro", "-so", oapif+"/collections/sites", "sites")
		if !strings.Contains(out, count) {
			t.Errorf("ogrinfo -so on the collection URL does not say %q:\n%s", count, out)
		}
		checkAccepted(t, srv, mark)
	})

	// GDAL types each field from the first page (10 features) unless the collection links a JSON
	// Schema with rel "describedBy" (GDAL 3.6 matches that spelling only). Without it, a date
	// field such as closing is typed Date from plain dates on page one, and EDTF values later that
	// are not plain dates (2022-08-09/2026) are written as null.
	t.Run("EDTF dates survive ogr2ogr", func(t *testing.T) {
		var coll struct {
			Links []struct{ Rel, Type string }
		}
		getJSON(t, srv.URL+"/collections/sites", &coll)
		if !slices.ContainsFunc(coll.Links, func(l struct{ Rel, Type string }) bool {
			return strings.EqualFold(l.Rel, "describedBy") && strings.HasPrefix(l.Type, "application/schema+json")
		}) {
			t.Fatal("/collections/sites links no JSON Schema (rel describedBy), so GDAL guesses field types from the first page and nulls EDTF dates that do not fit")
		}
		gpkg := filepath.Join(t.TempDir(), "sites.gpkg")
		gdal(t, "ogr2ogr", "-f", "GPKG", gpkg, oapif, "sites")
		got := map[string]map[string]string{}
		for _, f := range parseFeatures(gdal(t, "ogrinfo", "-ro", "-al", "-q", gpkg, "sites")) {
			got[f["id"]] = f
		}
		var fc struct {
			Features []struct {
				ID         string         `json:"id"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		getJSON(t, items+"?limit=1000", &fc)
		for _, f := range fc.Features {
			for _, name := range []string{"announced", "opened", "closing", "closed", "status_date", "pending_date",
				"opened_earliest", "opened_latest", "closing_earliest", "closing_latest", "closed_latest", "pending_date_latest"} {
				want := "(null)"
				if v, ok := f.Properties[name].(string); ok {
					want = v
				}
				g := got[f.ID][name]
				// GDAL's GeoJSON reader turns a plain date into a Date on each page, which a String
				// field then prints as 2024/06/27: the same day, not lost.
				if plainDay.MatchString(want) && g == strings.ReplaceAll(want, "-", "/") {
					continue
				}
				if g != want {
					t.Errorf("%s: %s is %q in the GeoPackage, %q from the server", f.ID, name, g, want)
				}
			}
		}
	})

	// GDAL adds the query of an OAPIF: URL to every request, /collections included, which takes no
	// at=; a dated snapshot is read as plain GeoJSON instead.
	t.Run("snapshot at a date as GeoJSON", func(t *testing.T) {
		const q = "at=2018-09-01&status=active"
		mark := len(srv.requests())
		out := gdal(t, "ogrinfo", "-ro", "-al", "-q", "GeoJSON:"+items+"?limit=1000&"+q)
		checkFeatures(t, out, siteIDs(t, srv, q))
		checkAccepted(t, srv, mark)
	})
}

// siteIDs returns the ids of the features the server returns for the items query q, in order.
func siteIDs(t *testing.T, srv *binServer, q string) []string {
	t.Helper()
	var fc struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	getJSON(t, srv.URL+"/collections/sites/items?limit=1000&"+q, &fc)
	if fc.NumberMatched != len(fc.Features) {
		t.Fatalf("items?%s: numberMatched %d, %d features", q, fc.NumberMatched, len(fc.Features))
	}
	ids := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		ids[i] = f.ID
	}
	if len(ids) == 0 {
		t.Fatalf("items?%s matches nothing; the check would prove nothing", q)
	}
	return ids
}

var (
	featureLine = regexp.MustCompile(`(?m)^OGRFeature\([^)]*\):\d+$`)
	idLine      = regexp.MustCompile(`(?m)^  id \(String\) = (.+)$`)
	pointLine   = regexp.MustCompile(`(?m)^  POINT \(-?[0-9.]+ -?[0-9.]+\)$`)
)

var plainDay = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// fieldLine is a field of a feature as ogrinfo -al prints it: "  name (Type) = value".
var fieldLine = regexp.MustCompile(`^  (\w+) \([^)]*\) = (.*)$`)

// parseFeatures returns the fields of each feature ogrinfo -al printed, by name; null is "(null)".
func parseFeatures(out string) []map[string]string {
	var fs []map[string]string
	for _, line := range strings.Split(out, "\n") {
		if featureLine.MatchString(line) {
			fs = append(fs, map[string]string{})
		} else if m := fieldLine.FindStringSubmatch(line); m != nil && len(fs) > 0 {
			fs[len(fs)-1][m[1]] = m[2]
		}
	}
	return fs
}

// checkFeatures checks that ogrinfo -al printed each of the sites want once, each with a point.
func checkFeatures(t *testing.T, out string, want []string) {
	t.Helper()
	var got []string
	for _, m := range idLine.FindAllStringSubmatch(out, -1) {
		got = append(got, m[1])
	}
	if n := len(featureLine.FindAllString(out, -1)); n != len(want) {
		t.Errorf("ogrinfo printed %d features, want %d", n, len(want))
	}
	if n := len(pointLine.FindAllString(out, -1)); n != len(want) {
		t.Errorf("ogrinfo printed %d points, want one per feature (%d)", n, len(want))
	}
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("ogrinfo read the sites\n%v\nwant\n%v", got, want)
	}
}

// checkAccepted fails the test for every request since the mark that the server refused, and
// returns those requests.
func checkAccepted(t *testing.T, srv *binServer, mark int) []loggedRequest {
	t.Helper()
	reqs := srv.requestsSince(t, mark)
	if len(reqs) == 0 {
		t.Errorf("GDAL made no request")
	}
	for _, r := range reqs {
		if r.Status >= 400 {
			t.Errorf("GDAL sent %s", r)
		}
	}
	return reqs
}

// gdal runs a GDAL command line tool and returns its stdout. It fails the test when the tool fails
// or reports an error: ogrinfo exits 0 even when a page it reads fails.
func gdal(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	// Loopback must not go through a proxy set in the environment.
	cmd.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost", "CPL_DEBUG=OFF")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil || strings.Contains(stderr.String(), "ERROR") || strings.Contains(stdout.String(), "FAILURE") {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", name, strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	if stderr.Len() > 0 {
		t.Logf("%s %s: stderr:\n%s", name, strings.Join(args, " "), stderr.String())
	}
	return stdout.String()
}
