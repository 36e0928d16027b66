package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
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
	arrived := make(chan struct{})
	s.get("/slow", func(c echo.Context) error {
		arrived <- struct{}{}
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
	// Release the build only once every request has reached the handler, with the build held: none
	// can have found the answer cached, so all of them miss (a late one would hit, built once too).
	for range codes {
		<-arrived
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

// TestMidnightKeepsTheDay checks that an answer built for one day is never served under the next
// day's key when the clock passes midnight, between two requests or during one. The clock is the
// test's: it moves when the test says, however often the server reads it.
func TestMidnightKeepsTheDay(t *testing.T) {
	before := time.Date(2026, 11, 23, 23, 59, 59, 0, time.UTC)
	after := before.Add(2 * time.Second)
	at := func(t *testing.T, s *Server) string {
		t.Helper()
		var doc collectionJSON
		decode(t, get(t, s, "/collections/sites/items?q=paris"), &doc)
		return fmt.Sprint(doc.Features[0].Properties["at"])
	}
	t.Run("between requests", func(t *testing.T) {
		var now atomic.Pointer[time.Time]
		now.Store(&before)
		s := newTestServer(t, Options{Now: func() time.Time { return *now.Load() }})
		if got := at(t, s); got != "2026-11-23" {
			t.Fatalf("before midnight the answer is for %v", got)
		}
		now.Store(&after)
		if got := at(t, s); got != "2026-11-24" {
			t.Errorf("after midnight the answer is still for %v", got)
		}
	})
	t.Run("during a request", func(t *testing.T) {
		var now atomic.Pointer[time.Time]
		now.Store(&before)
		s := newTestServer(t, Options{Now: func() time.Time { return *now.Load() }})
		// Midnight passes once the cache has read the request's raw key, before the handler runs.
		s.echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				now.Store(&after)
				return next(c)
			}
		})
		if got := at(t, s); got != "2026-11-24" {
			t.Fatalf("an answer built after midnight is for %v", got)
		}
		if got := at(t, s); got != "2026-11-24" {
			t.Errorf("the next request is answered for %v", got)
		}
	})
}

// TestSeenAnswersAsEcho checks that a request answered at the front door, from its raw key,
// gets exactly what it would get through Echo's router and the route's handler: status, every
// header and the body, the same metrics and the same log line.
func TestSeenAnswersAsEcho(t *testing.T) {
	type request struct {
		method, target string
		header         []string
		remote         string // RemoteAddr, when not httptest's
	}
	newRequest := func(r request) *http.Request {
		req := httptest.NewRequest(r.method, r.target, nil)
		for i := 0; i+1 < len(r.header); i += 2 {
			req.Header.Set(r.header[i], r.header[i+1])
		}
		if r.remote != "" {
			req.RemoteAddr = r.remote
		}
		return req
	}
	items := "/collections/:collection/items"
	cases := []struct {
		name  string
		req   request
		route string // the pattern of the route that answers
		opts  Options
	}{
		{name: "timeline", req: request{method: http.MethodGet, target: "/timeline"}, route: "/timeline"},
		{name: "gzip", req: request{method: http.MethodGet, target: "/timeline", header: []string{"Accept-Encoding", "gzip"}}, route: "/timeline"},
		{name: "HEAD", req: request{method: http.MethodHead, target: "/collections/sites/items?limit=1"}, route: items},
		{name: "download", req: request{method: http.MethodGet, target: "/collections/sites/items?download=1&at=2018-09-01"}, route: items},
		{name: "tile", req: request{method: http.MethodGet, target: "/tiles/sites/0/0/0.mvt"}, route: "/tiles/:layer/:z/:x/:yfmt"},
		{name: "embed", req: request{method: http.MethodGet, target: "/embed"}, route: "/embed"},
		{name: "proxied https", req: request{method: http.MethodGet, target: "/collections?f=json",
			header: []string{"X-Forwarded-Proto", "https"}, remote: "10.0.0.7:4000"}, route: "/collections"},
		{name: "rate limited", req: request{method: http.MethodGet, target: "/timeline"}, route: "/timeline",
			opts: Options{RateLimit: 0.001, RateBurst: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lines bytes.Buffer
			tc.opts.RequestLog = &lines
			tc.opts.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
			s := newTestServer(t, tc.opts)
			throughEcho := countThroughEcho(s)
			warm := httptest.NewRecorder()
			s.ServeHTTP(warm, newRequest(request{method: http.MethodGet, target: tc.req.target, header: tc.req.header, remote: tc.req.remote}))
			if warm.Code != http.StatusOK {
				t.Fatalf("first request: %d %s", warm.Code, warm.Body)
			}
			var answers [2]*httptest.ResponseRecorder
			for i, serve := range []http.Handler{s.echo, s} {
				answers[i] = httptest.NewRecorder()
				serve.ServeHTTP(answers[i], newRequest(tc.req))
			}
			if *throughEcho != 2 {
				t.Fatalf("%d requests went through Echo, want 2: the third was not answered at the front door", *throughEcho)
			}
			echoed, seen := answers[0], answers[1]
			if seen.Code != echoed.Code || seen.Body.String() != echoed.Body.String() {
				t.Errorf("at the front door %d %.200q, through Echo %d %.200q", seen.Code, seen.Body, echoed.Code, echoed.Body)
			}
			if !reflect.DeepEqual(seen.Header(), echoed.Header()) {
				t.Errorf("headers at the front door:\n%v\nthrough Echo:\n%v", seen.Header(), echoed.Header())
			}
			if tc.opts.RateLimit > 0 && seen.Code != http.StatusTooManyRequests {
				t.Errorf("over the rate: %d", seen.Code)
			}
			logged := strings.Split(strings.TrimSpace(lines.String()), "\n")
			if len(logged) != 3 {
				t.Fatalf("%d log lines, want 3: %q", len(logged), logged)
			}
			if a, b := withoutTimes(t, logged[1]), withoutTimes(t, logged[2]); a != b {
				t.Errorf("log line at the front door:\n%s\nthrough Echo:\n%s", b, a)
			}
			// Both counted on the route, as the first request was.
			metrics := get(t, s.MetricsHandler(), "/metrics").Body.String() // not rate limited
			want := fmt.Sprintf(`dcatlas_http_requests_total{code="%d",method="%s",route="%s"} 2`, seen.Code, tc.req.method, tc.route)
			if tc.req.method == http.MethodGet && seen.Code == http.StatusOK {
				want = fmt.Sprintf(`dcatlas_http_requests_total{code="200",method="GET",route="%s"} 3`, tc.route)
			}
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %s:\n%s", want, grepLines(metrics, "dcatlas_http_requests_total"))
			}
		})
	}
}

// withoutTimes is a request log line without its time and elapsed fields, which differ between
// any two requests.
func withoutTimes(t *testing.T, line string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("log line %q: %v", line, err)
	}
	delete(m, "time")
	delete(m, "duration_us")
	b, _ := json.Marshal(m)
	return string(b)
}

// grepLines are the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestEveryRouteSeenAsEcho checks, for every GET route of the server, that a request answered at
// the front door gets what Echo gives it: status, every header and the body, across header sets,
// methods and server options. A route added without a sample here fails the test.
func TestEveryRouteSeenAsEcho(t *testing.T) {
	samples := map[string][]string{
		"/":                                   {"/"},
		"/changes":                            {"/changes", "/changes?since=2020-01-01"},
		"/changes.atom":                       {"/changes.atom"},
		"/conformance":                        {"/conformance"},
		"/api":                                {"/api"},
		"/api.html":                           {"/api.html"},
		"/collections":                        {"/collections", "/collections?f=json"},
		"/collections/:collection":            {"/collections/sites"},
		"/collections/:collection/queryables": {"/collections/sites/queryables"},
		"/collections/:collection/schema":     {"/collections/sites/schema"},
		"/collections/:collection/items":      {"/collections/sites/items?limit=2", "/collections/sites/items?limit=2&f=csv", "/collections/sites/items?download=1"},
		"/collections/:collection/items/:id":  {"/collections/sites/items/alibaba-eu-west-2?at=2020-01-01"},
		"/history.json":                       {"/history.json"},
		"/providers":                          {"/providers"},
		"/tiles/:layer":                       {"/tiles/sites", "/tiles/basemap"},
		"/tiles/:layer/:z/:x/:yfmt":           {"/tiles/sites/0/0/0.mvt", "/tiles/basemap/1/1/0.png"},
		"/timeline":                           {"/timeline", "/timeline?interval=year"},
		"/static/timeline.png":                {"/static/timeline.png"},
		"/static/timeline.svg":                {"/static/timeline.svg"},
		"/static/map.png":                     {"/static/map.png?width=300&height=200"},
		"/static/map.svg":                     {"/static/map.svg?width=300&height=200"},
		"/map":                                {"/map", "/map?at=2020-01-01"},
		"/embed":                              {"/embed", "/embed?controls=play"},
		"/web/*":                              {"/web/app.js", "/web/@" + assetVersion() + "/app.js", "/web/@old/app.js"},
		"/metrics":                            nil, "/healthz": nil, "/readyz": nil, // never cached: each answer is new
	}
	headers := []struct {
		name   string
		header []string
		remote string
	}{
		{name: "plain"},
		{name: "gzip", header: []string{"Accept-Encoding", "gzip"}},
		{name: "gzip refused", header: []string{"Accept-Encoding", "gzip;q=0"}},
		{name: "html", header: []string{"Accept", "text/html"}},
		{name: "origin", header: []string{"Origin", "https://elsewhere.example"}},
		{name: "proxied https", header: []string{"X-Forwarded-Proto", "https"}, remote: "10.0.0.1:1"},
		{name: "https from anyone", header: []string{"X-Forwarded-Proto", "https"}, remote: "203.0.113.1:1"},
		{name: "revalidation", header: []string{"If-None-Match", "ETAG"}},
		{name: "any ETag", header: []string{"If-None-Match", "*"}},
		{name: "range", header: []string{"Range", "bytes=0-10"}},
	}
	atlas := loadAtlas(t)
	for _, opts := range []Options{{Atlas: atlas}, {Atlas: atlas, BaseURL: "https://atlas.example/x"}, {Atlas: atlas, RateLimit: 1e6, RateBurst: 1e6}} {
		s := newTestServer(t, opts)
		throughEcho := countThroughEcho(s)
		for _, r := range s.echo.Routes() {
			if r.Method != http.MethodGet {
				continue
			}
			urls, ok := samples[r.Path]
			if !ok {
				t.Errorf("route %s has no sample URL in this test", r.Path)
			}
			for _, u := range urls {
				for _, hd := range headers {
					newRequest := func(method, etag string) *http.Request {
						req := httptest.NewRequest(method, u, nil)
						for i := 0; i+1 < len(hd.header); i += 2 {
							req.Header.Set(hd.header[i], strings.Replace(hd.header[i+1], "ETAG", etag, 1))
						}
						if hd.remote != "" {
							req.RemoteAddr = hd.remote
						}
						return req
					}
					warm := httptest.NewRecorder()
					s.ServeHTTP(warm, newRequest(http.MethodGet, ""))
					etag := warm.Header().Get("ETag")
					for _, method := range []string{http.MethodGet, http.MethodHead} {
						echoed, seen := httptest.NewRecorder(), httptest.NewRecorder()
						s.echo.ServeHTTP(echoed, newRequest(method, etag))
						before := *throughEcho
						s.ServeHTTP(seen, newRequest(method, etag))
						if *throughEcho != before && warm.Code == http.StatusOK && r.Path != "/" {
							t.Errorf("%s %s (%s): not answered at the front door", method, u, hd.name)
						}
						if seen.Code != echoed.Code || !reflect.DeepEqual(seen.Header(), echoed.Header()) || seen.Body.String() != echoed.Body.String() {
							t.Errorf("%s %s (%s, base URL %q): at the front door %d %v\nthrough Echo %d %v",
								method, u, hd.name, opts.BaseURL, seen.Code, seen.Header(), echoed.Code, echoed.Header())
						}
					}
				}
			}
		}
	}
}

// countThroughEcho counts, from now on, the requests s answers through Echo rather than at the
// front door.
func countThroughEcho(s *Server) *int {
	n := new(int)
	s.echo.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			*n++
			return next(c)
		}
	})
	return n
}
