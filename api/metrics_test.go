package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	s := newTestServer(t, Options{})
	get(t, s, "/collections/sites/items?at=2018-09-01")
	get(t, s, "/collections/sites/items?at=2018-09-01")
	get(t, s, "/collections/sites/items?bbox=1")
	get(t, s, "/nowhere")
	rec := get(t, s, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`dcatlas_http_requests_total{code="200",method="GET",route="/collections/:collection/items"} 2`,
		`dcatlas_http_requests_total{code="400",method="GET",route="/collections/:collection/items"} 1`,
		`dcatlas_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`dcatlas_http_request_duration_seconds_bucket{route="/collections/:collection/items",le="+Inf"} 3`,
		`dcatlas_render_duration_seconds_count{layer="",route="/collections/:collection/items"} 1`,
		"dcatlas_cache_hits_total 1",
		"dcatlas_cache_misses_total 1",
		`dcatlas_dataset_info{version="` + s.ds.Version + `"} 1`,
		"dcatlas_dataset_sites 37",
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := newTestServer(t, Options{RateLimit: 1, RateBurst: 3})
	call := func(addr string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/collections", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 3; i++ {
		if rec := call("192.0.2.1:1234"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, rec.Code)
		}
	}
	rec := call("192.0.2.1:5678")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || rec.Header().Get("Content-Type") != mediaProblem {
		t.Errorf("over the limit: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := call("192.0.2.2:1234"); rec.Code != http.StatusOK {
		t.Errorf("another client is limited too: %d", rec.Code)
	}
	if rec := get(t, s, "/healthz"); rec.Code != http.StatusOK {
		t.Errorf("health check limited: %d", rec.Code)
	}
}

func TestLimiterRefills(t *testing.T) {
	l := newLimiter(10, 1)
	now := time.Unix(1_000_000, 0)
	if ok, _ := l.allow("a", now); !ok {
		t.Fatal("first request refused")
	}
	ok, wait := l.allow("a", now)
	if ok || wait <= 0 || wait > 100*time.Millisecond {
		t.Fatalf("second request at once: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.allow("a", now.Add(100*time.Millisecond)); !ok {
		t.Error("refused after the refill time")
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:1234":             "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:80":  "2001:db8:1:2::/64",
		"not an address":             "not an address",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMethodLabelIsBounded(t *testing.T) {
	s := newTestServer(t, Options{})
	for i := 0; i < 20; i++ {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(fmt.Sprintf("M%04d", i), "/collections", nil))
	}
	body := get(t, s, "/metrics").Body.String()
	if strings.Contains(body, `method="M0001"`) || !strings.Contains(body, `method="other"`) {
		t.Error("unknown methods are not folded into one label")
	}
}
