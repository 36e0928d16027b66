package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dcatlas/web"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

// cspDirectives splits a Content-Security-Policy header into its directives.
func cspDirectives(h string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(h, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = value
		}
	}
	return out
}

func TestViewerContentNegotiation(t *testing.T) {
	s := newTestServer(t, Options{})
	tests := []struct {
		name, target, accept string
		wantHTML             bool
	}{
		{"browser", "/", browserAccept, true},
		{"html only", "/", "text/html", true},
		{"browser with a state", "/?at=2018-09-01&country=CN", browserAccept, true},
		{"json", "/", "application/json", false},
		{"no accept", "/", "", false},
		{"anything", "/", "*/*", false},
		{"browser asking f=json", "/?f=json", browserAccept, false},
		{"map page", "/map", "application/json", true},
		{"embed page", "/embed", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.target, "Accept", tt.accept)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			ct := rec.Header().Get("Content-Type")
			if tt.wantHTML {
				if ct != mediaHTML || !strings.Contains(rec.Body.String(), `<script type="module"`) {
					t.Errorf("Content-Type %q; want the viewer page", ct)
				}
				csp := cspDirectives(rec.Header().Get("Content-Security-Policy"))
				for k, want := range map[string]string{"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "connect-src": "'self'", "img-src": "'self' data:"} {
					if csp[k] != want {
						t.Errorf("CSP %s = %q, want %q", k, csp[k], want)
					}
				}
			} else {
				var doc struct {
					Title string `json:"title"`
				}
				decode(t, rec, &doc)
				if ct != mediaJSON || doc.Title != "dcatlas" {
					t.Errorf("Content-Type %q, title %q; want the landing page JSON", ct, doc.Title)
				}
			}
		})
	}
	// The same URL has two representations, so caches must key on Accept.
	if vary := strings.Join(get(t, s, "/", "Accept", browserAccept).Header().Values("Vary"), ","); !strings.Contains(vary, "Accept") || !strings.Contains(vary, "Accept-Encoding") {
		t.Errorf("Vary on / (HTML) = %q, want Accept and Accept-Encoding", vary)
	}
}

func TestViewerFraming(t *testing.T) {
	s := newTestServer(t, Options{})
	tests := []struct {
		target, wantXFO, wantAncestors string
	}{
		{"/", "DENY", "'none'"},
		{"/map", "DENY", "'none'"},
		{"/map?at=2018-09-01", "DENY", "'none'"},
		{"/embed", "", "*"},
		{"/embed?at=2018-09-01&status=active", "", "*"},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.target, "Accept", browserAccept)
		if got := rec.Header().Get("X-Frame-Options"); got != tt.wantXFO {
			t.Errorf("%s: X-Frame-Options %q, want %q", tt.target, got, tt.wantXFO)
		}
		if got := cspDirectives(rec.Header().Get("Content-Security-Policy"))["frame-ancestors"]; got != tt.wantAncestors {
			t.Errorf("%s: frame-ancestors %q, want %q", tt.target, got, tt.wantAncestors)
		}
	}
}

var (
	attrRefs     = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	scriptTag    = regexp.MustCompile(`<script\b[^>]*>`)
	inlineStyle  = regexp.MustCompile(`(?i)\sstyle=|<style\b`)
	inlineEvent  = regexp.MustCompile(`(?i)\son[a-z]+=`)
	javascriptJS = regexp.MustCompile(`(?i)javascript:`)
)

// TestViewerPageIsStrict checks what the CSP would block: no inline scripts, styles or handlers,
// and every script, style and icon from this server's /web/.
func TestViewerPageIsStrict(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, target := range []string{"/map", "/embed"} {
		page := get(t, s, target).Body.String()
		for _, tag := range scriptTag.FindAllString(page, -1) {
			if !strings.Contains(tag, ` src="`) {
				t.Errorf("%s: inline script %s", target, tag)
			}
		}
		if m := inlineStyle.FindString(page); m != "" {
			t.Errorf("%s: inline style %q", target, m)
		}
		if m := inlineEvent.FindString(page); m != "" {
			t.Errorf("%s: inline event handler %q", target, m)
		}
		if javascriptJS.MatchString(page) {
			t.Errorf("%s: a javascript: URL", target)
		}
		for _, m := range attrRefs.FindAllStringSubmatch(page, -1) {
			ref := strings.ReplaceAll(m[1], "&amp;", "&")
			if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "#") {
				continue // a link the reader may follow, not a resource the page loads
			}
			if !strings.HasPrefix(ref, "/") {
				t.Errorf("%s: relative reference %q", target, ref)
				continue
			}
			rec := get(t, s, ref)
			if rec.Code != http.StatusOK {
				t.Errorf("%s refers to %s: %d", target, ref, rec.Code)
			}
		}
	}
}

func TestViewerBasemapConfig(t *testing.T) {
	t.Run("built in", func(t *testing.T) {
		s := newTestServer(t, Options{})
		page := get(t, s, "/map").Body.String()
		for _, want := range []string{`data-basemap-tiles="/tiles/basemap/{z}/{x}/{y}{r}.png"`, `data-basemap-attribution="Natural Earth"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
	})
	t.Run("external", func(t *testing.T) {
		s := newTestServer(t, Options{BasemapURL: "https://{s}.tile.example.org/{z}/{x}/{y}{r}.png?key=a&style=b", BasemapAttribution: `© Example <Maps>`})
		rec := get(t, s, "/map")
		page := rec.Body.String()
		for _, want := range []string{`data-basemap-tiles="https://{s}.tile.example.org/{z}/{x}/{y}{r}.png?key=a&amp;style=b"`, `data-basemap-attribution="© Example &lt;Maps&gt;"`, `data-basemap-max-zoom="18"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if got := cspDirectives(rec.Header().Get("Content-Security-Policy"))["img-src"]; got != "'self' data: https://*.tile.example.org" {
			t.Errorf("img-src = %q", got)
		}
	})
	t.Run("behind a proxy", func(t *testing.T) {
		s := newTestServer(t, Options{BaseURL: "https://maps.example.org/dcatlas/"})
		page := get(t, s, "/map").Body.String()
		for _, want := range []string{`data-root="/dcatlas"`, `src="/dcatlas/web/@` + assetVersion() + `/app.js"`, `data-basemap-tiles="/dcatlas/tiles/basemap/`} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
	})
}

func TestValidateBasemapURL(t *testing.T) {
	tests := []struct {
		url, source string // source empty: invalid
	}{
		{"https://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}{r}.png", "https://*.tile.example.org"},
		{"http://localhost:8081/tiles/{z}/{x}/{y}.png", "http://localhost:8081"},
		{"https://tile.example.org/{z}/{y}/{x}.jpg?key=abc", "https://tile.example.org"},
		{"ftp://tile.example.org/{z}/{x}/{y}.png", ""},
		{"//tile.example.org/{z}/{x}/{y}.png", ""},
		{"/tiles/{z}/{x}/{y}.png", ""},
		{"https://tile.example.org/{z}/{x}.png", ""},
		{"https://tile.{s}.example.org/{z}/{x}/{y}.png", ""},
		{"https://tile.example.org;script-src */{z}/{x}/{y}.png", ""},
		{"https://tile.example.org/{z}/{x}/{y}.png; script-src *", ""},
		{"https://'unsafe-inline'/{z}/{x}/{y}.png", ""},
		{"https://user@tile.example.org/{z}/{x}/{y}.png", ""},
		{"", ""},
	}
	for _, tt := range tests {
		src, err := basemapSource(tt.url)
		if tt.source == "" {
			if !errors.Is(err, ErrBasemapURL) {
				t.Errorf("%q: got %q, %v; want ErrBasemapURL", tt.url, src, err)
			}
			continue
		}
		if err != nil || src != tt.source {
			t.Errorf("%q: got %q, %v; want %q", tt.url, src, err, tt.source)
		}
		if err := ValidateBasemapURL(tt.url); err != nil {
			t.Errorf("ValidateBasemapURL(%q): %v", tt.url, err)
		}
	}
}

func TestAssetCaching(t *testing.T) {
	s := newTestServer(t, Options{})
	versioned := "/web/@" + assetVersion() + "/app.js"
	tests := []struct {
		target, contentType, cacheControl string
	}{
		{"/web/app.js", "text/javascript; charset=utf-8", assetCacheControl},
		{versioned, "text/javascript; charset=utf-8", versionedCacheControl},
		{"/web/@0123456789ab/app.js", "text/javascript; charset=utf-8", pageCacheControl},
		{"/web/style.css", "text/css; charset=utf-8", assetCacheControl},
		{"/web/favicon.svg", "image/svg+xml", assetCacheControl},
		{"/web/vendor/leaflet/dist/leaflet.js", "text/javascript; charset=utf-8", assetCacheControl},
		{"/web/vendor/leaflet/dist/images/layers.png", "image/png", assetCacheControl},
		{"/web/status.js", "text/javascript; charset=utf-8", assetCacheControl},
		{"/web/vendor/leaflet/LICENSE", "text/plain; charset=utf-8", assetCacheControl},
		{"/map", mediaHTML, pageCacheControl},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			h := rec.Header()
			if h.Get("Content-Type") != tt.contentType || h.Get("Cache-Control") != tt.cacheControl {
				t.Errorf("Content-Type %q, Cache-Control %q; want %q, %q", h.Get("Content-Type"), h.Get("Cache-Control"), tt.contentType, tt.cacheControl)
			}
			etag := h.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if again := get(t, s, tt.target, "If-None-Match", etag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("If-None-Match %s: %d with %d bytes, want an empty 304", etag, again.Code, again.Body.Len())
			}
			if other := get(t, s, tt.target, "If-None-Match", `"other"`); other.Code != http.StatusOK {
				t.Errorf("If-None-Match with another tag: %d", other.Code)
			}
		})
	}
	// Text assets go gzipped to clients that take it, and unzip to the file.
	rec := get(t, s, "/web/vendor/leaflet/dist/leaflet.js", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("leaflet.js with Accept-Encoding gzip: Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fs.ReadFile(web.Assets(), "vendor/leaflet/dist/leaflet.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the gzipped leaflet.js differs from the file")
	}
	// The asset version changes with the files it names.
	if get(t, s, "/web/app.js").Header().Get("ETag") == get(t, s, "/web/map.js").Header().Get("ETag") {
		t.Error("two assets share an ETag")
	}
}

func TestAssetPathsRejected(t *testing.T) {
	s := newTestServer(t, Options{})
	tests := []struct {
		target string
		code   int
	}{
		{"/web/../go.mod", http.StatusBadRequest},
		{"/web/%2e%2e/go.mod", http.StatusBadRequest},
		{"/web/..%2fgo.mod", http.StatusBadRequest},
		{"/web/%2e%2e%2f%2e%2e%2fetc%2fpasswd", http.StatusBadRequest},
		{"/web/vendor/../../go.mod", http.StatusBadRequest},
		{"/web/vendor/..%5c..%5cgo.mod", http.StatusBadRequest},
		{"/web/@" + assetVersion() + "/../go.mod", http.StatusBadRequest},
		{"/web/./app.js", http.StatusBadRequest},
		{"/web//app.js", http.StatusBadRequest},
		{"/web/", http.StatusBadRequest},
		{"/web/.gitattributes", http.StatusBadRequest},
		{"/web/vendor/.gitattributes", http.StatusBadRequest},
		{"/web/web.go", http.StatusNotFound},
		{"/web/browser_test.go", http.StatusNotFound},
		{"/web/templates/viewer.html", http.StatusNotFound},
		{"/web/vendor/axe-core/axe.min.js", http.StatusNotFound},
		{"/web/vendor/refresh.sh", http.StatusNotFound},
		{"/web/vendor/SHA256SUMS", http.StatusNotFound},
		{"/web/vendor/leaflet/dist/leaflet-src.esm.js", http.StatusNotFound},
		{"/web/nothing.js", http.StatusNotFound},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.target)
		if rec.Code != tt.code || rec.Header().Get("Content-Type") != mediaProblem {
			t.Errorf("%s: %d %s, want %d problem+json", tt.target, rec.Code, rec.Header().Get("Content-Type"), tt.code)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("module dcatlas")) {
			t.Errorf("%s: leaks go.mod", tt.target)
		}
	}
}

// TestVendoredAssetsUnmodified checks that the vendored files built into the binary are the ones
// web/vendor/SHA256SUMS lists.
func TestVendoredAssetsUnmodified(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "web", "vendor", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			sums["vendor/"+strings.TrimPrefix(name, "./")] = sum
		}
	}
	n := 0
	for _, p := range assetPaths() {
		if !strings.HasPrefix(p, "vendor/") {
			continue
		}
		b, err := fs.ReadFile(web.Assets(), p)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		want, ok := sums[p]
		if !ok {
			t.Errorf("%s is built in but not listed in SHA256SUMS", p)
		} else if got := hex.EncodeToString(h[:]); got != want {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s", p, got, want)
		}
		n++
	}
	if n < 5 {
		t.Errorf("only %d vendored files are built in", n)
	}
}

// assetPaths lists the viewer's files.
func assetPaths() []string {
	var out []string
	_ = fs.WalkDir(web.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}
