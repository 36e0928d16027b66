package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dcatlas/api"
	"dcatlas/data"
	"dcatlas/geo"
)

// TestSite exports the atlas with a small base map and checks the files against a normal
// server's answers: documents, images and tiles byte for byte, the page in static mode with
// every file it names present.
func TestSite(t *testing.T) {
	atlas, ds, err := data.Open("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := Site(context.Background(), ds, atlas, Config{Dir: dir, ServerURL: "https://atlas.example/", BasemapFormat: BasemapPNG, BasemapMaxZoom: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(ds, api.Options{Atlas: atlas, BaseURL: "https://atlas.example"})
	same := func(name, target string) {
		t.Helper()
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Error(err)
			return
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK || !bytes.Equal(got, rec.Body.Bytes()) {
			t.Errorf("%s: %d bytes; the server answers %s with %d and %d bytes", name, len(got), target, rec.Code, rec.Body.Len())
		}
	}
	today := sum.Day
	days := SnapshotDays(ds, today, SnapshotsMonthly)
	if days[len(days)-1] != today || len(days) < 12 {
		t.Errorf("snapshot days %v: want months up to today", days)
	}
	checkDownloads(t, dir, days)
	for _, d := range []geo.Day{days[0], days[len(days)/2], today} {
		at := d.String()
		same(SnapshotName(at, "geojson"), "/collections/sites/items?limit=1000&at="+at)
		same(SnapshotName(at, "csv"), "/collections/sites/items?f=csv&limit=1000&at="+at)
	}
	same("timeline.json", "/timeline")
	same("timeline.svg", "/static/timeline.svg")
	same("timeline.png", "/static/timeline.png")
	same("web/app.js", "/web/app.js")
	for _, s := range ds.Sites {
		same("sites/"+s.ID+".json", "/collections/sites/items/"+s.ID+"?properties=events,notes")
	}
	tiles := 0
	for _, tile := range []string{"0/0/0", "1/0/0", "1/0/1", "1/1/0", "1/1/1"} {
		same("tiles/basemap/"+tile+".png", "/tiles/basemap/"+tile+".png")
		same("tiles/basemap-dark/"+tile+".png", "/tiles/basemap-dark/"+tile+".png")
		tiles += 2
	}
	if sum.Files < len(ds.Sites)+tiles+2*len(days)+8 || sum.Bytes == 0 {
		t.Errorf("summary %+v", sum)
	}

	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-static="1"`, `data-server-url="https://atlas.example"`, `data-basemap-tiles="tiles/basemap/{z}/{x}/{y}.png"`, `data-basemap-max-zoom="1"`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	// Every file the page loads or links is in the export, named relative to the page, or is on
	// the configured server.
	refs := regexp.MustCompile(`(?:href|src)="([^"]+)"`).FindAllSubmatch(page, -1)
	n, server := 0, 0
	for _, m := range refs {
		ref := string(m[1])
		switch {
		case strings.HasPrefix(ref, "#"):
		case strings.HasPrefix(ref, "https://atlas.example/"):
			server++
		case strings.Contains(ref, "//") || strings.HasPrefix(ref, "/"):
			t.Errorf("index.html names %s, neither a file of the export nor the server's", ref)
		default:
			if strings.HasPrefix(ref, api.StaticAssetDir) {
				n++
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ref))); err != nil {
				t.Errorf("index.html names %s: %v", ref, err)
			}
		}
	}
	if server < 3 {
		t.Errorf("index.html links the server %d times; want the feed, the API documentation and the Features API", server)
	}
	if n < 3 {
		t.Errorf("index.html names %d files under %s", n, api.StaticAssetDir)
	}
}

// checkDownloads checks that the export in dir holds exactly the snapshots of days, GeoJSON and
// CSV, and that its pages list those days for the viewer.
func checkDownloads(t *testing.T, dir string, days []geo.Day) {
	t.Helper()
	var want, names []string
	for _, d := range days {
		want = append(want, SnapshotName(d.String(), "csv"), SnapshotName(d.String(), "geojson"))
	}
	entries, err := os.ReadDir(filepath.Join(dir, "downloads"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		names = append(names, "downloads/"+e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("downloads/ holds %d files %.300v…; want %d, %.300v…", len(names), names, len(want), want)
	}
	for _, page := range []string{"index.html", "embed.html"} {
		if got := pageSnapshotDays(t, dir, page); !slices.Equal(got, dayStrings(days)) {
			t.Errorf("%s lists the snapshot days %.200v…; want %.200v…", page, got, dayStrings(days))
		}
	}
}

// pageSnapshotDays returns the snapshot days that a page of the export in dir lists.
func pageSnapshotDays(t *testing.T, dir, page string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, page))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`data-snapshot-days="([0-9 -]*)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s lacks data-snapshot-days", page)
	}
	return strings.Fields(string(m[1]))
}

func dayStrings(days []geo.Day) []string {
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = d.String()
	}
	return s
}

// TestSnapshotDays checks each choice of snapshot days on the built-in data, whose first event
// is on 1 January 2006.
func TestSnapshotDays(t *testing.T) {
	_, ds, err := data.Open("")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := ds.TimeExtent()
	if first.String() != "2006-01-01" {
		t.Fatalf("the data's first day is %s; the cases below expect 2006-01-01", first)
	}
	day := func(s string) geo.Day {
		d, err := geo.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	years := func(from, to int, today string) []string {
		var s []string
		for y := from; y <= to; y++ {
			s = append(s, fmt.Sprintf("%d-01-01", y))
		}
		return append(s, today)
	}
	tests := []struct {
		every, today string
		want         []string // nil: the first of every month from 2006-01 to before today, then today
	}{
		{SnapshotsMonthly, "2026-12-05", nil},
		{SnapshotsMonthly, "2026-12-01", nil},
		{SnapshotsMonthly, "2006-03-15", []string{"2006-01-01", "2006-02-01", "2006-03-01", "2006-03-15"}},
		{SnapshotsYearly, "2026-12-05", years(2006, 2026, "2026-12-05")},
		{SnapshotsYearly, "2026-01-01", years(2006, 2025, "2026-01-01")},
		{SnapshotsYearly, "2006-01-01", []string{"2006-01-01"}},
		{SnapshotsYearly, "2006-11-30", []string{"2006-01-01", "2006-11-30"}},
		{SnapshotsYearly, "2005-06-01", []string{"2005-06-01"}}, // before the data: today alone
		{SnapshotsToday, "2026-12-05", []string{"2026-12-05"}},
		{SnapshotsToday, "2019-03-01", []string{"2019-03-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.every+" "+tt.today, func(t *testing.T) {
			want := tt.want
			if want == nil {
				for m := day("2006-01-01").Time(); geo.DayFromTime(m) < day(tt.today); m = m.AddDate(0, 1, 0) {
					want = append(want, geo.DayFromTime(m).String())
				}
				want = append(want, tt.today)
			}
			if got := dayStrings(SnapshotDays(ds, day(tt.today), tt.every)); !slices.Equal(got, want) {
				t.Errorf("got %d days %v\nwant %d %v", len(got), got, len(want), want)
			}
		})
	}
}

// TestSiteWithoutServerNamesNoHost checks that an export with no live server names no host in
// its documents: their links would point at an API that is not there (or at the placeholder host
// of the export's own requests), so they carry none.
func TestSiteWithoutServerNamesNoHost(t *testing.T) {
	atlas, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(data.Subset(data.Embedded(), "alibaba-cloud.yaml"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Site(context.Background(), ds, atlas, Config{Dir: dir, BasemapFormat: BasemapPNG, BasemapMaxZoom: 0, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".geojson") && !strings.HasSuffix(p, ".csv") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		// Sources cite their publishers' pages; a link to the atlas itself is what must not be.
		for _, bad := range []string{`"links"`, "example.com", "/collections/"} {
			if i := bytes.Index(b, []byte(bad)); i >= 0 {
				t.Errorf("%s names the atlas's API: %q", strings.TrimPrefix(p, dir), b[max(0, i-40):min(len(b), i+60)])
			}
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < len(ds.Sites)+3 {
		t.Errorf("checked %d documents; want every site and snapshot", checked)
	}
}

// TestViewerFindsExportedFiles runs the viewer's static-mode mapping (web/files.js, under node) on
// the requests the viewer makes, with the snapshot days an export's page lists, for each choice
// of --snapshots: each names a file of the export, or the live server when one is configured, or
// nothing. It needs node, and is skipped without it.
func TestViewerFindsExportedFiles(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: no node")
	}
	atlas, ds, err := data.Open("")
	if err != nil {
		t.Fatal(err)
	}
	for _, every := range []string{SnapshotsMonthly, SnapshotsYearly, SnapshotsToday} {
		t.Run(every, func(t *testing.T) {
			dir := t.TempDir()
			sum, err := Site(context.Background(), ds, atlas, Config{Dir: dir, Snapshots: every, BasemapFormat: BasemapPNG, BasemapMaxZoom: 0, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			days := SnapshotDays(ds, sum.Day, every)
			checkDownloads(t, dir, days)
			viewerFindsFiles(t, node, dir, ds, days, SnapshotDays(ds, sum.Day, SnapshotsMonthly), pageSnapshotDays(t, dir, "index.html"))
		})
	}
}

// viewerFindsFiles checks the viewer's mapping on the export in dir, whose snapshots are of days
// (listed in its page as listed), against its files; a month's first day not in days has no file.
func viewerFindsFiles(t *testing.T, node, dir string, ds *geo.Dataset, days, months []geo.Day, listed []string) {
	from, today := days[0].String(), days[len(days)-1].String()
	const server = "https://atlas.example"
	// Want is "file" for a file of the export, "" for nothing, else the URL.
	type request struct{ Path, Query, Server, Want string }
	reqs := []request{
		{"/history.json", "", "", "file"},
		{"/timeline", "", "", "file"},
		{"/collections/sites/items", "f=csv&download=1&limit=1000&status=active&at=" + today, "", ""},
		{"/collections/sites/items", "download=1&limit=1000&country=CN&at=" + today, server, server + "/collections/sites/items?download=1&limit=1000&country=CN&at=" + today},
		{"/collections/sites/items", "at=2015-06-15&download=1&limit=1000", "", ""},
		{"/collections/sites/items", "at=" + days[0].Time().AddDate(0, -1, 0).Format(time.DateOnly) + "&download=1&limit=1000", "", ""},
		{"/collections/sites/items", "limit=1000", "", ""}, // the Features API: no file
		// What a snapshot does not hold needs the server, even on a snapshot's day.
		{"/collections/sites/items", "at=" + from + "&kind=government&download=1&limit=1000", "", ""},
		{"/collections/sites/items", "at=" + from + "&offset=5&limit=2&download=1", "", ""},
		{"/collections/sites/items", "at=" + from + "&sortby=name&download=1&limit=1000", server, server + "/collections/sites/items?at=" + from + "&sortby=name&download=1&limit=1000"},
		{"/collections/sites/items", "at=" + from + "&f=html&download=1&limit=1000", "", ""},
		{"/api", "", server, server + "/api"},
		{"/api.html", "", "", ""},
		{"/collections/sites/items/" + ds.Sites[0].ID, "at=2020-01-01", server, server + "/collections/sites/items/" + ds.Sites[0].ID + "?at=2020-01-01"},
		{"/collections/sites/items/" + ds.Sites[0].ID, "at=2020-01-01", "", "file"},
	}
	for _, d := range days {
		for _, f := range []string{"", "f=csv&"} {
			reqs = append(reqs, request{"/collections/sites/items", f + "at=" + d.String() + "&limit=1000&download=1", "", "file"})
		}
	}
	// A month's first day with no snapshot: hidden without a server, the server's with one.
	without := 0
	for _, d := range months {
		if !slices.Contains(days, d) {
			q := "at=" + d.String() + "&limit=1000&download=1"
			reqs = append(reqs,
				request{"/collections/sites/items", q, "", ""},
				request{"/collections/sites/items", q, server, server + "/collections/sites/items?" + q})
			without++
		}
	}
	if len(days) < len(months) && without == 0 {
		t.Errorf("no month's first day lacks a snapshot, with %d snapshots of %d months", len(days), len(months))
	}
	for _, s := range ds.Sites {
		reqs = append(reqs, request{"/collections/sites/items/" + s.ID, "properties=events,notes", "", "file"})
	}
	in, _ := json.Marshal(reqs)
	snapshots, _ := json.Marshal(listed)
	files, err := filepath.Abs(filepath.Join("..", "web", "files.js"))
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`import(%q).then((m) => console.log(JSON.stringify(%s.map((r) => m.staticURL(r.Path, r.Query, r.Server, new Set(%s))))))`, files, in, snapshots)
	out, err := exec.Command(node, "-e", script).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var urls []string
	if err := json.Unmarshal(out, &urls); err != nil || len(urls) != len(reqs) {
		t.Fatalf("node printed %s (%v)", out, err)
	}
	for i, r := range reqs {
		u := urls[i]
		if r.Want != "file" {
			if u != r.Want {
				t.Errorf("%s?%s (server %q): %q, want %q", r.Path, r.Query, r.Server, u, r.Want)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(u))); u == "" || err != nil {
			t.Errorf("%s?%s: the viewer asks for %q: %v", r.Path, r.Query, u, err)
		}
	}
}
