package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"dcatlas/geo"
)

type linkDoc struct {
	Href, Rel, Type string
}

type collectionJSON struct {
	Type           string    `json:"type"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	Links          []linkDoc `json:"links"`
	Features       []struct {
		ID         string                           `json:"id"`
		Geometry   *struct{ Coordinates []float64 } `json:"geometry"`
		Properties map[string]any                   `json:"properties"`
	} `json:"features"`
}

func (c collectionJSON) ids() []string {
	var out []string
	for _, f := range c.Features {
		out = append(out, f.ID)
	}
	return out
}

func linkByRel(links []linkDoc, rel string) (linkDoc, bool) {
	for _, l := range links {
		if l.Rel == rel {
			return l, true
		}
	}
	return linkDoc{}, false
}

func TestLanding(t *testing.T) {
	for _, base := range []string{"", "https://maps.example.org/dcatlas"} {
		s := newTestServer(t, Options{BaseURL: base})
		rec := get(t, s, "/")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaJSON {
			t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		var doc struct{ Links []linkDoc }
		decode(t, rec, &doc)
		want := base
		if want == "" {
			want = "http://example.com"
		}
		for _, rel := range []string{relSelf, relServiceDesc, relServiceDoc, relConformance, relData} {
			l, ok := linkByRel(doc.Links, rel)
			if !ok || !strings.HasPrefix(l.Href, want+"/") || l.Type == "" {
				t.Errorf("base %q: link %s = %+v", base, rel, l)
			}
		}
	}
}

func TestConformance(t *testing.T) {
	var doc struct{ ConformsTo []string }
	decode(t, get(t, newTestServer(t, Options{}), "/conformance"), &doc)
	for _, c := range []string{"conf/core", "conf/geojson", "conf/oas30"} {
		if !slices.ContainsFunc(doc.ConformsTo, func(s string) bool { return strings.HasSuffix(s, c) }) {
			t.Errorf("missing %s in %v", c, doc.ConformsTo)
		}
	}
}

// TestOpenAPIIsTruthful checks that every route the server answers is in the OpenAPI document, with
// every query parameter its handler accepts, and nothing more.
func TestOpenAPIIsTruthful(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := get(t, s, "/api")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaOpenAPI {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]struct {
			Get struct {
				Parameters []struct{ Name, In string }
			}
		}
	}
	decode(t, rec, &doc)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	params := map[string][]string{
		"/collections/{collection}/items": itemsParams(),
		"/timeline":                       timelineParams(),
	}
	for path, want := range params {
		var got []string
		for _, p := range doc.Paths[path].Get.Parameters {
			if p.In == "query" {
				got = append(got, p.Name)
			}
		}
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s documents %v, accepts %v", path, got, w)
		}
	}
	for _, r := range s.echo.Routes() {
		if r.Method != http.MethodGet || strings.HasPrefix(r.Path, "/web/") || r.Path == "/map" || r.Path == "/embed" || r.Path == "/api.html" {
			continue
		}
		p := strings.NewReplacer(":collection", "{collection}", ":id", "{featureId}").Replace(r.Path)
		if _, ok := doc.Paths[p]; !ok && !strings.Contains(p, ":") {
			t.Errorf("route %s is not in the OpenAPI document", r.Path)
		}
	}
	if rec := get(t, s, "/api.html"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/collections/{collection}/items") {
		t.Errorf("api.html: %d", rec.Code)
	}
}

func TestCollection(t *testing.T) {
	s := newTestServer(t, Options{})
	var doc struct {
		ID     string
		Extent struct {
			Spatial  struct{ Bbox [][]float64 }
			Temporal struct{ Interval [][]*string }
		}
		Links []linkDoc
	}
	decode(t, get(t, s, "/collections/sites"), &doc)
	b := s.ds.Bound()
	if doc.ID != "sites" || len(doc.Extent.Spatial.Bbox) != 1 || doc.Extent.Spatial.Bbox[0][0] != b.Min[0] || doc.Extent.Spatial.Bbox[0][3] != b.Max[1] {
		t.Errorf("collection %+v", doc)
	}
	first, _ := s.ds.TimeExtent()
	if iv := doc.Extent.Temporal.Interval; len(iv) != 1 || iv[0][0] == nil || *iv[0][0] != first.String()+"T00:00:00Z" || iv[0][1] != nil {
		t.Errorf("temporal extent %v", doc.Extent.Temporal.Interval)
	}
	if _, ok := linkByRel(doc.Links, relItems); !ok {
		t.Error("no items link")
	}
	for _, rel := range []string{"describedby", "describedBy", relSchema} {
		if l, ok := linkByRel(doc.Links, rel); !ok || !strings.HasSuffix(l.Href, "/collections/sites/schema") {
			t.Errorf("no %s link to the schema", rel)
		}
	}
	var feature struct {
		Properties struct {
			Properties struct {
				Properties map[string]struct {
					Type   any // a type name, or [name, "null"]
					Format string
				}
			}
		}
	}
	rec := get(t, s, "/collections/sites/schema")
	decode(t, rec, &feature)
	schema := feature.Properties.Properties
	if rec.Header().Get("Content-Type") != mediaSchemaJSON {
		t.Errorf("schema Content-Type %q", rec.Header().Get("Content-Type"))
	}
	for _, name := range propertyNames() {
		if schema.Properties[name].Type == nil {
			t.Errorf("schema has no type for %s", name)
		}
	}
	if p := schema.Properties["closing"]; fmt.Sprint(p.Type) != "[string null]" || p.Format != "" {
		t.Errorf("closing is %+v: EDTF must stay a plain string", p)
	}
	var all struct{ Collections []struct{ ID string } }
	decode(t, get(t, s, "/collections"), &all)
	if len(all.Collections) != 1 || all.Collections[0].ID != "sites" {
		t.Errorf("collections %+v", all)
	}
	var q struct {
		Properties map[string]any
	}
	rec = get(t, s, "/collections/sites/queryables")
	decode(t, rec, &q)
	if rec.Header().Get("Content-Type") != mediaSchemaJSON || q.Properties["status"] == nil || q.Properties["country"] == nil {
		t.Errorf("queryables %s %v", rec.Header().Get("Content-Type"), q)
	}
}

func TestItemsGolden(t *testing.T) {
	s := newTestServer(t, Options{BaseURL: "https://dcatlas.example"})
	for name, target := range map[string]string{
		"items-at-2016-11-21.geojson": "/collections/sites/items?at=2016-11-21",
		"items-at-2025-09-24.geojson": "/collections/sites/items?at=2025-09-24",
		"items-europe.geojson":        "/collections/sites/items?bbox=-11,35,30,60&at=2026-11-23",
	} {
		t.Run(name, func(t *testing.T) {
			rec := get(t, s, target)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaGeoJSON {
				t.Fatalf("%d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			golden(t, name, rec.Body.Bytes())
		})
	}
}

func TestItemsStatusAtDate(t *testing.T) {
	s := newTestServer(t, Options{})
	var doc collectionJSON
	decode(t, get(t, s, "/collections/sites/items?at=2016-11-21&q=tokyo"), &doc)
	if len(doc.Features) != 1 {
		t.Fatalf("got %v", doc.ids())
	}
	p := doc.Features[0].Properties
	if p["status"] != "announced" || p["pending_status"] != "active" || p["at"] != "2016-11-21" || p["status_date"] != "2016-11-21" {
		t.Errorf("Tokyo on 2016-11-21: %v", p)
	}
	events, ok := p["events"].([]any)
	if !ok || len(events) < 2 {
		t.Fatalf("events %v", p["events"])
	}
	first := events[0].(map[string]any)
	if srcs, ok := first["sources"].([]any); !ok || len(srcs) == 0 || srcs[0].(map[string]any)["title"] == "" {
		t.Errorf("first event has no sources: %v", first)
	}
	// Closed sites stay, with status closed.
	decode(t, get(t, s, "/collections/sites/items?at=2025-01-01&status=closed"), &doc)
	if got := doc.ids(); !slices.Equal(got, []string{"alibaba-ap-south-1", "alibaba-ap-southeast-2"}) {
		t.Errorf("closed on 2025-01-01: %v", got)
	}
	// Sites that do not exist yet are left out.
	decode(t, get(t, s, "/collections/sites/items?at=2025-01-01"), &doc)
	for _, id := range doc.ids() {
		if id == "alibaba-eu-west-2" || id == "alibaba-netherlands" {
			t.Errorf("%s listed before it was announced", id)
		}
	}
	if want := len(s.ds.Select(dayOf(t, "2025-01-01"), geo.Filter{})); doc.NumberMatched != want || doc.NumberReturned != want {
		t.Errorf("numberMatched %d, numberReturned %d, want %d", doc.NumberMatched, doc.NumberReturned, want)
	}
}

func TestItemsFilters(t *testing.T) {
	s := newTestServer(t, Options{})
	count := func(q string) int {
		var doc collectionJSON
		decode(t, get(t, s, "/collections/sites/items?"+q), &doc)
		return doc.NumberMatched
	}
	today := dayOf(t, "2026-11-23")
	europe := s.ds.Select(today, geo.Filter{Countries: []string{"DE", "GB", "FR", "NL"}})
	tests := []struct {
		query string
		want  int
	}{
		{"", len(s.ds.Select(today, geo.Filter{}))},
		{"status=active", len(s.ds.Select(today, geo.Filter{Statuses: []geo.Status{geo.StatusActive}}))},
		{"status=closed,announced", len(s.ds.Select(today, geo.Filter{Statuses: []geo.Status{geo.StatusClosed, geo.StatusAnnounced}}))},
		{"country=cn", len(s.ds.Select(today, geo.Filter{Countries: []string{"CN"}}))},
		{"country=DE,GB,FR,NL", len(europe)},
		{"bbox=-11,35,30,60", len(europe)},
		{"provider=alibaba-cloud", len(s.ds.Sites)},
		{"q=HONG%20kong", 1},
		{"q=hong", 2}, // Hong Kong and Zhongwei
		{"q=cn-hong", 1},
		{"q=nowhere-at-all", 0},
		{"datetime=2010-01-01", 0},
		{"datetime=2024-10-01/..", len(s.ds.Select(today, geo.Filter{})) - 2},
		{"datetime=../2012-06-30", 1},
		{"datetime=2017-01-01T00:00:00Z", len(s.ds.Select(dayOf(t, "2017-01-01"), geo.Filter{}))},
		{"at=2009-01-01", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := count(tt.query); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestItemsPaging(t *testing.T) {
	s := newTestServer(t, Options{})
	var all collectionJSON
	decode(t, get(t, s, "/collections/sites/items?at=2026-11-23&limit=1000"), &all)
	var seen []string
	target := "/collections/sites/items?at=2026-11-23&limit=10"
	for pages := 0; target != ""; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		var doc collectionJSON
		decode(t, get(t, s, target), &doc)
		if doc.NumberMatched != all.NumberMatched || doc.NumberReturned != len(doc.Features) {
			t.Errorf("page %d: matched %d returned %d of %d", pages, doc.NumberMatched, doc.NumberReturned, len(doc.Features))
		}
		seen = append(seen, doc.ids()...)
		if pages > 0 {
			if _, ok := linkByRel(doc.Links, relPrev); !ok {
				t.Errorf("page %d has no prev link", pages)
			}
		}
		target = ""
		if next, ok := linkByRel(doc.Links, relNext); ok {
			u, err := url.Parse(next.Href)
			if err != nil {
				t.Fatal(err)
			}
			target = u.RequestURI()
		}
	}
	if !slices.Equal(seen, all.ids()) {
		t.Errorf("paging gave %d sites, the full list %d", len(seen), len(all.ids()))
	}
	var big collectionJSON
	decode(t, get(t, s, "/collections/sites/items?limit=5000"), &big)
	if big.NumberReturned != big.NumberMatched {
		t.Error("a limit above the maximum is not clamped")
	}
	var beyond collectionJSON
	decode(t, get(t, s, "/collections/sites/items?offset=1000"), &beyond)
	if beyond.NumberReturned != 0 || beyond.Features == nil {
		t.Errorf("offset past the end: %+v", beyond)
	}
}

func TestItemsSortPropertiesGeometry(t *testing.T) {
	s := newTestServer(t, Options{})
	var doc collectionJSON
	decode(t, get(t, s, "/collections/sites/items?sortby=-opened&properties=opened,name&limit=3"), &doc)
	if len(doc.Features) != 3 {
		t.Fatal(doc.ids())
	}
	if p := doc.Features[0].Properties; len(p) != 2 || p["opened"] == nil {
		t.Errorf("properties subset: %v", p)
	}
	var byName collectionJSON
	decode(t, get(t, s, "/collections/sites/items?sortby=name&skipGeometry=true"), &byName)
	names := make([]string, len(byName.Features))
	for i, f := range byName.Features {
		names[i] = strings.ToLower(f.Properties["name"].(string))
		if f.Geometry != nil {
			t.Fatalf("geometry despite skipGeometry: %s", f.ID)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("not sorted by name: %v", names)
	}
	var asc, desc collectionJSON
	decode(t, get(t, s, "/collections/sites/items?sortby=%2Bopened&properties=opened"), &asc)
	decode(t, get(t, s, "/collections/sites/items?sortby=-opened&properties=opened"), &desc)
	if asc.Features[0].ID != "alibaba-cn-hangzhou" {
		t.Errorf("earliest opened: %s", asc.Features[0].ID)
	}
	if desc.Features[0].ID == asc.Features[0].ID {
		t.Error("descending sort gives the same first site")
	}
}

func TestItemsCSVAndDownload(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := get(t, s, "/collections/sites/items?f=csv&at=2018-09-01&download=1")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaCSV {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="alibaba-cloud-sites-2018-09-01.csv"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	body, ok := bytes.CutPrefix(rec.Body.Bytes(), []byte(utf8BOM))
	if !ok {
		t.Errorf("the CSV does not start with a UTF-8 byte order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(s.ds.Select(dayOf(t, "2018-09-01"), geo.Filter{})); len(rows) != want+1 {
		t.Errorf("%d rows, want %d and a header", len(rows), want)
	}
	if !slices.Equal(rows[0][:3], []string{"id", "lon", "lat"}) || !slices.Contains(rows[0], "status") {
		t.Errorf("header %v", rows[0])
	}
	geo := get(t, s, "/collections/sites/items?at=2018-09-01&download=true")
	if got := geo.Header().Get("Content-Disposition"); got != `attachment; filename="alibaba-cloud-sites-2018-09-01.geojson"` {
		t.Errorf("GeoJSON download %q", got)
	}
	if got := get(t, s, "/collections/sites/items").Header().Get("Content-Disposition"); got != "" {
		t.Errorf("Content-Disposition without download: %q", got)
	}
}

func TestItem(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := get(t, s, "/collections/sites/items/alibaba-ap-southeast-2?at=2024-07-01")
	var f struct {
		ID         string
		Properties map[string]any
		Links      []linkDoc
	}
	decode(t, rec, &f)
	if rec.Code != http.StatusOK || f.ID != "alibaba-ap-southeast-2" || f.Properties["status"] != "closing" {
		t.Errorf("%d %+v", rec.Code, f)
	}
	if _, ok := linkByRel(f.Links, relCollection); !ok {
		t.Error("no collection link")
	}
	f.Properties = nil
	decode(t, get(t, s, "/collections/sites/items/alibaba-eu-west-2?at=2020-01-01"), &f)
	if f.Properties["status"] != nil || f.Properties["status_date_latest"] != nil || f.Properties["name"] == nil {
		t.Errorf("a site before it exists: %v", f.Properties)
	}

	// A former id moves permanently to the site's id, keeping the query; an unknown one is 404.
	rec = get(t, s, "/collections/sites/items/alibaba-sa-east-1?at=2025-12-31")
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusMovedPermanently || loc != "/collections/sites/items/alibaba-brazil?at=2025-12-31" {
		t.Errorf("former id: %d, Location %q", rec.Code, loc)
	}
	if rec := get(t, s, "/collections/sites/items/alibaba-xx-nowhere-1"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown id: %d", rec.Code)
	}
}

func TestTimeline(t *testing.T) {
	s := newTestServer(t, Options{})
	var doc struct {
		Until   string
		Changes []struct {
			Date string
			geo.Counts
		}
		Years     []struct{ Year int }
		Providers []struct{ Provider string }
	}
	if rec := get(t, s, "/timeline?f=json"); rec.Code != http.StatusOK {
		t.Errorf("/timeline?f=json: %d", rec.Code)
	}
	decode(t, get(t, s, "/timeline?until=2020-12-31&country=CN&by=provider"), &doc)
	want := s.ds.Timeline(geo.Filter{Countries: []string{"CN"}}, dayOf(t, "2020-12-31"))
	if doc.Until != "2020-12-31" || len(doc.Changes) != len(want.Changes) || len(doc.Years) != len(want.Years) || len(doc.Providers) != 1 {
		t.Fatalf("timeline %+v", doc)
	}
	last := doc.Changes[len(doc.Changes)-1]
	if last.Counts != want.Changes[len(want.Changes)-1].Counts {
		t.Errorf("last change %+v, want %+v", last.Counts, want.Changes[len(want.Changes)-1].Counts)
	}
}

// TestBadInput checks that every kind of bad input is a 4xx problem naming the parameter.
func TestBadInput(t *testing.T) {
	s := newTestServer(t, Options{})
	long := strings.Repeat("x", 1001)
	tests := []struct {
		name, target string
		status       int
		param        string
	}{
		{"unknown parameter", "/collections/sites/items?colour=red", 400, "colour"},
		{"repeated parameter", "/collections/sites/items?limit=1&limit=2", 400, paramLimit},
		{"bbox with 3 numbers", "/collections/sites/items?bbox=1,2,3", 400, paramBbox},
		{"bbox reversed", "/collections/sites/items?bbox=10,0,5,5", 400, paramBbox},
		{"bbox latitude out of range", "/collections/sites/items?bbox=0,-91,5,5", 400, paramBbox},
		{"bbox longitude out of range", "/collections/sites/items?bbox=-181,0,5,5", 400, paramBbox},
		{"bbox NaN", "/collections/sites/items?bbox=NaN,0,5,5", 400, paramBbox},
		{"bbox text", "/collections/sites/items?bbox=a,b,c,d", 400, paramBbox},
		{"at impossible date", "/collections/sites/items?at=2017-02-30", 400, paramAt},
		{"at month only", "/collections/sites/items?at=2017-02", 400, paramAt},
		{"at garbage", "/collections/sites/items?at=yesterday", 400, paramAt},
		{"datetime garbage", "/collections/sites/items?datetime=soon", 400, paramDatetime},
		{"datetime reversed", "/collections/sites/items?datetime=2020-01-01/2019-01-01", 400, paramDatetime},
		{"datetime both open", "/collections/sites/items?datetime=../..", 400, paramDatetime},
		{"limit zero", "/collections/sites/items?limit=0", 400, paramLimit},
		{"limit negative", "/collections/sites/items?limit=-5", 400, paramLimit},
		{"limit text", "/collections/sites/items?limit=ten", 400, paramLimit},
		{"offset negative", "/collections/sites/items?offset=-1", 400, paramOffset},
		{"offset huge (overflow)", "/collections/sites/items?offset=9223372036854775807", 400, paramOffset},
		{"status unknown", "/collections/sites/items?status=open", 400, paramStatus},
		{"status empty item", "/collections/sites/items?status=active,", 400, paramStatus},
		{"country unknown", "/collections/sites/items?country=XX", 400, paramCountry},
		{"provider unknown", "/collections/sites/items?provider=aws", 400, paramProvider},
		{"sortby unknown", "/collections/sites/items?sortby=colour", 400, paramSortby},
		{"sortby double sign", "/collections/sites/items?sortby=--name", 400, paramSortby},
		{"properties unknown", "/collections/sites/items?properties=colour", 400, paramProperties},
		{"skipGeometry not boolean", "/collections/sites/items?skipGeometry=maybe", 400, paramSkipGeometry},
		{"format unknown", "/collections/sites/items?f=xml", 400, paramF},
		{"download not boolean", "/collections/sites/items?download=please", 400, paramDownload},
		{"q too long", "/collections/sites/items?q=" + strings.Repeat("y", 201), 400, paramQ},
		{"value too long", "/collections/sites/items?bbox=" + long, 400, paramBbox},
		{"invalid UTF-8", "/collections/sites/items?q=%ff%fe", 400, paramQ},
		{"unknown collection", "/collections/regions/items", 404, ""},
		{"unknown site", "/collections/sites/items/alibaba-atlantis-1", 404, ""},
		{"malformed site id", "/collections/sites/items/Alibaba%20Cloud", 400, "id"},
		{"site id too long", "/collections/sites/items/" + strings.Repeat("a", 65), 400, "id"},
		{"item as CSV", "/collections/sites/items/alibaba-cn-hangzhou?f=csv", 400, paramF},
		{"item unknown parameter", "/collections/sites/items/alibaba-cn-hangzhou?limit=3", 400, paramLimit},
		{"landing unknown parameter", "/?x=1", 400, "x"},
		{"landing bad format", "/?f=xml", 400, paramF},
		{"conformance unknown parameter", "/conformance?x=1", 400, "x"},
		{"timeline with at", "/timeline?at=2020-01-01", 400, paramAt},
		{"timeline bad until", "/timeline?until=2020-13-01", 400, paramUntil},
		{"timeline bad by", "/timeline?by=country", 400, paramBy},
		{"timeline until too far", "/timeline?until=9999-12-31", 400, paramUntil},
		{"timeline unknown parameter", "/timeline?limit=3", 400, paramLimit},
		{"no such path", "/nowhere", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, get(t, s, tt.target), tt.status, tt.param)
		})
	}
}
