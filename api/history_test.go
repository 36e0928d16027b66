package api

import (
	"net/http"
	"testing"

	"dcatlas/geo/render"
)

func TestHistory(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := get(t, s, historyPath)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaJSON {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc historyDoc
	decode(t, rec, &doc)
	if doc.Today != s.today().String() || doc.Version != s.ds.Version {
		t.Errorf("today %q version %q", doc.Today, doc.Version)
	}
	if len(doc.Statuses) != 4 || len(doc.Stack) != 4 {
		t.Fatalf("vocabulary %+v %v", doc.Statuses, doc.Stack)
	}
	for i, st := range render.LegendOrder() {
		got := doc.Statuses[i]
		if got.Status != st || got.Colour != render.StatusColor(st).String() || got.Label != render.StatusLabel(st) {
			t.Errorf("status %d = %+v, want %s", i, got, st)
		}
		if doc.Stack[i] != render.StackOrder()[i] {
			t.Errorf("stack %v", doc.Stack)
		}
	}
	if len(doc.Sites) != len(s.ds.Sites) || len(doc.Providers) != len(s.ds.Providers) {
		t.Fatalf("%d sites, %d providers", len(doc.Sites), len(doc.Providers))
	}
	for i, hs := range doc.Sites {
		site := s.ds.Sites[i]
		if hs.ID != site.ID || hs.Lon != site.Point[0] || hs.Lat != site.Point[1] || len(hs.Events) != len(site.Events) {
			t.Fatalf("site %d: %+v", i, hs)
		}
		for j, e := range site.Events {
			if hs.Events[j] != [2]string{e.Date.String(), string(e.Status)} {
				t.Errorf("%s event %d: %v", site.ID, j, hs.Events[j])
			}
		}
	}

	// Cacheable: a second request with the ETag costs nothing.
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") == "" {
		t.Fatalf("ETag %q Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
	}
	if rec := get(t, s, historyPath, "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec.Code)
	}
	wantProblem(t, get(t, s, historyPath+"?at=2020-01-01"), http.StatusBadRequest, "at")
}
