package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"dcatlas/data"
)

// staticAtlas is the built-in base map, decoded once for the static image tests.
var staticAtlas = sync.OnceValues(data.Atlas)

// staticServer is a test server with the base map.
func staticServer(t testing.TB) *Server {
	t.Helper()
	a, err := staticAtlas()
	if err != nil {
		t.Fatal(err)
	}
	return newTestServer(t, Options{Atlas: a})
}

// svgRoot is the root element of an SVG document.
type svgRoot struct {
	XMLName xml.Name `xml:"svg"`
	Width   string   `xml:"width,attr"`
	Height  string   `xml:"height,attr"`
	ViewBox string   `xml:"viewBox,attr"`
}

func TestStaticImages(t *testing.T) {
	s := staticServer(t)
	tests := []struct {
		target      string
		contentType string
		w, h        int // PNG pixels, or SVG CSS pixels
	}{
		{"/static/map.png?at=2018-09-01", mediaPNG, 1200, 800},
		{"/static/map.png?at=2018-09-01&width=600&height=300&scale=2", mediaPNG, 1200, 600},
		{"/static/map.png?bbox=-11,35,30,60&at=2025-09-24&labels=1&legend=0&title=Europe", mediaPNG, 1200, 800},
		{"/static/map.png?center=114.17,22.32&zoom=5&width=64&height=64", mediaPNG, 64, 64},
		{"/static/map.svg?at=2016-11-21&status=active,announced", mediaSVG, 1200, 800},
		{"/static/map.svg?country=CN&q=local&width=800&height=2048", mediaSVG, 800, 2048},
		{"/static/timeline.png?until=2025-09-24", mediaPNG, 1200, 400},
		{"/static/timeline.png?until=2025-09-24&scale=2&width=300&height=200", mediaPNG, 600, 400},
		{"/static/timeline.svg?provider=alibaba-cloud&bbox=-11,35,30,60&title=Europe", mediaSVG, 1200, 400},
		{"/static/timeline.svg?q=no-such-site", mediaSVG, 1200, 400},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			h := rec.Header()
			if got := h.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if h.Get("ETag") == "" || !strings.HasPrefix(h.Get("Cache-Control"), "public, max-age=") {
				t.Errorf("ETag %q, Cache-Control %q", h.Get("ETag"), h.Get("Cache-Control"))
			}
			if h.Get("Content-Disposition") != "" {
				t.Errorf("Content-Disposition %q without download=1", h.Get("Content-Disposition"))
			}
			if tt.contentType == mediaPNG {
				img, err := png.Decode(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				if got := img.Bounds().Size(); got.X != tt.w || got.Y != tt.h {
					t.Errorf("size %v, want %d×%d", got, tt.w, tt.h)
				}
				return
			}
			// SVG: well-formed, sized, and unable to run anything where it is opened.
			var root svgRoot
			if err := xml.Unmarshal(rec.Body.Bytes(), &root); err != nil {
				t.Fatal(err)
			}
			if root.Width != strconv.Itoa(tt.w) || root.Height != strconv.Itoa(tt.h) || root.ViewBox != "0 0 "+strconv.Itoa(tt.w)+" "+strconv.Itoa(tt.h) {
				t.Errorf("svg %+v, want %d×%d", root, tt.w, tt.h)
			}
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			for _, bad := range []string{"<script", "<style", "href=", "<foreignObject"} {
				if bytes.Contains(rec.Body.Bytes(), []byte(bad)) {
					t.Errorf("SVG holds %q", bad)
				}
			}
		})
	}
}

func TestStaticCaching(t *testing.T) {
	s := staticServer(t)
	for _, target := range []string{"/static/map.png?at=2018-09-01&width=300&height=200", "/static/timeline.svg?until=2020-01-01"} {
		t.Run(target, func(t *testing.T) {
			first := get(t, s, target)
			etag := first.Header().Get("ETag")
			if first.Code != http.StatusOK || etag == "" {
				t.Fatalf("%d, ETag %q", first.Code, etag)
			}
			if cc := first.Header().Get("Cache-Control"); cc != "public, max-age=3600, stale-while-revalidate=86400" {
				t.Errorf("Cache-Control %q for a dated image", cc)
			}
			again := get(t, s, target)
			if !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) || again.Header().Get("ETag") != etag {
				t.Error("the same request drew a different image")
			}
			if rec := get(t, s, target, "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Errorf("If-None-Match: %d with %d bytes, want 304", rec.Code, rec.Body.Len())
			}
			if rec := get(t, s, target, "If-None-Match", `"other"`); rec.Code != http.StatusOK {
				t.Errorf("If-None-Match other: %d", rec.Code)
			}
			other := get(t, s, target+"&title=Other")
			if other.Header().Get("ETag") == etag {
				t.Error("a different title has the same ETag")
			}
		})
	}
	// Undated images follow today's date: cached for less time.
	if cc := get(t, s, "/static/timeline.svg").Header().Get("Cache-Control"); cc != "public, max-age=300, stale-while-revalidate=3600" {
		t.Errorf("Cache-Control %q for an undated image", cc)
	}
	// SVG is compressed for clients that accept gzip; PNG is compressed already.
	rec := get(t, s, "/static/map.svg?at=2018-09-01", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("SVG Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("gunzipped SVG: %v, %.100s", err, b)
	}
	if rec := get(t, s, "/static/map.png?at=2018-09-01", "Accept-Encoding", "gzip"); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("PNG Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
}

func TestStaticDownloadNames(t *testing.T) {
	s := staticServer(t)
	tests := []struct{ target, want string }{
		{"/static/map.png?at=2018-09-01&download=1", "alibaba-cloud-map-2018-09-01.png"},
		{"/static/map.png?at=2018-09-01&scale=2&download=true", "alibaba-cloud-map-2018-09-01@2x.png"},
		{"/static/map.svg?at=2025-09-24&provider=alibaba-cloud&download=1", "alibaba-cloud-map-2025-09-24.svg"},
		{"/static/map.svg?download=1", "alibaba-cloud-map-2026-11-23.svg"},
		{"/static/timeline.png?until=2025-09-24&download=1", "alibaba-cloud-timeline-2025-09-24.png"},
		{"/static/timeline.svg?download=1", "alibaba-cloud-timeline-2026-11-23.svg"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if want := `attachment; filename="` + tt.want + `"`; rec.Code != http.StatusOK || rec.Header().Get("Content-Disposition") != want {
				t.Errorf("%d, Content-Disposition %q, want %q", rec.Code, rec.Header().Get("Content-Disposition"), want)
			}
		})
	}
}

// TestStaticBadRequests checks that every kind of bad input gets a 400 problem naming the
// parameter, before any drawing.
func TestStaticBadRequests(t *testing.T) {
	s := staticServer(t)
	tests := []struct {
		name, target string
		param        string
	}{
		{"unknown parameter", "/static/map.png?foo=1", "foo"},
		{"items parameter on a map", "/static/map.png?limit=10", paramLimit},
		{"datetime on a map", "/static/map.png?datetime=2018-01-01", paramDatetime},
		{"repeated parameter", "/static/map.png?width=100&width=200", paramWidth},
		{"width too small", "/static/map.png?width=63", paramWidth},
		{"width too large", "/static/map.png?width=2049", paramWidth},
		{"width zero", "/static/map.svg?width=0", paramWidth},
		{"width negative", "/static/map.png?width=-800", paramWidth},
		{"width not a number", "/static/map.png?width=wide", paramWidth},
		{"width as a float", "/static/map.png?width=800.0", paramWidth},
		{"width in exponent form", "/static/map.png?width=1e3", paramWidth},
		{"width NaN", "/static/timeline.png?width=NaN", paramWidth},
		{"width huge", "/static/map.png?width=100000", paramWidth},
		{"height too large", "/static/map.png?height=4096", paramHeight},
		{"height empty", "/static/timeline.svg?height=", paramHeight},
		{"scale 3", "/static/map.png?scale=3", paramScale},
		{"scale 0", "/static/map.png?scale=0", paramScale},
		{"scale 1.5", "/static/timeline.png?scale=1.5", paramScale},
		{"scale on an SVG", "/static/map.svg?scale=2", paramScale},
		{"scale on a timeline SVG", "/static/timeline.svg?scale=1", paramScale},
		{"reversed bbox", "/static/map.png?bbox=30,35,-11,60", paramBbox},
		{"bbox out of range", "/static/map.png?bbox=-200,35,30,60", paramBbox},
		{"bbox with three numbers", "/static/map.png?bbox=1,2,3", paramBbox},
		{"bbox NaN", "/static/map.svg?bbox=NaN,0,1,1", paramBbox},
		{"bbox and center", "/static/map.png?bbox=-11,35,30,60&center=0,0&zoom=2", paramCenter},
		{"center without zoom", "/static/map.png?center=0,0", paramZoom},
		{"zoom without center", "/static/map.png?zoom=3", paramCenter},
		{"zoom too deep", "/static/map.png?center=0,0&zoom=19", paramZoom},
		{"zoom negative", "/static/map.png?center=0,0&zoom=-1", paramZoom},
		{"zoom NaN", "/static/map.png?center=0,0&zoom=NaN", paramZoom},
		{"zoom infinite", "/static/map.png?center=0,0&zoom=Inf", paramZoom},
		{"center NaN", "/static/map.png?center=NaN,0&zoom=2", paramCenter},
		{"center with one number", "/static/map.png?center=10&zoom=2", paramCenter},
		{"center longitude out of range", "/static/map.png?center=181,0&zoom=2", paramCenter},
		{"center latitude beyond Web Mercator", "/static/map.png?center=0,89&zoom=2", paramCenter},
		{"center on a timeline", "/static/timeline.png?center=0,0", paramCenter},
		{"legend not a boolean", "/static/map.png?legend=maybe", paramLegend},
		{"labels 2", "/static/map.svg?labels=2", paramLabels},
		{"legend on a timeline", "/static/timeline.svg?legend=1", paramLegend},
		{"download not a boolean", "/static/map.png?download=yes", paramDownload},
		{"title too long", "/static/map.png?title=" + strings.Repeat("é", 121), paramTitle},
		{"title with a newline", "/static/map.png?title=a%0Ab", paramTitle},
		{"title not UTF-8", "/static/map.png?title=%ff", paramTitle},
		{"impossible date", "/static/map.png?at=2018-02-30", paramAt},
		{"date in another form", "/static/map.png?at=01/09/2018", paramAt},
		{"until on a map", "/static/map.png?until=2018-09-01", paramUntil},
		{"at on a timeline", "/static/timeline.png?at=2018-09-01", paramAt},
		{"impossible until", "/static/timeline.svg?until=2018-13-01", paramUntil},
		{"unknown status", "/static/map.png?status=open", paramStatus},
		{"unknown provider", "/static/map.png?provider=aws", paramProvider},
		{"unknown country", "/static/timeline.png?country=XX", paramCountry},
		{"query too long", "/static/map.png?q=" + strings.Repeat("a", 201), paramQ},
		{"reversed bbox on a timeline", "/static/timeline.png?bbox=30,35,-11,60", paramBbox},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.param == "" {
				t.Fatal("every static-image problem names its parameter")
			}
			wantProblem(t, get(t, s, tt.target), http.StatusBadRequest, tt.param)
		})
	}
}

// TestStaticWithoutBaseMap checks that a server without a base map serves the timeline charts but
// no maps, and does not document maps.
func TestStaticWithoutBaseMap(t *testing.T) {
	s := newTestServer(t, Options{})
	if rec := get(t, s, "/static/map.png"); rec.Code != http.StatusNotFound {
		t.Errorf("map.png: %d, want 404", rec.Code)
	}
	if rec := get(t, s, "/static/timeline.svg?until=2020-01-01"); rec.Code != http.StatusOK {
		t.Errorf("timeline.svg: %d", rec.Code)
	}
	if _, _, err := drawFor(s, "map.svg", nil); err == nil || err.(*Problem).Status != http.StatusNotFound {
		t.Errorf("DrawStaticImage(map.svg) = %v, want a 404 problem", err)
	}
	paths := s.staticPaths()
	if paths.get("/static/map.png") != nil || paths.get("/static/timeline.png") == nil {
		t.Errorf("documented paths without a base map: %v", paths)
	}
}

// TestStaticOpenAPI checks that the OpenAPI document lists each image with exactly the parameters
// it accepts, and that the viewer's share dialog finds what it needs for a static-image URL.
func TestStaticOpenAPI(t *testing.T) {
	s := staticServer(t)
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Parameters []struct{ Name, In, Description string }
				Responses  map[string]struct {
					Content map[string]any
				}
			}
		}
	}
	decode(t, get(t, s, "/api"), &doc)
	for name, im := range staticImages() {
		op, ok := doc.Paths["/static/"+name]
		if !ok {
			t.Errorf("/static/%s is not documented", name)
			continue
		}
		var got []string
		for _, p := range op.Get.Parameters {
			if p.In != "query" || p.Description == "" {
				t.Errorf("%s: parameter %+v", name, p)
			}
			got = append(got, p.Name)
		}
		if want := im.params(); !slices.Equal(got, want) {
			t.Errorf("%s documents %v, accepts %v", name, got, want)
		}
		if _, ok := op.Get.Responses["200"].Content[im.mediaType()]; !ok {
			t.Errorf("%s: 200 response %v, want %s", name, op.Get.Responses["200"], im.mediaType())
		}
	}
	// web/share.js fills in these parameters when /api lists them for /static/map.png.
	var share []string
	for _, p := range doc.Paths["/static/map.png"].Get.Parameters {
		share = append(share, p.Name)
	}
	for _, p := range []string{"at", "status", "country", "provider", "bbox", "width", paramHeight} {
		if !slices.Contains(share, p) {
			t.Errorf("/static/map.png does not document %s, which the share dialog sets", p)
		}
	}
	// The URL the share dialog builds for a view of Europe works.
	shareURL := "/static/map.png?at=2018-09-01&status=active,announced&country=DE,GB&provider=alibaba-cloud&bbox=-20.123,30.500,40.000,65.250&width=1200&height=800"
	if rec := get(t, s, shareURL); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaPNG {
		t.Errorf("share dialog URL: %d %s", rec.Code, rec.Body)
	}
}

// TestStaticImageIsTheHandler checks that DrawStaticImage, which the command line uses, gives the
// bytes the HTTP handler serves.
func TestStaticImageIsTheHandler(t *testing.T) {
	s := staticServer(t)
	for _, target := range []string{
		"/static/map.svg?at=2018-09-01&labels=1&title=Report",
		"/static/map.png?bbox=-11,35,30,60&width=400&height=300&scale=2",
		"/static/timeline.png?until=2025-09-24&width=600",
	} {
		t.Run(target, func(t *testing.T) {
			u, err := url.Parse(target)
			if err != nil {
				t.Fatal(err)
			}
			body, name, err := drawFor(s, strings.TrimPrefix(u.Path, "/static/"), u.Query())
			if err != nil {
				t.Fatal(err)
			}
			rec := get(t, s, target)
			if !bytes.Equal(body, rec.Body.Bytes()) {
				t.Errorf("DrawStaticImage gives %d bytes, the handler %d different ones", len(body), rec.Body.Len())
			}
			if ext := u.Path[strings.LastIndex(u.Path, "."):]; !strings.HasPrefix(name, "alibaba-cloud-") || !strings.HasSuffix(name, ext) {
				t.Errorf("file name %q", name)
			}
		})
	}
	if _, _, err := drawFor(s, "map.gif", nil); err == nil {
		t.Error("DrawStaticImage(map.gif) drew something")
	}
	_, _, err := drawFor(s, "map.png", url.Values{"width": {"5000"}})
	if p, ok := err.(*Problem); !ok || p.Parameter != "width" {
		t.Errorf("DrawStaticImage with width 5000: %v, want a problem naming width", err)
	}
}

// TestStaticLargest draws the largest image a request can ask for, to check that it is served.
// Its cost is measured by BenchmarkStaticLargest.
func TestStaticLargest(t *testing.T) {
	if testing.Short() {
		t.Skip("draws a 4096×4096 image")
	}
	s := staticServer(t)
	rec := get(t, s, "/static/map.png?center=10,50&zoom=6&width=2048&height=2048&scale=2&labels=1")
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	img, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != 4096 || got.Y != 4096 {
		t.Errorf("size %v", got)
	}
}

// BenchmarkStaticLargest draws the most expensive image a request can ask for: 2048×2048 CSS
// pixels at scale 2, with the finest base map, bypassing the response cache.
func BenchmarkStaticLargest(b *testing.B) {
	s := staticServer(b)
	q := url.Values{"center": {"10,50"}, "zoom": {"6"}, "width": {"2048"}, "height": {"2048"}, "scale": {"2"}, "labels": {"1"}}
	for b.Loop() {
		if _, _, err := drawFor(s, "map.png", q); err != nil {
			b.Fatal(err)
		}
	}
}

// drawFor draws a static image of the server's dataset and base map as the command line does.
func drawFor(s *Server, name string, q url.Values) ([]byte, string, error) {
	return DrawStaticImage(context.Background(), s.ds, s.opts.Atlas, s.today(), name, q)
}
