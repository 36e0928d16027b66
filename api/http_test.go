package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func head(t *testing.T, s http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, target, nil))
	return rec
}

func TestHeadHealth(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, p := range []string{"/healthz", "/readyz"} {
		if rec := head(t, s, p); rec.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d", p, rec.Code)
		}
	}
}

// TestHeadDoesNotRender asks HEAD for images, tiles and documents never built: the answer says
// what GET would send, without building it (nothing is cached, no build is timed, no work slot is
// taken); once GET has built it, HEAD gives GET's headers.
func TestHeadDoesNotRender(t *testing.T) {
	s := newTestServer(t, Options{Atlas: loadAtlas(t)})
	paths := []struct{ path, mediaType string }{
		{"/static/map.png?width=512&height=512&scale=2&title=head", "image/png"},
		{"/static/map.png?width=300&height=200&title=head&download=1", "image/png"},
		{"/static/timeline.svg?title=head", "image/svg+xml"},
		{"/tiles/basemap/3/4/2@2x.png", "image/png"},
		{"/tiles/basemap/3/4/2.mvt", mediaMVT},
		{"/tiles/sites/1/1/0.mvt?at=2018-09-01", mediaMVT},
		{"/collections/sites/items?q=hang&limit=3", mediaGeoJSON},
		{"/collections/sites/items?f=csv&download=1&at=2019-01-01", mediaCSV},
		{"/timeline?country=CN", mediaJSON},
		{"/timeline?by=provider&until=2020-01-01", mediaJSON},
		{"/changes?from=2019-01-01&to=2019-12-31", mediaGeoJSON},
		{"/changes?from=2019-01-01&to=2019-12-31&f=csv&download=1", mediaCSV},
		{"/changes.atom?country=CN", mediaAtom},
		{"/providers?at=2020-01-01", mediaJSON},
	}
	for _, tc := range paths {
		_, _, entries, _ := s.cache.stats()
		rec := head(t, s, tc.path)
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.mediaType) {
			t.Errorf("HEAD %s: %d, type %q, %d body bytes", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
		if _, _, after, _ := s.cache.stats(); after != entries {
			t.Errorf("HEAD %s built an answer: cache entries %d → %d", tc.path, entries, after)
		}
		uncached := rec.Header()
		got := get(t, s, tc.path)
		if got.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", tc.path, got.Code)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Content-Disposition", "Content-Security-Policy", "Vary"} {
			if uncached.Get(h) != got.Header().Get(h) {
				t.Errorf("HEAD %s before GET: %s %q, GET gave %q", tc.path, h, uncached.Get(h), got.Header().Get(h))
			}
		}
		rec = head(t, s, tc.path)
		for _, h := range []string{"Content-Type", "Content-Length", "Etag", "Cache-Control"} {
			if rec.Header().Get(h) != got.Header().Get(h) {
				t.Errorf("HEAD %s after GET: %s %q, GET gave %q", tc.path, h, rec.Header().Get(h), got.Header().Get(h))
			}
		}
	}
	if n := countBuilds(t, s); n != len(paths) {
		t.Errorf("%d answers built, want %d (one per GET)", n, len(paths))
	}
	if rec := head(t, s, "/static/map.png?width=99999"); rec.Code != http.StatusBadRequest {
		t.Errorf("HEAD with a bad parameter: %d", rec.Code)
	}
}

// countBuilds is the number of cache misses built, from the render histogram on /metrics.
func countBuilds(t *testing.T, s *Server) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(get(t, s, "/metrics").Body.String(), "\n") {
		if strings.HasPrefix(line, "dcatlas_render_duration_seconds_count") {
			var c int
			if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &c); err == nil {
				n += c
			}
		}
	}
	return n
}

// TestContentLengthAndTransferEncoding sends a request with both headers, whose Content-Length
// would cover a second request: the server must answer 400 once and close the connection, never
// answer the second request.
func TestContentLengthAndTransferEncoding(t *testing.T) {
	hs := httptest.NewServer(newTestServer(t, Options{}))
	defer hs.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	smuggled := "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	io.WriteString(c, "GET /conformance HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smuggled)
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !res.Close {
		t.Errorf("both headers: %s, close %v", res.Status, res.Close)
	}
	if res, err := http.ReadResponse(br, nil); err == nil {
		t.Errorf("the smuggled request was answered: %s", res.Status)
	}
}

// TestGzipNotBestCompression checks that cached bodies are compressed at a balanced level: the
// gzip header's XFL byte is 2 only for the slowest level.
func TestGzipNotBestCompression(t *testing.T) {
	body := bytes.Repeat([]byte(`{"type":"Feature","properties":{"name":"x"}}`), 100)
	r := newResponse(mediaJSON, body)
	if r.gzipped == nil {
		t.Fatal("not compressed")
	}
	if xfl := r.gzipped[8]; xfl == 2 {
		t.Error("compressed at gzip.BestCompression")
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.gzipped))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, body) {
		t.Errorf("the compressed body does not decode to the body: %v", err)
	}
}

// TestHeadWhereverGet checks that every route answering GET also answers HEAD.
func TestHeadWhereverGet(t *testing.T) {
	s := newTestServer(t, Options{Atlas: loadAtlas(t)})
	methods := map[string]map[string]bool{}
	for _, r := range s.echo.Routes() {
		if methods[r.Path] == nil {
			methods[r.Path] = map[string]bool{}
		}
		methods[r.Path][r.Method] = true
	}
	for path, m := range methods {
		if m[http.MethodGet] && !m[http.MethodHead] {
			t.Errorf("%s answers GET but not HEAD", path)
		}
	}
}
