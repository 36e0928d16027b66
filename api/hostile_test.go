package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// hostileValues are values thrown at every path and query parameter.
func hostileValues() []string {
	return []string{
		"", "-1", "-0", "0", "NaN", "Inf", "-Inf", "1e309", "99999999999999999999999999",
		"9223372036854775808", "0x10", "1.5", " 1", "%00", "\x00", "%ff%fe", "../../etc/passwd",
		"..%2f..%2fgo.mod", "<script>alert(1)</script>", "'; DROP TABLE sites; --",
		strings.Repeat("9", 10000), strings.Repeat("a,", 5000), "😀", "1,2,3,4,5,6,7,8",
	}
}

// TestHostileRequests sends hostile values in every path parameter and query parameter of every
// route: each answer must be a success or a 4xx, never a 5xx.
func TestHostileRequests(t *testing.T) {
	s := newTestServer(t, Options{})
	var targets []string
	for _, r := range s.echo.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		params := queryParamsOf(s)
		for _, v := range hostileValues() {
			esc := escapeLoose(v)
			path := fillParams(r.Path, esc)
			targets = append(targets, path)
			for _, p := range params {
				targets = append(targets, fillParams(r.Path, "0")+"?"+p+"="+esc)
			}
		}
		base := fillParams(r.Path, "0")
		targets = append(targets,
			base+"?at=2020-01-01&at=2021-01-01",
			base+"?"+strings.Repeat("x", 10000)+"=1",
			base+"?bbox=0,0,1,1&bbox=0,0,2,2",
			base+"?%zz=1",
			base+"?q=%ff",
		)
	}
	targets = append(targets,
		"/web/../go.mod", "/web/%2e%2e/go.mod", "/web/..%2fgo.mod", "/web/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/tiles/basemap/-1/0/0.png", "/tiles/basemap/0/0/0@3x.png", "/tiles/basemap/99/0/0.png",
		"/tiles/sites/30/1073741823/1073741823.mvt", "/tiles/sites/0/-0/0.mvt", "/tiles/../../go.mod",
		"/static/map.png?width=100000&height=100000", "/static/map.png?scale=1000", "/static/map.svg?zoom=-3&center=0,0",
		"/collections/sites/items/"+strings.Repeat("a", 10000), "/%ff%fe", "/collections/%00",
	)
	if testing.Short() {
		targets = targets[:len(targets)/4]
	}
	seen := map[string]bool{}
	for _, target := range targets {
		if seen[target] {
			continue
		}
		seen[target] = true
		req, err := http.NewRequest(http.MethodGet, "http://example.com"+target, nil)
		if err != nil {
			continue // not even a valid request line; the HTTP server rejects it before us
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("GET %.200s: %d %.300s", target, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != mediaProblem {
			t.Errorf("GET %.200s: %d with Content-Type %q, want problem+json", target, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	for _, m := range []string{"PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND", "X-UNKNOWN"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(m, "/collections/sites/items", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", m, rec.Code)
		}
	}
	t.Logf("%d hostile requests", len(seen))
}

// queryParamsOf lists every query parameter name the server knows.
func queryParamsOf(s *Server) []string {
	var out []string
	for name := range s.paramDocs() {
		out = append(out, name)
	}
	return append(out, paramWidth, paramHeight, paramScale, paramZoom, paramCenter, paramLegend, paramLabels, paramTitle)
}

// fillParams replaces every :param in an Echo route path with v.
func fillParams(path, v string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || p == "*" {
			parts[i] = v
		}
	}
	return strings.Join(parts, "/")
}

// escapeLoose escapes a value for a URL but keeps existing %-escapes, so hostile escapes get through.
func escapeLoose(v string) string {
	r := strings.NewReplacer(" ", "%20", "#", "%23", "?", "%3F", "&", "%26", "\x00", "%00", "<", "%3C", ">", "%3E", "'", "%27", "\"", "%22")
	return r.Replace(v)
}
