package api

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"dcatlas/data"
	"dcatlas/geo"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// testNow is the fixed "today" of the tests.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// newTestServer returns a Server on Alibaba Cloud's built-in data alone, with a fixed clock: the
// fixture whose figures the single-provider tests and golden files pin.
func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	return newServerOn(t, data.Subset(data.Embedded(), "alibaba-cloud.yaml"), opts)
}

// newFullServer returns a Server on every provider's built-in data, with a fixed clock.
func newFullServer(t testing.TB, opts Options) *Server {
	t.Helper()
	return newServerOn(t, data.Embedded(), opts)
}

// newServerOn returns a Server on the data files of fsys, with a fixed clock.
func newServerOn(t testing.TB, fsys fs.FS, opts Options) *Server {
	t.Helper()
	ds, err := data.Load(fsys, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	return New(ds, opts)
}

// get performs a request against s and returns the recorded response.
func get(t testing.TB, s http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// decode unmarshals a JSON response body into v.
func decode(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body.String(), err)
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var pretty bytes.Buffer
		if json.Indent(&pretty, got, "", "  ") == nil {
			got = append(pretty.Bytes(), '\n')
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api -update)", err)
	}
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil {
		t.Fatalf("%s: not JSON", name)
	}
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	if !bytes.Equal(ga, gb) {
		t.Errorf("%s differs from the golden file (run go test ./api -update and review the diff)", name)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := newTestServer(t, Options{})
	if rec := get(t, s, "/healthz"); rec.Code != http.StatusOK {
		t.Errorf("healthz: %d", rec.Code)
	}
	if rec := get(t, s, "/readyz"); rec.Code != http.StatusOK {
		t.Errorf("readyz: %d", rec.Code)
	}
	s.SetReady(false)
	rec := get(t, s, "/readyz")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != mediaProblem {
		t.Errorf("readyz while shutting down: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestCachingHeaders(t *testing.T) {
	s := newTestServer(t, Options{})
	target := "/collections/sites/items?at=2018-09-01"
	first := get(t, s, target)
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || len(etag) < 10 || etag[0] != '"' {
		t.Fatalf("first: %d, ETag %q", first.Code, etag)
	}
	if cc := first.Header().Get("Cache-Control"); cc != "public, max-age=3600, stale-while-revalidate=86400" {
		t.Errorf("Cache-Control %q", cc)
	}
	tests := []struct {
		name, inm string
		want      int
	}{
		{"matching", etag, http.StatusNotModified},
		{"weak matching", "W/" + etag, http.StatusNotModified},
		{"in a list", `"nope", ` + etag, http.StatusNotModified},
		{"star", "*", http.StatusNotModified},
		{"other", `"nope"`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, target, "If-None-Match", tt.inm)
			if rec.Code != tt.want {
				t.Errorf("got %d, want %d", rec.Code, tt.want)
			}
			if rec.Code == http.StatusNotModified && rec.Body.Len() != 0 {
				t.Error("304 with a body")
			}
			if got := rec.Header().Get("ETag"); got != etag {
				t.Errorf("ETag %q, want %q", got, etag)
			}
		})
	}
	// The ETag follows the body: an equivalent query written otherwise has other self links.
	other := get(t, s, "/collections/sites/items?at=2018-09-01&limit=100")
	if (other.Body.String() == first.Body.String()) != (other.Header().Get("ETag") == etag) {
		t.Errorf("ETag %q vs %q does not follow the body", other.Header().Get("ETag"), etag)
	}
	if got := get(t, s, "/collections/sites/items?at=2018-09-02").Header().Get("ETag"); got == etag {
		t.Error("different query, same ETag")
	}
	if cc := get(t, s, "/collections/sites/items").Header().Get("Cache-Control"); cc != "public, max-age=300, stale-while-revalidate=3600" {
		t.Errorf("today's Cache-Control %q", cc)
	}
}

func TestGzip(t *testing.T) {
	s := newTestServer(t, Options{})
	plain := get(t, s, "/collections/sites/items")
	zipped := get(t, s, "/collections/sites/items", "Accept-Encoding", "br, gzip;q=0.8")
	if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", zipped.Header())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
		t.Errorf("gunzipped body differs from the plain one (err %v)", err)
	}
	if zipped.Body.Len() >= plain.Body.Len() {
		t.Error("gzip did not shrink the body")
	}
	for _, refused := range []string{"gzip;q=0", "*, gzip;q=0", "gzip;q=0, *", "identity", "*;q=0"} {
		if rec := get(t, s, "/collections/sites/items", "Accept-Encoding", refused); rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("gzip sent for Accept-Encoding %q", refused)
		}
	}
	if rec := get(t, s, "/collections/sites/items", "Accept-Encoding", "*"); rec.Header().Get("Content-Encoding") != "gzip" {
		t.Error("gzip not sent for Accept-Encoding *")
	}
}

func TestMethodsAndCORS(t *testing.T) {
	s := newTestServer(t, Options{})
	req := httptest.NewRequest(http.MethodOptions, "/collections/sites/items", nil)
	req.Header.Set("Origin", "https://example.org")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" || rec.Header().Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	if got := get(t, s, "/collections/sites").Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("CORS on GET: %q", got)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, "PATCH", "BREW"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(m, "/collections/sites/items", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Content-Type") != mediaProblem || rec.Header().Get("Allow") == "" {
			t.Errorf("%s: %d %s", m, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	// HEAD of an uncached document answers without building it (see TestHeadDoesNotRender), so it
	// has no Content-Length until GET has built the document.
	get(t, s, "/collections/sites/items")
	head := httptest.NewRecorder()
	s.ServeHTTP(head, httptest.NewRequest(http.MethodHead, "/collections/sites/items", nil))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes", head.Code, head.Body.Len())
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t, Options{})
	h := get(t, s, "/collections").Header()
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestPanicBecomesProblem(t *testing.T) {
	s := newTestServer(t, Options{})
	s.get("/boom", func(c echo.Context) error { panic("secret internal detail") })
	rec := get(t, s, "/boom")
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != mediaProblem {
		t.Fatalf("got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if bytes.Contains(rec.Body.Bytes(), []byte("secret")) || bytes.Contains(rec.Body.Bytes(), []byte("goroutine")) {
		t.Errorf("the body leaks internals: %s", rec.Body)
	}
}

// wantProblem fails unless rec is a problem+json answer with the status, naming param (none when
// empty) with a detail, and, when it names one, the accepted form.
func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, param string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("got %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != mediaProblem {
		t.Fatalf("Content-Type %q", ct)
	}
	var p Problem
	decode(t, rec, &p)
	if p.Status != status || p.Parameter != param || p.Detail == "" || p.Title == "" {
		t.Errorf("problem %+v, want status %d naming %q", p, status, param)
	}
	if param != "" && p.Accepted == "" {
		t.Errorf("problem does not say what is accepted: %+v", p)
	}
}

// dayOf parses a test date.
func dayOf(t testing.TB, s string) geo.Day {
	t.Helper()
	d, err := geo.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSchemeAsEcho checks that the server tells a request's scheme as Echo's default extractor
// does, for every combination of peer and forwarding headers.
func TestSchemeAsEcho(t *testing.T) {
	echoScheme, ours := echo.ExtractSchemeFromHeaders(), schemeFromHeaders(echo.ExtractSchemeFromHeaders())
	headers := []http.Header{
		{},
		{"X-Forwarded-Proto": {"https"}},
		{"X-Forwarded-Proto": {"http, HTTPS"}},
		{"X-Forwarded-Proto": {""}},
		{"X-Forwarded-Protocol": {"wss"}},
		{"X-Forwarded-Ssl": {"on"}},
		{"X-Url-Scheme": {"https"}},
		{"X-Forwarded-Proto": {"gopher"}, "X-Url-Scheme": {"https"}},
	}
	peers := []string{"127.0.0.1:5000", "10.1.2.3:80", "203.0.113.9:443", "[::1]:1", "[2001:db8::1]:2", "@", "", "garbage"}
	for _, h := range headers {
		for _, peer := range peers {
			for _, secure := range []bool{false, true} {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header, req.RemoteAddr, req.TLS = h, peer, nil
				if secure {
					req.TLS = &tls.ConnectionState{}
				}
				if got, want := ours(req), echoScheme(req); got != want {
					t.Errorf("%v from %q, TLS %v: %q, Echo says %q", h, peer, secure, got, want)
				}
			}
		}
	}
}

// TestDayAt checks the day a request's cache key is read under: the day it started, from the
// clock it was timed with, unless the server was given a clock of its own.
func TestDayAt(t *testing.T) {
	ds := newTestServer(t, Options{}).ds
	start := time.Date(2026, 12, 4, 23, 59, 59, 0, time.FixedZone("east", 3600)) // 22:59:59 UTC
	if got, want := New(ds, Options{}).dayAt(start), geo.DayOf(2026, 12, 4); got != want {
		t.Errorf("real clock: day %v, want %v", got, want)
	}
	fixed := func() time.Time { return time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC) }
	if got, want := New(ds, Options{Now: fixed}).dayAt(start), geo.DayOf(2019, 3, 1); got != want {
		t.Errorf("given clock: day %v, want %v", got, want)
	}
}
