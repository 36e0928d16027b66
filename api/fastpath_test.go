package api

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestFastPathKeepsAnswersRight checks that answering repeated requests from the raw-request cache
// gives exactly what the handlers give: per host, per day, per Accept at /, with every header.
func TestFastPathKeepsAnswersRight(t *testing.T) {
	now := testNow
	s := newTestServer(t, Options{Now: func() time.Time { return now }})

	first := get(t, s, "/collections/sites/items?limit=1")
	again := get(t, s, "/collections/sites/items?limit=1")
	if first.Body.String() != again.Body.String() || first.Header().Get("ETag") != again.Header().Get("ETag") {
		t.Error("a repeated request got another answer")
	}
	hits, _, _, _ := s.cache.stats()
	if hits == 0 {
		t.Error("the repeated request was not a cache hit")
	}

	// Links follow the Host when no base URL is set.
	req := httptest.NewRequest(http.MethodGet, "http://other.example/collections/sites/items?limit=1", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	other := rec.Body.String()
	if !strings.Contains(other, "http://other.example/collections") || strings.Contains(other, "http://example.com/") {
		t.Errorf("links for another host: %.300s", other)
	}

	// The default date is today: a new day gives a new answer.
	var before, after collectionJSON
	decode(t, get(t, s, "/collections/sites/items?q=paris"), &before)
	now = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	decode(t, get(t, s, "/collections/sites/items?q=paris"), &after)
	if before.Features[0].Properties["at"] != "2026-11-23" || after.Features[0].Properties["at"] != "2027-01-01" {
		t.Errorf("at before %v, after %v", before.Features[0].Properties["at"], after.Features[0].Properties["at"])
	}
	now = testNow

	// / answers by Accept, whatever came first.
	for i := 0; i < 2; i++ {
		if ct := get(t, s, "/", "Accept", "text/html").Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("HTML asked, got %s", ct)
		}
		if ct := get(t, s, "/", "Accept", mediaJSON).Header().Get("Content-Type"); ct != mediaJSON {
			t.Errorf("JSON asked, got %s", ct)
		}
	}

	// Headers that belong to the answer survive a hit.
	for i := 0; i < 2; i++ {
		rec := get(t, s, "/embed")
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
			t.Errorf("request %d to /embed: CSP %q", i, csp)
		}
		dl := get(t, s, "/collections/sites/items?download=1&at=2018-09-01")
		if dl.Header().Get("Content-Disposition") == "" {
			t.Errorf("request %d: download lost its Content-Disposition", i)
		}
	}
}

// TestConcurrentMissesBuildOnce checks that simultaneous requests for one uncached answer build it once.
func TestConcurrentMissesBuildOnce(t *testing.T) {
	s := newTestServer(t, Options{})
	var builds atomic.Int32
	release := make(chan struct{})
	s.get("/slow", func(c echo.Context) error {
		return s.send(c, "slow", func() (*response, error) {
			builds.Add(1)
			<-release
			return newResponse(mediaJSON, []byte("{}\n")), nil
		})
	})
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = get(t, s, "/slow").Code
		}()
	}
	// Release the build only once every request has missed the cache.
	for {
		if _, misses, _, _ := s.cache.stats(); misses >= uint64(len(codes)) {
			break
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("request %d: %d", i, code)
		}
	}
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times, want 1", n)
	}
}

// TestMidnightKeepsTheDay checks that an answer built for one day is never kept under the next
// day's key when the clock passes midnight during the request.
func TestMidnightKeepsTheDay(t *testing.T) {
	var calls atomic.Int32
	before := time.Date(2026, 11, 23, 23, 59, 59, 0, time.UTC)
	after := before.Add(2 * time.Second)
	s := newTestServer(t, Options{Now: func() time.Time {
		if calls.Add(1) <= 2 { // the request's own first reads of the clock
			return before
		}
		return after
	}})
	calls.Store(0) // count from the first request on
	var first, second collectionJSON
	decode(t, get(t, s, "/collections/sites/items?q=paris"), &first)
	decode(t, get(t, s, "/collections/sites/items?q=paris"), &second)
	if got := first.Features[0].Properties["at"]; got != "2026-11-23" {
		t.Fatalf("first answer at %v", got)
	}
	if got := second.Features[0].Properties["at"]; got != "2026-11-24" {
		t.Errorf("after midnight the answer is still for %v", got)
	}
}
