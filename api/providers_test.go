package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"dcatlas/geo"
)

// The built-in providers, in dataset order (by file name).
var allProviders = []string{"alibaba-cloud", "aws", "azure", "gcp"}

// providersDoc is the /providers document as a client reads it.
type providersDoc struct {
	At        string
	Counts    geo.Counts
	Providers []struct {
		ID, Name, Colour, URL, Notes string
		Short                        string `json:"short_name"`
		Counts                       geo.Counts
		InService                    int `json:"in_service"`
		Kinds                        map[string]int
	}
}

// itemsOf fetches an items page of the full server and returns its provider and kind per id.
func itemsOf(t *testing.T, s *Server, target string) (matched int, provider, kind map[string]string) {
	t.Helper()
	rec := get(t, s, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
	}
	var doc struct {
		NumberMatched int
		Features      []struct {
			ID         string
			Properties struct{ Provider, Kind string }
		}
	}
	decode(t, rec, &doc)
	provider, kind = map[string]string{}, map[string]string{}
	for _, f := range doc.Features {
		provider[f.ID], kind[f.ID] = f.Properties.Provider, f.Properties.Kind
	}
	return doc.NumberMatched, provider, kind
}

func TestProviders(t *testing.T) {
	s := newFullServer(t, Options{})
	var doc providersDoc
	rec := get(t, s, "/providers")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaJSON {
		t.Fatalf("/providers: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	decode(t, rec, &doc)
	var ids []string
	colour := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	total := 0
	for _, p := range doc.Providers {
		ids = append(ids, p.ID)
		if p.Name == "" || p.Short == "" || !colour.MatchString(p.Colour) || p.URL == "" || p.Notes == "" {
			t.Errorf("%s: metadata missing: %+v", p.ID, p)
		}
		// The counts are those of the items endpoint for the provider at the same date.
		matched, _, _ := itemsOf(t, s, "/collections/sites/items?limit=1&provider="+p.ID)
		if p.Counts.Total() != matched {
			t.Errorf("%s: counts %+v total %d, the items endpoint matches %d", p.ID, p.Counts, p.Counts.Total(), matched)
		}
		inService, _, _ := itemsOf(t, s, "/collections/sites/items?limit=1&status=active,closing&provider="+p.ID)
		if p.InService != inService || p.Counts.InService() != inService {
			t.Errorf("%s: in service %d, items endpoint %d", p.ID, p.InService, inService)
		}
		kinds := 0
		for _, n := range p.Kinds {
			kinds += n
		}
		if kinds != matched {
			t.Errorf("%s: kinds %v add up to %d, want %d", p.ID, p.Kinds, kinds, matched)
		}
		total += matched
	}
	if !slices.Equal(ids, allProviders) {
		t.Fatalf("providers %v, want %v", ids, allProviders)
	}
	// Every site of the built-in data exists by the test's today.
	if doc.At != "2026-11-23" || total != 210 || doc.Counts.Total() != 210 {
		t.Errorf("at %s: %d sites over the providers, %d in all; want 210", doc.At, total, doc.Counts.Total())
	}
	byID := map[string]int{}
	for i, p := range doc.Providers {
		byID[p.ID] = i
	}
	if k := doc.Providers[byID["aws"]].Kinds; k["government"] != 2 || k["partner"] != 2 || k["sovereign"] != 1 {
		t.Errorf("AWS kinds %v, want 2 government (GovCloud), 2 partner (China), 1 sovereign", k)
	}
	if k := doc.Providers[byID["alibaba-cloud"]].Kinds; k["public"] != 37 {
		t.Errorf("Alibaba kinds %v, want 37 public", k)
	}

	// Filters apply to the counts; at moves them in time.
	decode(t, get(t, s, "/providers?at=2012-01-01&kind=public"), &doc)
	for _, p := range doc.Providers {
		matched, _, _ := itemsOf(t, s, "/collections/sites/items?limit=1&at=2012-01-01&kind=public&provider="+p.ID)
		if p.Counts.Total() != matched {
			t.Errorf("2012, %s: %d, items endpoint %d", p.ID, p.Counts.Total(), matched)
		}
	}
	if doc.Providers[byID["azure"]].Counts.Total() == 0 || doc.Providers[byID["gcp"]].Counts.Total() != 0 {
		t.Errorf("2012: Azure %d sites, Google Cloud %d; want some, then none", doc.Providers[byID["azure"]].Counts.Total(), doc.Providers[byID["gcp"]].Counts.Total())
	}
	wantProblem(t, get(t, s, "/providers?kind=secret"), http.StatusBadRequest, paramKind)
	wantProblem(t, get(t, s, "/providers?limit=3"), http.StatusBadRequest, paramLimit)
}

// TestItemsEveryProvider checks that items, CSV and tiles carry every provider with its id and kind.
func TestItemsEveryProvider(t *testing.T) {
	s := newFullServer(t, Options{Atlas: loadAtlas(t)})
	matched, provider, kind := itemsOf(t, s, "/collections/sites/items?limit=1000")
	if matched != 210 || len(provider) != 210 {
		t.Fatalf("%d matched, %d returned, want 210", matched, len(provider))
	}
	per := map[string]int{}
	for id, p := range provider {
		per[p]++
		if _, err := geo.ParseKind(kind[id]); err != nil {
			t.Errorf("%s: kind %q", id, kind[id])
		}
	}
	want := map[string]int{"alibaba-cloud": 37, "aws": 41, "azure": 80, "gcp": 52}
	for p, n := range want {
		if per[p] != n {
			t.Errorf("%s: %d sites, want %d", p, per[p], n)
		}
	}
	for id, k := range map[string]string{"aws-us-gov-west-1": "government", "aws-cn-north-1": "partner",
		"azure-germanycentral": "sovereign", "azure-chinaeast": "partner", "gcp-europe-west3": "public", "alibaba-cn-hangzhou": "public"} {
		if kind[id] != k {
			t.Errorf("%s: kind %q, want %q", id, kind[id], k)
		}
	}

	// CSV: a provider and a kind column, every provider present.
	rec := get(t, s, "/collections/sites/items?limit=1000&f=csv")
	rows, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	if err != nil || len(rows) != 211 {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}
	pc, kc := slices.Index(rows[0], "provider"), slices.Index(rows[0], "kind")
	if pc < 0 || kc < 0 {
		t.Fatalf("CSV header %v lacks provider or kind", rows[0])
	}
	csvPer := map[string]int{}
	for _, r := range rows[1:] {
		csvPer[r[pc]]++
		if r[kc] != kind[r[0]] {
			t.Errorf("CSV %s: kind %q, GeoJSON %q", r[0], r[kc], kind[r[0]])
		}
	}
	for p, n := range want {
		if csvPer[p] != n {
			t.Errorf("CSV %s: %d rows, want %d", p, csvPer[p], n)
		}
	}

	// Site tiles: every site of every provider at zoom 0, with provider and kind.
	feats := siteFeatures(t, getTile(t, s, "/tiles/sites/0/0/0.mvt"))
	tilePer := map[string]int{}
	for id, props := range feats {
		tilePer[props["provider"].(string)]++
		if props["kind"] != kind[id] {
			t.Errorf("tile %s: kind %v, want %q", id, props["kind"], kind[id])
		}
	}
	for p, n := range want {
		if tilePer[p] != n {
			t.Errorf("tile 0/0/0 %s: %d sites, want %d", p, tilePer[p], n)
		}
	}
	gov := siteFeatures(t, getTile(t, s, "/tiles/sites/0/0/0.mvt?kind=government"))
	if ids := sortedKeys(gov); len(ids) != 8 || !slices.Contains(ids, "aws-us-gov-west-1") || !slices.Contains(ids, "azure-usdodeast") {
		t.Errorf("government tile: %v, want the 2 AWS GovCloud and 6 Azure Government regions", ids)
	}
}

func TestKindFilter(t *testing.T) {
	s := newFullServer(t, Options{})
	tests := []struct {
		query string
		want  int
	}{
		{"kind=government", 8},
		{"kind=partner", 8},
		{"kind=sovereign", 5},
		{"kind=sovereign,partner", 13},
		{"kind=%20government%20,government", 8},
		{"kind=public", 210 - 21},
		{"kind=public&provider=alibaba-cloud", 37},
		{"kind=government&provider=gcp", 0},
		{"kind=government&at=2013-06-01", 1}, // AWS GovCloud (US-West): its opening window ends 2013-01-03
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			matched, _, kinds := itemsOf(t, s, "/collections/sites/items?limit=1000&"+tt.query)
			if matched != tt.want {
				t.Errorf("%d sites, want %d", matched, tt.want)
			}
			v, _ := url.ParseQuery(tt.query)
			q, err := parseKinds(v.Get(paramKind))
			if err != nil {
				t.Fatal(err)
			}
			for id, k := range kinds {
				if !slices.Contains(q, geo.Kind(k)) {
					t.Errorf("%s has kind %q", id, k)
				}
			}
		})
	}
	for _, target := range []string{
		"/collections/sites/items?kind=secret",
		"/collections/sites/items?kind=",
		"/collections/sites/items?kind=public,,partner",
		"/timeline?kind=Public",
		"/tiles/sites/0/0/0.mvt?kind=gov",
		"/static/timeline.svg?kind=x",
	} {
		t.Run(target, func(t *testing.T) { wantProblem(t, get(t, s, target), http.StatusBadRequest, paramKind) })
	}
	// The timeline counts obey kind.
	var tl struct{ Changes []struct{ geo.Counts } }
	decode(t, get(t, s, "/timeline?kind=sovereign&until=2026-11-23"), &tl)
	if last := tl.Changes[len(tl.Changes)-1]; last.Total() != 5 {
		t.Errorf("sovereign timeline ends at %+v, want 5 sites", last.Counts)
	}
	// The queryables and schema list the kinds; OpenAPI documents the parameter.
	var q struct {
		Properties map[string]struct{ Enum []string }
	}
	decode(t, get(t, s, "/collections/sites/queryables"), &q)
	if !slices.Equal(q.Properties["kind"].Enum, []string{"public", "government", "sovereign", "partner"}) {
		t.Errorf("queryable kind: %+v", q.Properties["kind"])
	}
	if body := get(t, s, "/api").Body.String(); !bytes.Contains([]byte(body), []byte(`"name":"kind"`)) {
		t.Error("OpenAPI does not document kind")
	}
}

// TestTimelineByProvider checks the race: one timeline per provider, in dataset order, whose
// counts add up to the whole.
func TestTimelineByProvider(t *testing.T) {
	s := newFullServer(t, Options{})
	var doc struct {
		Changes []struct {
			Date string
			geo.Counts
		}
		Providers []struct {
			Provider, Name, Colour string
			Short                  string `json:"short_name"`
			Changes                []struct {
				Date string
				geo.Counts
			}
		}
	}
	decode(t, get(t, s, "/timeline?by=provider&until=2025-09-24"), &doc)
	var ids []string
	for _, p := range doc.Providers {
		ids = append(ids, p.Provider)
		if prov, _ := s.ds.Provider(p.Provider); prov == nil || p.Name != prov.Name || p.Short != prov.ShortName || p.Colour != prov.Colour {
			t.Errorf("%s: name %q, short name %q, colour %q; want the data file's", p.Provider, p.Name, p.Short, p.Colour)
		}
	}
	if !slices.Equal(ids, allProviders) {
		t.Fatalf("providers %v", ids)
	}
	// Each provider's timeline steps on its own days: its statuses at a day are those of its last
	// change by then.
	at := func(changes []struct {
		Date string
		geo.Counts
	}, day string) geo.Counts {
		var c geo.Counts
		for _, ch := range changes {
			if ch.Date <= day {
				c = ch.Counts
			}
		}
		return c
	}
	for _, c := range doc.Changes {
		sum := geo.Counts{}
		for _, p := range doc.Providers {
			pc := at(p.Changes, c.Date)
			sum.Announced += pc.Announced
			sum.Active += pc.Active
			sum.Closing += pc.Closing
			sum.Closed += pc.Closed
		}
		// Pending changes start on days that are not changes of status, so only the statuses add up.
		sum.Pending = c.Pending
		if sum != c.Counts {
			t.Fatalf("%s: providers add up to %+v, the whole is %+v", c.Date, sum, c.Counts)
		}
	}
	// AWS leads in 2012; Alibaba's international regions start in 2014 or later.
	at2012 := map[string]int{}
	for _, p := range doc.Providers {
		for _, c := range p.Changes {
			if c.Date <= "2012-12-31" {
				at2012[p.Provider] = c.InService()
			}
		}
	}
	if at2012["aws"] <= at2012["alibaba-cloud"] || at2012["aws"] < 8 {
		t.Errorf("end of 2012 in service: %v; want AWS ahead with at least 8", at2012)
	}

	// provider= keeps only the named providers' timelines.
	var some struct{ Providers []struct{ Provider string } }
	decode(t, get(t, s, "/timeline?by=provider&provider=aws,gcp"), &some)
	var got []string
	for _, p := range some.Providers {
		got = append(got, p.Provider)
	}
	if want := []string{"aws", "gcp"}; !slices.Equal(got, want) {
		t.Errorf("by=provider&provider=aws,gcp lists %v, want %v", got, want)
	}
}

// TestChangesEveryProvider checks that /changes and its CSV carry every provider with its id and
// kind, and filter by kind: Microsoft Cloud Deutschland's closure is a sovereign event.
func TestChangesEveryProvider(t *testing.T) {
	s := newFullServer(t, Options{})
	type changesDoc struct {
		NumberMatched int
		Features      []struct {
			Properties struct {
				Site, Provider, Kind string
				StatusAfter          string `json:"status_after"`
			}
		}
	}
	var doc changesDoc
	decode(t, get(t, s, "/changes?from=2006-01-01&to=2026-11-23&limit=1000"), &doc)
	per := map[string]int{}
	for _, f := range doc.Features {
		per[f.Properties.Provider]++
		if _, err := geo.ParseKind(f.Properties.Kind); err != nil {
			t.Errorf("%s: kind %q", f.Properties.Site, f.Properties.Kind)
		}
	}
	for _, p := range allProviders {
		if per[p] == 0 {
			t.Errorf("no event of %s in /changes: %v", p, per)
		}
	}
	doc = changesDoc{}
	decode(t, get(t, s, "/changes?from=2021-01-01&to=2021-12-31&kind=sovereign&limit=1000"), &doc)
	closed := 0
	for _, f := range doc.Features {
		if f.Properties.Kind != "sovereign" {
			t.Errorf("kind=sovereign gives %s (%s)", f.Properties.Site, f.Properties.Kind)
		}
		if f.Properties.Provider == "azure" && f.Properties.StatusAfter == "closed" {
			closed++
		}
	}
	if closed != 2 {
		t.Errorf("2021, sovereign: %d Azure closures, want Microsoft Cloud Deutschland's 2", closed)
	}
	rec := get(t, s, "/changes?from=2006-01-01&to=2026-11-23&f=csv")
	rows, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %v", err)
	}
	pc, kc := slices.Index(rows[0], "provider"), slices.Index(rows[0], "kind")
	csvPer := map[string]int{}
	for _, r := range rows[1:] {
		csvPer[r[pc]]++
		if _, err := geo.ParseKind(r[kc]); err != nil {
			t.Errorf("CSV kind %q", r[kc])
		}
	}
	for _, p := range allProviders {
		if csvPer[p] == 0 {
			t.Errorf("no %s row in the changes CSV", p)
		}
	}
	wantProblem(t, get(t, s, "/changes?kind=classified"), http.StatusBadRequest, paramKind)
}
