package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dcatlas/geo"
)

func TestChangesGolden(t *testing.T) {
	s := newTestServer(t, Options{BaseURL: "https://dcatlas.example"})
	for name, c := range map[string]struct{ target, contentType string }{
		"changes-2016.geojson":     {"/changes?from=2016-01-01&to=2016-12-31", mediaGeoJSON},
		"changes-2024-2026.csv":    {"/changes?from=2024-01-01&to=2026-11-23&f=csv", mediaCSV},
		"changes-2024-2026.atom":   {"/changes.atom?from=2024-01-01&to=2026-11-23", mediaAtom + "; charset=utf-8"},
		"changes-default.geojson":  {"/changes", mediaGeoJSON},
		"changes-closing.geojson":  {"/changes?from=2000-01-01&to=2030-12-31&status=closing,closed", mediaGeoJSON},
		"changes-cn-page2.geojson": {"/changes?from=2000-01-01&to=2030-12-31&country=CN&limit=3&offset=3", mediaGeoJSON},
	} {
		t.Run(name, func(t *testing.T) {
			rec := get(t, s, c.target)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != c.contentType {
				t.Fatalf("%d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if c.contentType == mediaGeoJSON {
				golden(t, name, rec.Body.Bytes())
			} else {
				goldenText(t, name, rec.Body.Bytes())
			}
		})
	}
}

// changesPage is a /changes answer.
type changesPage struct {
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	Links          []linkDoc `json:"links"`
	Features       []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func TestChangesWindow(t *testing.T) {
	s := newTestServer(t, Options{})
	var p changesPage
	decode(t, get(t, s, "/changes"), &p)
	var doc map[string]any
	decode(t, get(t, s, "/changes"), &doc)
	if doc["from"] != "2025-11-23" || doc["to"] != "2026-11-23" {
		t.Errorf("default window %v to %v, want the twelve months to today (2025-11-23 to 2026-11-23)", doc["from"], doc["to"])
	}
	if p.NumberMatched == 0 {
		t.Fatal("no change in the last twelve months; the checks below would prove nothing")
	}
	prev := "9999-12-31"
	for _, f := range p.Features {
		latest, _ := f.Properties["latest"].(string)
		if latest < "2025-11-23" || latest > "2026-11-23" {
			t.Errorf("%s: latest day %s outside the window", f.ID, latest)
		}
		if latest > prev {
			t.Errorf("%s: latest day %s after the previous feature's %s: not newest first", f.ID, latest, prev)
		}
		prev = latest
	}
	// Nanjing's closing "between 2022-06-02 and 2026" counts on 2026-12-31, when it is certain.
	var nanjing changesPage
	decode(t, get(t, s, "/changes?from=2026-12-31&to=2026-12-31&q=nanjing&status=closing"), &nanjing)
	if len(nanjing.Features) != 1 || nanjing.Features[0].Properties["earliest"] != "2022-06-02" || nanjing.Features[0].Properties["status_before"] != "active" {
		t.Errorf("Nanjing's closing on its latest day: %+v", nanjing.Features)
	}
	decode(t, get(t, s, "/changes?from=2022-06-02&to=2026-12-30&q=nanjing&status=closing"), &nanjing)
	if len(nanjing.Features) != 0 {
		t.Errorf("Nanjing's closing is listed before its latest day: %+v", nanjing.Features)
	}
}

func TestChangesPaging(t *testing.T) {
	s := newTestServer(t, Options{})
	const q = "/changes?from=2000-01-01&to=2030-12-31&limit=7"
	var all changesPage
	decode(t, get(t, s, "/changes?from=2000-01-01&to=2030-12-31&limit=1000"), &all)
	var ids []string
	next := q
	for pages := 0; next != ""; pages++ {
		if pages > 100 {
			t.Fatal("next links do not end")
		}
		var p changesPage
		rec := get(t, s, strings.TrimPrefix(next, "http://example.com"))
		decode(t, rec, &p)
		if p.NumberMatched != all.NumberMatched {
			t.Errorf("numberMatched %d on a page, %d in all", p.NumberMatched, all.NumberMatched)
		}
		for _, f := range p.Features {
			ids = append(ids, f.ID)
		}
		next = ""
		if l, ok := linkByRel(p.Links, relNext); ok {
			next = l.Href
		}
		if pages > 0 {
			if _, ok := linkByRel(p.Links, relPrev); !ok {
				t.Errorf("page %d has no prev link", pages+1)
			}
		}
	}
	var want []string
	for _, f := range all.Features {
		want = append(want, f.ID)
	}
	if !slices.Equal(ids, want) || len(ids) < 30 {
		t.Errorf("paging by 7 gave %d features, one page gives %d", len(ids), len(want))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("feature id %s twice", id)
		}
		seen[id] = true
	}
}

func TestChangesDownloadAndCSV(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := get(t, s, "/changes?from=2024-01-01&to=2024-12-31&f=csv&download=1")
	if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="alibaba-cloud-changes-2024-01-01-to-2024-12-31.csv"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	rec = get(t, s, "/changes?download=true")
	if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="alibaba-cloud-changes-2025-11-23-to-2026-11-23.geojson"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	rec = get(t, s, "/changes?from=2000-01-01&to=2030-12-31&f=csv&q=paulo")
	body := rec.Body.Bytes()
	if !bytes.HasPrefix(body, []byte(utf8BOM)) {
		t.Fatalf("the CSV does not start with a UTF-8 byte order mark: %q", body[:min(10, len(body))])
	}
	rows, err := csv.NewReader(bytes.NewReader(body[len(utf8BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], changesCSVColumns()) {
		t.Errorf("header %q", rows[0])
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	if len(rows) < 2 {
		t.Fatal("no São Paulo row")
	}
	for _, r := range rows[1:] {
		if !strings.Contains(r[col("name")], "São Paulo") || r[col("country_name")] != "Brazil" {
			t.Errorf("row %q", r)
		}
		if n := len(strings.Split(r[col("sources")], "\n")); n < 1 || strings.Count(r[col("sources")], "http") > n {
			t.Errorf("sources are not one per line: %q", r[col("sources")])
		}
	}
}

func TestChangesBadInput(t *testing.T) {
	s := newTestServer(t, Options{})
	for target, param := range map[string]string{
		"/changes?from=2025-01-01&to=2024-12-31":      paramFrom,
		"/changes?from=2025-13-01":                    paramFrom,
		"/changes?to=yesterday":                       paramTo,
		"/changes?from=2025":                          paramFrom,
		"/changes?at=2025-01-01":                      paramAt,
		"/changes?bbox=0,0,1,1":                       paramBbox,
		"/changes?status=open":                        paramStatus,
		"/changes?f=atom":                             paramF,
		"/changes?limit=0":                            paramLimit,
		"/changes.atom?limit=10":                      paramLimit,
		"/changes.atom?from=2025-02-01&to=2025-01-31": paramFrom,
		"/changes.atom?country=XX":                    paramCountry,
		"/changes?from=2025-01-01&from=2025-02-01":    paramFrom,
	} {
		rec := get(t, s, target)
		var p Problem
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != mediaProblem {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Header().Get("Content-Type"))
			continue
		}
		decode(t, rec, &p)
		if p.Parameter != param {
			t.Errorf("%s: problem names %q, want %q: %s", target, p.Parameter, param, p.Detail)
		}
	}
}

// TestChangesFeedParses reads a live feed with Python's feedparser, as a feed reader would.
func TestChangesFeedParses(t *testing.T) {
	python := pythonWith(t, "feedparser", "python3-feedparser")
	s := newTestServer(t, Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	const script = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
json.dump({"bozo": bool(d.bozo), "bozo_exception": str(d.get("bozo_exception", "")), "version": d.version,
  "title": d.feed.get("title"), "updated": d.feed.get("updated"), "self": [l.href for l in d.feed.get("links", []) if l.rel == "self"],
  "entries": [{"id": e.id, "title": e.title, "updated": e.updated,
    "alternate": [l.href for l in e.links if l.rel == "alternate"], "content": e.content[0].value,
    "tags": [{"term": c.term, "scheme": c.scheme, "label": c.label} for c in e.get("tags", [])]} for e in d.entries]}, sys.stdout)
`
	out, err := exec.Command(python, "-c", script, ts.URL+"/changes.atom?from=2016-01-01&to=2016-12-31").Output()
	if err != nil {
		t.Fatalf("feedparser: %v", err)
	}
	var feed struct {
		Bozo          bool
		BozoException string `json:"bozo_exception"`
		Version       string
		Title         string
		Updated       string
		Self          []string
		Entries       []struct {
			ID, Title, Updated, Content string
			Alternate                   []string
			Tags                        []struct{ Term, Scheme, Label string }
		}
	}
	if err := json.Unmarshal(out, &feed); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("feedparser read %s %q updated %s, %d entries; first: %+v", feed.Version, feed.Title, feed.Updated, len(feed.Entries), feed.Entries[0])
	if feed.Bozo || feed.Version != "atom10" {
		t.Fatalf("feedparser: version %q, bozo %v: %s", feed.Version, feed.Bozo, feed.BozoException)
	}
	if want := s.ds.Updated().Time().Format("2006-01-02T15:04:05Z"); feed.Updated != want {
		t.Errorf("feed updated %q, want the dataset's date %s", feed.Updated, want)
	}
	if len(feed.Self) != 1 || !strings.HasSuffix(feed.Self[0], "/changes.atom?from=2016-01-01&to=2016-12-31") {
		t.Errorf("self link %q", feed.Self)
	}
	// The same events as /changes, in the same order, with ids from the site and event.
	var p changesPage
	decode(t, get(t, s, "/changes?from=2016-01-01&to=2016-12-31&limit=1000"), &p)
	if len(feed.Entries) != len(p.Features) || len(p.Features) < 5 {
		t.Fatalf("%d entries, /changes has %d features", len(feed.Entries), len(p.Features))
	}
	for i, e := range feed.Entries {
		f := p.Features[i]
		if want := "tag:127.0.0.1,2026:" + f.ID; e.ID != want {
			t.Errorf("entry %d id %q, want %q", i, e.ID, want)
		}
		wantMap := ts.URL + "/map?at=" + f.Properties["latest"].(string) + "&site=" + f.Properties["site"].(string)
		if len(e.Alternate) != 1 || e.Alternate[0] != wantMap {
			t.Errorf("entry %s links %q, want the viewer's permalink %s", e.ID, e.Alternate, wantMap)
		}
		kind, _ := f.Properties["kind"].(string)
		if want := ts.URL + "/collections/sites/queryables#/properties/kind"; len(e.Tags) != 1 || e.Tags[0].Term != kind || e.Tags[0].Scheme != want || e.Tags[0].Label == "" {
			t.Errorf("entry %s categories %+v, want the kind %q in scheme %s", e.ID, e.Tags, kind, want)
		}
		if !strings.Contains(e.Content, "<p>Kind: "+kind+" (") {
			t.Errorf("entry %s content does not give the kind %q: %s", e.ID, kind, e.Content)
		}
		srcs, _ := f.Properties["sources"].([]any)
		for _, src := range srcs {
			if u, _ := src.(map[string]any)["url"].(string); u != "" && !strings.Contains(e.Content, `href="`+html.EscapeString(u)+`"`) {
				t.Errorf("entry %s content does not link source %s", e.ID, u)
			}
		}
	}
}

// goldenText compares got byte for byte with testdata/name, rewriting it under -update.
func goldenText(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./api -update and review the diff)", name)
	}
}

// pythonWith returns a Python 3 that imports module, trying Debian's first (where apt installs
// python3-* packages) and then the one on PATH; it skips the test when neither does.
func pythonWith(t testing.TB, module, debianPackage string) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	t.Skipf("no python3 imports %s: apt-get install %s", module, debianPackage)
	return ""
}

func TestChangesFeedIsLinked(t *testing.T) {
	s := newTestServer(t, Options{BaseURL: "https://dcatlas.example"})
	var landing struct{ Links []linkDoc }
	decode(t, get(t, s, "/"), &landing)
	if !slices.Contains(landing.Links, linkDoc{Href: "https://dcatlas.example/changes.atom", Rel: relAlternate, Type: mediaAtom}) {
		t.Errorf("the landing page does not link the feed: %+v", landing.Links)
	}
	if !slices.ContainsFunc(landing.Links, func(l linkDoc) bool { return l.Href == "https://dcatlas.example/changes" }) {
		t.Errorf("the landing page does not link /changes")
	}
	page := get(t, s, "/map").Body.String()
	if !strings.Contains(page, `<link rel="alternate" type="application/atom+xml" href="/changes.atom"`) {
		t.Errorf("the viewer's head does not link the feed")
	}
	var api struct {
		Paths map[string]struct {
			Get struct {
				Parameters []struct{ Name string }
			}
		}
	}
	decode(t, get(t, s, "/api"), &api)
	for path, params := range map[string][]string{"/changes": changesParams(), "/changes.atom": changeFilterParams()} {
		var got []string
		for _, p := range api.Paths[path].Get.Parameters {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, params) {
			t.Errorf("OpenAPI documents %s with %q, want %q", path, got, params)
		}
	}
}

// FuzzChangesQuery checks that any query to /changes is answered with 200 or a 400 problem naming
// a parameter, never a 500 or a reversed window.
func FuzzChangesQuery(f *testing.F) {
	for _, q := range []string{"", "from=2025-01-01&to=2025-06-30", "from=2025-06-30&to=2025-01-01", "to=0001-01-01",
		"from=9999-12-31", "status=closing,closed&country=cn&q=nan", "limit=1&offset=999999999", "f=csv&download=1", "from=2025-02-30"} {
		f.Add(q)
	}
	s := newTestServer(f, Options{})
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Skip()
		}
		cq, err := s.parseChangesQuery(q, changesParams()...)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) || p.Status != http.StatusBadRequest || !q.Has(p.Parameter) {
				t.Fatalf("%q: %v is not a 400 problem naming a parameter", query, err)
			}
			return
		}
		if cq.to < cq.from {
			t.Fatalf("%q: window %s to %s is reversed", query, cq.from, cq.to)
		}
		if rec := get(t, s, "/changes?"+q.Encode()); rec.Code != http.StatusOK {
			t.Fatalf("%q: %d %s", query, rec.Code, rec.Body)
		}
	})
}

// TestSinceIsWhenTheStatusBegan checks the "since" the popup and the CSV show: Seoul has been
// active since it opened in 2022-03, not since its second data centre of 2025-06.
func TestSinceIsWhenTheStatusBegan(t *testing.T) {
	s := newTestServer(t, Options{})
	var item struct{ Properties map[string]any }
	decode(t, get(t, s, "/collections/sites/items/alibaba-ap-northeast-2?at=2025-09-24"), &item)
	if item.Properties["status"] != "active" || item.Properties["status_date"] != "2022-03" {
		t.Errorf("Seoul in GeoJSON: %v since %v, want active since 2022-03", item.Properties["status"], item.Properties["status_date"])
	}
	body := bytes.TrimPrefix(get(t, s, "/collections/sites/items?f=csv&q=seoul&at=2025-09-24").Body.Bytes(), []byte(utf8BOM))
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v: %d rows", err, len(rows))
	}
	if col := slices.Index(rows[0], "status_date"); col < 0 || rows[1][col] != "2022-03" {
		t.Errorf("Seoul in CSV: status_date column %d of %q", col, rows[1])
	}
}

// TestChangesFeedKinds reads the feed of every provider by kind: each entry's category is the
// kind asked for, the kinds' feeds together hold every entry of the unfiltered feed, and the
// content says the kind.
func TestChangesFeedKinds(t *testing.T) {
	s := newFullServer(t, Options{})
	type entry struct {
		ID       string `xml:"id"`
		Content  string `xml:"content"`
		Category []struct {
			Term   string `xml:"term,attr"`
			Scheme string `xml:"scheme,attr"`
		} `xml:"category"`
	}
	read := func(target string) []entry {
		t.Helper()
		rec := get(t, s, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
		var feed struct {
			Entries []entry `xml:"entry"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		return feed.Entries
	}
	const window = "from=2000-01-01&to=2026-12-31&"
	all := len(read("/changes.atom?" + window[:len(window)-1]))
	sum := 0
	for _, k := range geo.Kinds() {
		es := read("/changes.atom?" + window + "kind=" + string(k))
		if k == geo.KindPublic && len(es) == 0 || k == geo.KindGovernment && len(es) == 0 {
			t.Errorf("kind=%s: no entries", k)
		}
		for _, e := range es {
			if len(e.Category) != 1 || e.Category[0].Term != string(k) || !strings.HasSuffix(e.Category[0].Scheme, "/collections/sites/queryables#/properties/kind") {
				t.Errorf("kind=%s: entry %s has categories %+v", k, e.ID, e.Category)
			}
			if !strings.Contains(e.Content, "<p>Kind: "+string(k)+" (") {
				t.Errorf("kind=%s: entry %s content does not say its kind", k, e.ID)
			}
		}
		sum += len(es)
	}
	if sum != all {
		t.Errorf("the kinds' feeds hold %d entries, the whole feed %d", sum, all)
	}
}
