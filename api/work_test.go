package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"dcatlas/geo/basemap"
)

// holdBudget takes the whole budget of the lane that builds costing w go through, until the test
// ends or release is called.
func holdBudget(t *testing.T, s *Server, w work) (release func()) {
	t.Helper()
	w.bytes = s.work.lane(w).budget
	give, err := s.work.acquire(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(give) }
	t.Cleanup(release)
	return release
}

// TestBusyAnswers503 checks that a build that cannot get its share of the work budget within the
// wait is answered 503 with Retry-After, as problem+json, while cached answers are served.
func TestBusyAnswers503(t *testing.T) {
	s := newTestServer(t, Options{WorkWait: time.Millisecond})
	if rec := get(t, s, "/timeline?until=2020-01-01"); rec.Code != http.StatusOK {
		t.Fatalf("timeline: %d", rec.Code)
	}
	release := holdBudget(t, s, documentWork)
	rec := get(t, s, "/timeline?until=2021-01-01")
	wantProblem(t, rec, http.StatusServiceUnavailable, "")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if rec := get(t, s, "/timeline?until=2020-01-01"); rec.Code != http.StatusOK {
		t.Errorf("a cached answer waited for the work budget: %d", rec.Code)
	}
	release()
	if rec := get(t, s, "/timeline?until=2021-01-01"); rec.Code != http.StatusOK {
		t.Errorf("with the budget free: %d", rec.Code)
	}
}

// TestLeavingClientFreesItsPlace checks that a request waiting for the work budget stops waiting
// when its client leaves: its build is abandoned and takes no share when the budget frees up.
func TestLeavingClientFreesItsPlace(t *testing.T) {
	s := newTestServer(t, Options{WorkWait: time.Hour})
	release := holdBudget(t, s, documentWork)
	waiting := make(chan struct{})
	s.work.waiting = func() { close(waiting) }
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodGet, "/timeline?until=2021-01-01", nil).WithContext(ctx)
	answered := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		answered <- rec.Code
	}()
	<-waiting
	cancel() // the client leaves
	if code := <-answered; code != http.StatusServiceUnavailable {
		t.Errorf("the request whose client left got %d", code)
	}
	// The build has gone: the budget, once free, is wholly there for the next one (a build that
	// kept its place would take it and, waiting on nothing else, hold it for the hour).
	release()
	bounded, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	data := s.work.lane(documentWork)
	if err := data.mem.Acquire(bounded, data.budget); err != nil {
		t.Fatalf("the abandoned build kept its place: the budget is not free after 30 s (%v)", err)
	}
	data.mem.Release(data.budget)
}

// allocated returns the bytes f allocates, garbage included: what a build costs the process's
// memory until the collector runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestWorkCostsCoverMeasured measures what builds allocate and checks the work limiter charges each
// at least that, and at most twice that: the budget is a real bound on memory without idling it.
func TestWorkCostsCoverMeasured(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector's instrumentation allocates beside the builds measured here")
	}
	s := staticServer(t)
	atlas := s.opts.Atlas
	type build struct {
		name   string
		charge work
		run    func() error
	}
	var builds []build
	// Hong Kong at three zooms, and the tiles where the most country names are drawn (Europe at
	// zoom 5, the Balkans at 9).
	for _, tile := range []maptile.Tile{
		maptile.At(orb.Point{114.17, 22.32}, 0), maptile.At(orb.Point{114.17, 22.32}, 4), maptile.At(orb.Point{114.17, 22.32}, 8),
		{X: 24, Y: 14, Z: 5}, {X: 418, Y: 223, Z: 9},
	} {
		for _, scale := range []int{1, 2} {
			builds = append(builds, build{
				fmt.Sprintf("base-map tile %d/%d/%d @%dx", tile.Z, tile.X, tile.Y, scale),
				basemapTileWork(basemap.TileSize * scale),
				func() error { _, err := atlas.RenderPNG(context.Background(), tile, scale, basemap.Light); return err },
			})
		}
	}
	images := []struct {
		name string
		q    url.Values
	}{
		{"map.png", url.Values{"width": {"320"}, "height": {"200"}}},
		{"map.png", url.Values{"width": {"1200"}, "height": {"800"}, "scale": {"2"}}},
		{"timeline.png", url.Values{"width": {"1200"}, "height": {"400"}, "scale": {"2"}}},
		{"map.svg", url.Values{"width": {"2048"}, "height": {"2048"}}},
		{"map.svg", url.Values{"width": {"320"}, "height": {"200"}}},
		{"map.svg", url.Values{"center": {"10,50"}, "zoom": {"6"}, "width": {"2048"}, "height": {"2048"}, "labels": {"1"}}},
		{"map.svg", url.Values{"center": {"114,22"}, "zoom": {"3"}, "width": {"2048"}, "height": {"2048"}, "labels": {"1"}}},
		{"timeline.svg", url.Values{"width": {"2048"}, "height": {"2048"}}},
	}
	if !testing.Short() { // the largest image a request can ask for: seconds of drawing
		images = append(images, struct {
			name string
			q    url.Values
		}{"map.png", url.Values{"center": {"10,50"}, "zoom": {"6"}, "width": {"2048"}, "height": {"2048"}, "scale": {"2"}, "labels": {"1"}}})
	}
	for _, im := range images {
		r, err := parseStatic(staticImages()[im.name], im.q, s.ds, s.today())
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, build{
			im.name + "?" + im.q.Encode(),
			r.work(),
			func() error { _, _, err := drawFor(s, im.name, im.q); return err },
		})
	}
	// Documents and tiles through the server, a new query each time so that no cache answers.
	fresh := func(format string) func() error {
		n := 0
		return func() error {
			n++
			if rec := get(t, s, fmt.Sprintf(format, n)); rec.Code != http.StatusOK {
				return fmt.Errorf("%d %s", rec.Code, rec.Body)
			}
			return nil
		}
	}
	builds = append(builds,
		build{"items, 1,000 a page", documentWork, fresh("/collections/sites/items?limit=1000&offset=%d")},
		build{"timeline by provider", documentWork, fresh("/timeline?by=provider&until=2025-01-%02d")},
		build{"site tile", vectorTileWork, fresh("/tiles/sites/2/3/1.mvt?at=2020-01-%02d")},
	)
	for _, b := range builds {
		if err := b.run(); err != nil { // once first: one-time preparation is not a build's cost
			t.Fatalf("%s: %v", b.name, err)
		}
		var err error
		got := allocated(func() { err = b.run() })
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		t.Logf("%-70s allocates %6.1f MB, charged %6.1f MB", b.name, float64(got)/1e6, float64(b.charge.bytes)/1e6)
		if uint64(b.charge.bytes) < got {
			t.Errorf("%s allocates %d bytes but is charged %d", b.name, got, b.charge.bytes)
		}
		if b.charge.raster && uint64(b.charge.bytes) > 2*got {
			t.Errorf("%s allocates %d bytes but is charged %d: more than twice", b.name, got, b.charge.bytes)
		}
	}
}

// TestCheapAnswersDoNotWaitForDrawing checks that with drawing's whole budget taken, cached answers
// and uncached documents and vector tiles are still answered; only a new drawing waits (and, past
// the wait, is answered 503).
func TestCheapAnswersDoNotWaitForDrawing(t *testing.T) {
	s := newTestServer(t, Options{Atlas: loadAtlas(t), WorkWait: time.Millisecond})
	cached := "/static/map.png?width=320&height=200"
	if rec := get(t, s, cached); rec.Code != http.StatusOK {
		t.Fatalf("%s: %d", cached, rec.Code)
	}
	holdBudget(t, s, rasterWork(1, 1))
	for _, target := range []string{
		cached,
		"/collections/sites/items?limit=5",
		"/timeline?until=2020-01-01",
		"/tiles/sites/2/3/1.mvt",
		"/tiles/basemap/2/3/1.mvt",
		"/static/timeline.svg",
	} {
		if rec := get(t, s, target); rec.Code != http.StatusOK {
			t.Errorf("%s waited for drawing: %d %s", target, rec.Code, rec.Body)
		}
	}
	for _, target := range []string{"/static/map.png?width=321&height=200", "/tiles/basemap/2/3/1@2x.png"} {
		rec := get(t, s, target)
		wantProblem(t, rec, http.StatusServiceUnavailable, "")
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", target)
		}
	}
}

// TestDrawingSlotsBoundBuilds checks that builds hold a slot each: with every slot taken, a new
// drawing waits however much memory is free.
func TestDrawingSlotsBoundBuilds(t *testing.T) {
	s := newTestServer(t, Options{Atlas: loadAtlas(t), WorkWait: time.Millisecond, WorkSlots: 2})
	for range 2 {
		release, err := s.work.acquire(context.Background(), rasterWork(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(release)
	}
	wantProblem(t, get(t, s, "/tiles/basemap/2/3/1.png"), http.StatusServiceUnavailable, "")
	if rec := get(t, s, "/tiles/sites/2/3/1.mvt"); rec.Code != http.StatusOK {
		t.Errorf("a vector tile waited for a drawing slot: %d", rec.Code)
	}
}
