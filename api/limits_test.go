package api

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLimiterCannotBeFilled sends one request from each of 100,100 addresses, more than the
// limiter remembers, each spending its whole burst: a new client must still be let in, and the
// table must stay bounded.
func TestLimiterCannotBeFilled(t *testing.T) {
	l := newLimiter(1, 1)
	now := time.Unix(1_000_000, 0)
	for i := range maxClients + 100 {
		key := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if ok, _ := l.allow(key, now); !ok {
			t.Fatalf("client %d (%s) refused its first request", i, key)
		}
	}
	if ok, _ := l.allow("192.0.2.1", now); !ok {
		t.Error("a new client is refused after a flood of addresses")
	}
	if n := l.clients.Len(); n > maxClients {
		t.Errorf("the table holds %d clients, more than %d", n, maxClients)
	}
	// The clients still sending keep their state: the flood evicts the idlest, not them.
	small := newLimiterSize(1, 1, 10)
	small.allow("busy", now)
	for i := range 100 {
		small.allow(fmt.Sprint("flood-", i), now)
		if ok, _ := small.allow("busy", now); ok {
			t.Fatal("the busy client was forgotten by a flood of new ones, and got a fresh burst")
		}
	}
}

// TestTooManyRequestsCloses checks that a 429 closes its connection, over a real one.
func TestTooManyRequestsCloses(t *testing.T) {
	hs := httptest.NewServer(newTestServer(t, Options{RateLimit: 1, RateBurst: 1}))
	defer hs.Close()
	for i, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
		res, err := hs.Client().Get(hs.URL + "/conformance")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, res.StatusCode, want)
		}
		if closed := res.Close; closed != (want == http.StatusTooManyRequests) {
			t.Errorf("request %d (%d): connection closed %v", i, res.StatusCode, closed)
		}
	}
}

// TestMetricsLimited checks that /metrics is not exempt from the rate limit, and that HideMetrics
// takes it off the public routes.
func TestMetricsLimited(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: 1, RateBurst: 2})
	codes := []int{}
	for range 3 {
		codes = append(codes, get(t, s, "/metrics").Code)
	}
	if codes[2] != http.StatusTooManyRequests {
		t.Errorf("/metrics three times at once with a burst of 2: %v", codes)
	}
	hidden := newTestServer(t, Options{HideMetrics: true})
	if rec := get(t, hidden, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("/metrics with HideMetrics: %d", rec.Code)
	}
	rec := httptest.NewRecorder()
	hidden.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "dcatlas_http_requests_total") {
		t.Errorf("MetricsHandler: %d", rec.Code)
	}
}
