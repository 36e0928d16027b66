package api

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"dcatlas/data"
	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// loadAtlas decodes the built-in Natural Earth base map (about 0.1 s).
func loadAtlas(t testing.TB) *basemap.Atlas {
	t.Helper()
	a, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tileServer is a test server with the base map.
func tileServer(t testing.TB) *Server {
	t.Helper()
	return newTestServer(t, Options{Atlas: loadAtlas(t)})
}

// getTile fetches a vector tile and decodes it with orb's decoder, failing unless it is a 200 MVT.
func getTile(t testing.TB, s *Server, target string) mvt.Layers {
	t.Helper()
	rec := get(t, s, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != mediaMVT {
		t.Fatalf("%s: Content-Type %q", target, ct)
	}
	ls, err := mvt.Unmarshal(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	return ls
}

// siteFeatures returns the sites layer's features by site id, failing unless the tile holds exactly
// that one layer.
func siteFeatures(t testing.TB, ls mvt.Layers) map[string]map[string]any {
	t.Helper()
	if len(ls) != 1 || ls[0].Name != "sites" || ls[0].Extent != 4096 || ls[0].Version != 2 {
		t.Fatalf("want one layer sites, extent 4096, version 2; got %d layers", len(ls))
	}
	out := map[string]map[string]any{}
	for _, f := range ls[0].Features {
		if _, ok := f.Geometry.(orb.Point); !ok {
			t.Errorf("geometry %T, want a point", f.Geometry)
		}
		out[f.Properties.MustString("id")] = f.Properties
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestSiteTiles(t *testing.T) {
	s := tileServer(t)
	europe := []string{"alibaba-eu-central-1", "alibaba-eu-west-1", "alibaba-eu-west-2", "alibaba-netherlands"}
	tests := []struct {
		name, target string
		count        int      // features in the tile, -1 not to check
		has, hasNot  []string // site ids
	}{
		{"z0 on the first international launch day", "/tiles/sites/0/0/0.mvt?at=2016-11-21", 14,
			[]string{"alibaba-cn-hangzhou", "alibaba-ap-northeast-1", "alibaba-eu-central-1"}, []string{"alibaba-eu-west-1", "alibaba-ap-south-1"}},
		{"z0 today", "/tiles/sites/0/0/0.mvt", 37, []string{"alibaba-eu-west-1", "alibaba-ap-south-1", "alibaba-brazil"}, nil},
		{"z0 today is the default date", "/tiles/sites/0/0/0.mvt?at=2026-11-23", 37, nil, nil},
		{"z3 over Europe today", "/tiles/sites/3/4/2.mvt", 4, europe, nil},
		{"z3 over Europe in 2018", "/tiles/sites/3/4/2.mvt?at=2018-09-01", 1, europe[:1], europe[1:]},
		{"z5 over Hong Kong and Shenzhen", "/tiles/sites/5/26/13.mvt", -1,
			[]string{"alibaba-cn-hongkong", "alibaba-cn-shenzhen", "alibaba-cn-guangzhou", "alibaba-cn-heyuan"}, []string{"alibaba-cn-beijing", "alibaba-ap-southeast-1"}},
		{"z5 before Shenzhen opened", "/tiles/sites/5/26/13.mvt?at=2014-06-01", 2, []string{"alibaba-cn-hongkong", "alibaba-cn-hangzhou"}, []string{"alibaba-cn-shenzhen"}},
		{"z12 holds Hong Kong alone", fmt.Sprintf("/tiles/sites/12/%d/%d.mvt", maptile.At(orb.Point{114.1694, 22.3193}, 12).X, maptile.At(orb.Point{114.1694, 22.3193}, 12).Y), 1, []string{"alibaba-cn-hongkong"}, nil},
		{"deepest zoom", fmt.Sprintf("/tiles/sites/18/%d/%d.mvt", maptile.At(orb.Point{114.1694, 22.3193}, 18).X, maptile.At(orb.Point{114.1694, 22.3193}, 18).Y), 1, []string{"alibaba-cn-hongkong"}, nil},
		{"empty ocean tile", "/tiles/sites/2/0/3.mvt", 0, nil, nil},
		{"country filter", "/tiles/sites/5/26/13.mvt?country=HK", 1, []string{"alibaba-cn-hongkong"}, nil},
		{"status filter", "/tiles/sites/0/0/0.mvt?status=closed", 2, []string{"alibaba-ap-southeast-2", "alibaba-ap-south-1"}, nil},
		{"provider filter", "/tiles/sites/0/0/0.mvt?provider=alibaba-cloud&at=2016-11-21", 14, nil, nil},
		{"text filter", "/tiles/sites/0/0/0.mvt?q=shenzhen", 1, []string{"alibaba-cn-shenzhen"}, nil},
		{"filters combine", "/tiles/sites/3/4/2.mvt?status=announced&country=NL,FR", 1, []string{"alibaba-netherlands"}, []string{"alibaba-eu-west-2", "alibaba-eu-central-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := siteFeatures(t, getTile(t, s, tt.target))
			if tt.count >= 0 && len(fs) != tt.count {
				t.Errorf("got %d features, want %d: %v", len(fs), tt.count, sortedKeys(fs))
			}
			for _, id := range tt.has {
				if _, ok := fs[id]; !ok {
					t.Errorf("%s is missing: %v", id, sortedKeys(fs))
				}
			}
			for _, id := range tt.hasNot {
				if _, ok := fs[id]; ok {
					t.Errorf("%s should not be there", id)
				}
			}
		})
	}
}

func TestSiteTileProperties(t *testing.T) {
	s := tileServer(t)
	tests := []struct {
		name, target, id string
		want             map[string]any // properties to check; nil values must be absent
	}{
		{"announced with opening pending", "/tiles/sites/0/0/0.mvt?at=2016-11-21", "alibaba-ap-northeast-1", map[string]any{
			"name": "Japan (Tokyo)", "provider": "alibaba-cloud", "region": "ap-northeast-1", "country": "JP",
			"status": "announced", "status_date": "2016-11-21", "pending_status": "active", "pending_date": "2016-11-21/2017-02-13",
			"announced": "2016-11-21", "announced_from": 20161121.0, "announced_to": 20161121.0,
			"opened": "2016-11-21/2017-02-13", "opened_from": 20161121.0, "opened_to": 20170213.0,
			"closed": nil, "closed_to": nil,
		}},
		{"active later", "/tiles/sites/0/0/0.mvt?at=2018-09-01", "alibaba-ap-northeast-1", map[string]any{
			"status": "active", "status_date": "2016-11-21/2017-02-13", "pending_status": nil, "pending_date": nil,
		}},
		{"closed", "/tiles/sites/0/0/0.mvt", "alibaba-ap-southeast-2", map[string]any{
			"status": "closed", "closing": "2024-06-27", "closing_to": 20240627.0, "closed": "2024-09-30", "closed_from": 20240930.0, "closed_to": 20240930.0,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := siteFeatures(t, getTile(t, s, tt.target))[tt.id]
			if !ok {
				t.Fatalf("%s is not in the tile", tt.id)
			}
			for k, want := range tt.want {
				got, has := p[k]
				switch {
				case want == nil && has:
					t.Errorf("%s = %v, want it absent", k, got)
				case want != nil && got != want:
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
}

// TestSiteTileEdges checks that every site within the buffer of a tile edge is in the neighbouring
// tile too, and that a site far from any edge is in one tile only: London lies 0.13° west of the
// meridian, the edge between tiles 3/3/2 and 3/4/2.
func TestSiteTileEdges(t *testing.T) {
	s := tileServer(t)
	west, east := siteFeatures(t, getTile(t, s, "/tiles/sites/3/3/2.mvt")), siteFeatures(t, getTile(t, s, "/tiles/sites/3/4/2.mvt"))
	if _, ok := west["alibaba-eu-west-1"]; !ok {
		t.Error("London is not in its own tile 3/3/2")
	}
	if _, ok := east["alibaba-eu-west-1"]; !ok {
		t.Error("London is not in the neighbouring tile 3/4/2")
	}
	if _, ok := west["alibaba-eu-central-1"]; ok {
		t.Error("Frankfurt, far from the edge, is in 3/3/2")
	}
	// Every site, at every zoom to 10: in its own tile, and in each neighbour whose buffer holds it.
	ds := s.ds
	neighbours := 0
	for z := maptile.Zoom(1); z <= 10; z++ {
		for _, site := range ds.Sites {
			own := maptile.At(site.Point, z)
			f := maptile.Fraction(site.Point, z)
			fx, fy := (f[0]-float64(own.X))*4096, (f[1]-float64(own.Y))*4096
			n := uint32(1) << z
			want := []maptile.Tile{own}
			if fx < 63 && own.X > 0 {
				want = append(want, maptile.New(own.X-1, own.Y, z))
			}
			if fx >= 4096-64 && own.X < n-1 {
				want = append(want, maptile.New(own.X+1, own.Y, z))
			}
			if fy < 63 && own.Y > 0 {
				want = append(want, maptile.New(own.X, own.Y-1, z))
			}
			if fy >= 4096-64 && own.Y < n-1 {
				want = append(want, maptile.New(own.X, own.Y+1, z))
			}
			neighbours += len(want) - 1
			for _, tile := range want {
				l := ds.SiteLayer(tile, dayOf(t, "2026-11-23"), geo.Filter{Query: site.ID})
				if len(l.Features) != 1 {
					t.Errorf("%s is not in tile %d/%d/%d", site.ID, tile.Z, tile.X, tile.Y)
				}
			}
		}
	}
	if neighbours < 5 {
		t.Errorf("only %d sites near an edge were checked", neighbours)
	}
	t.Logf("%d sites near a tile edge found in the neighbouring tile", neighbours)
}

// TestBadTileRequests checks every rejected tile request: a problem naming the parameter, decided
// before any rendering (the response cache sees no lookup).
func TestBadTileRequests(t *testing.T) {
	s := tileServer(t)
	noAtlas := newTestServer(t, Options{})
	tests := []struct {
		name   string
		srv    *Server
		target string
		status int
		param  string
	}{
		{"unknown layer", s, "/tiles/roads/1/0/0.mvt", 404, paramLayer},
		{"base map on a server without one", noAtlas, "/tiles/basemap/1/0/0.png", 404, paramLayer},
		{"base map vector on a server without one", noAtlas, "/tiles/basemap/1/0/0.mvt", 404, paramLayer},
		{"z not a number", s, "/tiles/sites/a/0/0.mvt", 400, paramZ},
		{"z negative", s, "/tiles/sites/-1/0/0.mvt", 400, paramZ},
		{"z with a sign", s, "/tiles/sites/+1/0/0.mvt", 400, paramZ},
		{"z fractional", s, "/tiles/sites/1.5/0/0.mvt", 400, paramZ},
		{"z beyond the sites maximum", s, "/tiles/sites/19/0/0.mvt", 400, paramZ},
		{"z beyond the base map maximum", s, "/tiles/basemap/11/0/0.png", 400, paramZ},
		{"z overflowing", s, "/tiles/sites/99999999999/0/0.mvt", 400, paramZ},
		{"x not a number", s, "/tiles/sites/1/one/0.mvt", 400, paramX},
		{"x outside the grid", s, "/tiles/sites/2/4/0.mvt", 400, paramX},
		{"x outside the grid at z0", s, "/tiles/basemap/0/1/0.png", 400, paramX},
		{"x hexadecimal", s, "/tiles/sites/5/0x1/0.mvt", 400, paramX},
		{"y outside the grid", s, "/tiles/sites/2/0/4.mvt", 400, paramY},
		{"y not a number", s, "/tiles/sites/2/0/a.mvt", 400, paramY},
		{"y empty", s, "/tiles/sites/2/0/.mvt", 400, paramY},
		{"y negative", s, "/tiles/basemap/2/0/-1.png", 400, paramY},
		{"no extension", s, "/tiles/sites/2/0/0", 404, paramFormat},
		{"unknown extension", s, "/tiles/basemap/2/0/0.jpg", 404, paramFormat},
		{"extension in capitals", s, "/tiles/sites/2/0/0.MVT", 404, paramFormat},
		{"PNG of sites", s, "/tiles/sites/2/0/0.png", 404, paramFormat},
		{"@3x", s, "/tiles/basemap/2/0/0@3x.png", 404, paramFormat},
		{"@1x", s, "/tiles/basemap/2/0/0@1x.png", 404, paramFormat},
		{"@2x vector tile", s, "/tiles/basemap/2/0/0@2x.mvt", 404, paramFormat},
		{"dark vector tile", s, "/tiles/basemap-dark/2/0/0.mvt", 404, paramFormat},
		{"dark z beyond the maximum", s, "/tiles/basemap-dark/11/0/0.png", 400, paramZ},
		{"dark base map on a server without one", noAtlas, "/tiles/basemap-dark/1/0/0.png", 404, paramLayer},
		{"query on a dark base map tile", s, "/tiles/basemap-dark/2/0/0.png?at=2018-01-01", 400, paramAt},
		{"@2x of sites", s, "/tiles/sites/2/0/0@2x.mvt", 404, paramFormat},
		{"two extensions", s, "/tiles/sites/2/0/0.mvt.png", 404, paramFormat},
		{"unknown query parameter", s, "/tiles/sites/2/0/0.mvt?colour=red", 400, "colour"},
		{"items-only parameter", s, "/tiles/sites/2/0/0.mvt?limit=5", 400, paramLimit},
		{"bbox on a tile", s, "/tiles/sites/2/0/0.mvt?bbox=0,0,1,1", 400, paramBbox},
		{"bad date", s, "/tiles/sites/2/0/0.mvt?at=2018-02-30", 400, paramAt},
		{"bad status", s, "/tiles/sites/2/0/0.mvt?status=open", 400, paramStatus},
		{"bad country", s, "/tiles/sites/2/0/0.mvt?country=XX", 400, paramCountry},
		{"bad provider", s, "/tiles/sites/2/0/0.mvt?provider=aws", 400, paramProvider},
		{"repeated parameter", s, "/tiles/sites/2/0/0.mvt?at=2018-01-01&at=2019-01-01", 400, paramAt},
		{"query on a base map tile", s, "/tiles/basemap/2/0/0.png?at=2018-01-01", 400, paramAt},
		{"unknown TileJSON", s, "/tiles/roads.json", 404, paramLayer},
		{"TileJSON without .json", s, "/tiles/sites", 404, paramLayer},
		{"TileJSON with an unknown parameter", s, "/tiles/sites.json?limit=1", 400, paramLimit},
		{"TileJSON with a bad filter", s, "/tiles/sites.json?at=tomorrow", 400, paramAt},
		{"base map TileJSON with a parameter", s, "/tiles/basemap.json?at=2018-01-01", 400, paramAt},
		{"base map TileJSON without a base map", noAtlas, "/tiles/basemap.json", 404, paramLayer},
		{"base map vector TileJSON without a base map", noAtlas, "/tiles/basemap-vector.json", 404, paramLayer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.param == "" {
				t.Fatal("every tile problem names its parameter")
			}
			wantProblem(t, get(t, tt.srv, tt.target), tt.status, tt.param)
		})
	}
	for _, srv := range []*Server{s, noAtlas} {
		if hits, misses, entries, _ := srv.cache.stats(); hits+misses != 0 || entries != 0 {
			t.Errorf("rejected requests reached the cache: %d hits, %d misses, %d entries", hits, misses, entries)
		}
	}
}

func TestTileCaching(t *testing.T) {
	s := tileServer(t)
	tests := []struct {
		name, target, contentType, cacheControl string
		gzip                                    bool
	}{
		{"sites at a date", "/tiles/sites/0/0/0.mvt?at=2018-09-01", mediaMVT, "public, max-age=3600, stale-while-revalidate=86400", true},
		{"sites today", "/tiles/sites/0/0/0.mvt", mediaMVT, "public, max-age=300, stale-while-revalidate=3600", true},
		{"base map PNG", "/tiles/basemap/1/1/0.png", mediaPNG, "public, max-age=86400", false},
		{"base map PNG @2x", "/tiles/basemap/1/1/0@2x.png", mediaPNG, "public, max-age=86400", false},
		{"base map vector", "/tiles/basemap/1/1/0.mvt", mediaMVT, "public, max-age=86400", true},
		{"dark base map PNG", "/tiles/basemap-dark/1/1/0.png", mediaPNG, "public, max-age=86400", false},
		{"dark base map PNG @2x", "/tiles/basemap-dark/1/1/0@2x.png", mediaPNG, "public, max-age=86400", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, missesBefore, _, _ := s.cache.stats()
			first := get(t, s, tt.target, "Accept-Encoding", "gzip")
			etag := first.Header().Get("ETag")
			if first.Code != http.StatusOK || etag == "" {
				t.Fatalf("%d, ETag %q", first.Code, etag)
			}
			if got := first.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := first.Header().Get("Cache-Control"); got != tt.cacheControl {
				t.Errorf("Cache-Control %q, want %q", got, tt.cacheControl)
			}
			if got := first.Header().Get("Content-Encoding") == "gzip"; got != tt.gzip {
				t.Errorf("gzipped %v, want %v", got, tt.gzip)
			}
			hitsBefore, _, _, _ := s.cache.stats()
			again := get(t, s, tt.target, "If-None-Match", etag)
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != etag {
				t.Errorf("revalidation: %d, %d bytes, ETag %q", again.Code, again.Body.Len(), again.Header().Get("ETag"))
			}
			plain := get(t, s, tt.target)
			if plain.Header().Get("Content-Encoding") != "" || plain.Header().Get("ETag") != etag {
				t.Errorf("plain: encoding %q, ETag %q", plain.Header().Get("Content-Encoding"), plain.Header().Get("ETag"))
			}
			hits, misses, _, _ := s.cache.stats()
			if misses != missesBefore+1 || hits != hitsBefore+2 {
				t.Errorf("want 1 miss then 2 hits, got %d misses and %d hits", misses-missesBefore, hits-hitsBefore)
			}
		})
	}
	// Equivalent filters share a cache entry and ETag; other filters do not.
	a := get(t, s, "/tiles/sites/0/0/0.mvt?country=HK,CN&at=2018-09-01").Header().Get("ETag")
	b := get(t, s, "/tiles/sites/0/0/0.mvt?at=2018-09-01&country=cn,hk").Header().Get("ETag")
	c := get(t, s, "/tiles/sites/0/0/0.mvt?at=2018-09-01&country=HK").Header().Get("ETag")
	if a != b || a == c {
		t.Errorf("ETags %s %s %s: want the first two equal and the third different", a, b, c)
	}
	// The same tile asked for with today's date given or left out: same bytes, but only the
	// explicit date is long-lived.
	if cc := get(t, s, "/tiles/sites/1/1/0.mvt?at=2026-11-23").Header().Get("Cache-Control"); cc != "public, max-age=3600, stale-while-revalidate=86400" {
		t.Errorf("explicit date: Cache-Control %q", cc)
	}
	if cc := get(t, s, "/tiles/sites/1/1/0.mvt").Header().Get("Cache-Control"); cc != "public, max-age=300, stale-while-revalidate=3600" {
		t.Errorf("default date after the explicit one: Cache-Control %q", cc)
	}
	// HEAD answers the headers only; those of GET once the tile is cached (before, HEAD does not
	// draw it: see TestHeadDoesNotRender).
	get(t, s, "/tiles/basemap/0/0/0.png")
	head := httptest.NewRecorder()
	s.ServeHTTP(head, httptest.NewRequest(http.MethodHead, "/tiles/basemap/0/0/0.png", nil))
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes", head.Code, head.Body.Len())
	}
}

func TestBasemapTiles(t *testing.T) {
	s := tileServer(t)
	for _, tt := range []struct {
		target string
		size   int
	}{
		{"/tiles/basemap/0/0/0.png", 256},
		{"/tiles/basemap/0/0/0@2x.png", 512},
		{"/tiles/basemap/3/6/3.png", 256},
		{"/tiles/basemap/10/836/446@2x.png", 512},
		{"/tiles/basemap-dark/0/0/0.png", 256},
		{"/tiles/basemap-dark/3/6/3@2x.png", 512},
	} {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.size || b.Dy() != tt.size {
				t.Errorf("image is %v, want %d×%d", b, tt.size, tt.size)
			}
		})
	}
	ls := getTile(t, s, "/tiles/basemap/3/6/3.mvt")
	if len(ls) != 2 || ls[0].Name != basemap.LayerName || len(ls[0].Features) == 0 || ls[1].Name != basemap.LabelLayerName {
		t.Fatalf("want a non-empty layer %q and a layer %q, got %v", basemap.LayerName, basemap.LabelLayerName, ls)
	}
	var names []string
	for _, f := range ls[0].Features {
		names = append(names, f.Properties.MustString("iso2"))
	}
	if !slices.Contains(names, "CN") || !slices.Contains(names, "JP") {
		t.Errorf("tile 3/6/3 shows %v, want China and Japan among them", names)
	}
}

func TestTileJSON(t *testing.T) {
	s := tileServer(t)
	type vectorLayer struct {
		ID               string
		MinZoom, MaxZoom int
		Fields           map[string]string
	}
	type tileJSON struct {
		TileJSON     string        `json:"tilejson"`
		Tiles        []string      `json:"tiles"`
		MinZoom      int           `json:"minzoom"`
		MaxZoom      int           `json:"maxzoom"`
		Bounds       []float64     `json:"bounds"`
		Attribution  string        `json:"attribution"`
		VectorLayers []vectorLayer `json:"vector_layers"`
	}
	tests := []struct {
		name, target, tiles, attribution, layer string
		maxZoom                                 int
		fields                                  []string
		more                                    []vectorLayer // further layers, IDs and fields
	}{
		{"sites", "/tiles/sites.json", "http://example.com/tiles/sites/{z}/{x}/{y}.mvt", "Alibaba Cloud", "sites", 18, []string{"id", "status", "pending_status", "opened", "opened_from", "opened_to", "closed_to"}, nil},
		{"sites with filters", "/tiles/sites.json?at=2018-09-01", "http://example.com/tiles/sites/{z}/{x}/{y}.mvt?at=2018-09-01", "Alibaba Cloud", "sites", 18, nil, nil},
		{"sites with several filters", "/tiles/sites.json?status=active,closed&at=2018-09-01&q=hong%20kong", "http://example.com/tiles/sites/{z}/{x}/{y}.mvt?at=2018-09-01&q=hong+kong&status=active%2Cclosed", "Alibaba Cloud", "sites", 18, nil, nil},
		{"raster base map", "/tiles/basemap.json", "http://example.com/tiles/basemap/{z}/{x}/{y}.png", "Natural Earth", "", 10, nil, nil},
		{"dark raster base map", "/tiles/basemap-dark.json", "http://example.com/tiles/basemap-dark/{z}/{x}/{y}.png", "Natural Earth", "", 10, nil, nil},
		{"vector base map", "/tiles/basemap-vector.json", "http://example.com/tiles/basemap/{z}/{x}/{y}.mvt", "Natural Earth", "countries", 10, []string{"iso2", "name"},
			[]vectorLayer{{ID: "country_labels", MaxZoom: 10, Fields: map[string]string{"name": "String", "iso2": "String", "rank": "Number", "min_zoom": "Number"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaJSON {
				t.Fatalf("%d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			var doc tileJSON
			decode(t, rec, &doc)
			if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 || doc.Tiles[0] != tt.tiles {
				t.Errorf("tilejson %q, tiles %q, want %q", doc.TileJSON, doc.Tiles, tt.tiles)
			}
			if doc.MinZoom != 0 || doc.MaxZoom != tt.maxZoom || len(doc.Bounds) != 4 || doc.Bounds[2] != 180 {
				t.Errorf("zooms %d–%d, bounds %v", doc.MinZoom, doc.MaxZoom, doc.Bounds)
			}
			if !strings.Contains(doc.Attribution, tt.attribution) {
				t.Errorf("attribution %q does not credit %s", doc.Attribution, tt.attribution)
			}
			if tt.layer == "" {
				if len(doc.VectorLayers) != 0 {
					t.Errorf("a raster TileJSON with vector_layers")
				}
				return
			}
			if len(doc.VectorLayers) != 1+len(tt.more) || doc.VectorLayers[0].ID != tt.layer || doc.VectorLayers[0].MaxZoom != tt.maxZoom {
				t.Fatalf("vector_layers %+v", doc.VectorLayers)
			}
			for i, want := range tt.more {
				if got := doc.VectorLayers[1+i]; got.ID != want.ID || got.MaxZoom != want.MaxZoom || !maps.Equal(got.Fields, want.Fields) {
					t.Errorf("vector layer %+v, want %+v", got, want)
				}
			}
			for _, f := range tt.fields {
				if doc.VectorLayers[0].Fields[f] == "" {
					t.Errorf("field %q is not described", f)
				}
			}
		})
	}
	withBase := newTestServer(t, Options{BaseURL: "https://maps.example.org/dcatlas/"})
	var doc struct{ Tiles []string }
	decode(t, get(t, withBase, "/tiles/sites.json?at=2018-09-01"), &doc)
	if want := "https://maps.example.org/dcatlas/tiles/sites/{z}/{x}/{y}.mvt?at=2018-09-01"; len(doc.Tiles) != 1 || doc.Tiles[0] != want {
		t.Errorf("tiles %q, want %q", doc.Tiles, want)
	}
}

// TestTileOpenAPI checks that the OpenAPI document lists the tile endpoints the server has.
func TestTileOpenAPI(t *testing.T) {
	for _, tt := range []struct {
		name    string
		srv     *Server
		want    []string
		notWant []string
	}{
		{"with a base map", tileServer(t), []string{"/tiles/sites.json", "/tiles/sites/{z}/{x}/{y}.mvt", "/tiles/basemap.json", "/tiles/basemap-vector.json", "/tiles/basemap/{z}/{x}/{y}.png", "/tiles/basemap/{z}/{x}/{y}@2x.png", "/tiles/basemap/{z}/{x}/{y}.mvt", "/tiles/basemap-dark.json", "/tiles/basemap-dark/{z}/{x}/{y}.png", "/tiles/basemap-dark/{z}/{x}/{y}@2x.png"}, nil},
		{"without", newTestServer(t, Options{}), []string{"/tiles/sites.json", "/tiles/sites/{z}/{x}/{y}.mvt"}, []string{"/tiles/basemap.json", "/tiles/basemap/{z}/{x}/{y}.png"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var doc struct {
				Paths map[string]struct {
					Get struct {
						Parameters []struct{ Name, In string }
					}
				}
			}
			decode(t, get(t, tt.srv, "/api"), &doc)
			for _, p := range tt.want {
				op, ok := doc.Paths[p]
				if !ok {
					t.Errorf("%s is not documented", p)
					continue
				}
				var query, path []string
				for _, param := range op.Get.Parameters {
					if param.In == "query" {
						query = append(query, param.Name)
					} else {
						path = append(path, param.Name)
					}
				}
				if strings.Contains(p, "{z}") && !slices.Equal(path, []string{"z", "x", "y"}) {
					t.Errorf("%s: path parameters %v", p, path)
				}
				want := []string(nil)
				if strings.HasPrefix(p, "/tiles/sites") {
					want = tileParams()
				}
				if !slices.Equal(query, want) {
					t.Errorf("%s: query parameters %v, want %v", p, query, want)
				}
			}
			for _, p := range tt.notWant {
				if _, ok := doc.Paths[p]; ok {
					t.Errorf("%s is documented but not served", p)
				}
			}
		})
	}
}

// TestTileGDAL reads a site tile and a base-map tile with GDAL's MVT driver.
func TestTileGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (gdal-bin) is not on PATH: cannot check that GDAL reads the tiles")
	}
	s := tileServer(t)
	dir := t.TempDir()
	tests := []struct {
		name, target string
		z, x, y      int
		want         []string
	}{
		{"sites over Hong Kong", "/tiles/sites/5/26/13.mvt?at=2018-09-01", 5, 26, 13,
			[]string{"Layer name: sites", "Geometry: Point", "id (String) = alibaba-cn-hongkong", "id (String) = alibaba-cn-shenzhen", "opened_to (Integer", "status (String) = active"}},
		{"countries over East Asia", "/tiles/basemap/3/6/3.mvt", 3, 6, 3,
			[]string{"Layer name: countries", "iso2 (String) = JP", "iso2 (String) = CN", "MULTIPOLYGON",
				"Layer name: country_labels", "name (String) = China", "rank (Integer", "min_zoom (Integer", "POINT ("}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".mvt")
			if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("ogrinfo", "-ro", "-al", "-oo", fmt.Sprintf("Z=%d", tt.z), "-oo", fmt.Sprintf("X=%d", tt.x), "-oo", fmt.Sprintf("Y=%d", tt.y), path).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			for _, w := range tt.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("ogrinfo output lacks %q:\n%s", w, out)
				}
			}
			if !strings.HasPrefix(tt.name, "sites") {
				return
			}
			// GDAL places Hong Kong where it is, in Web Mercator metres, within one tile unit
			// (about 300 m at zoom 5).
			m := regexp.MustCompile(`(?s)id \(String\) = alibaba-cn-hongkong.*?POINT \(([-0-9.]+) ([-0-9.]+)\)`).FindSubmatch(out)
			if m == nil {
				t.Fatalf("no point for Hong Kong in:\n%s", out)
			}
			x, _ := strconv.ParseFloat(string(m[1]), 64)
			y, _ := strconv.ParseFloat(string(m[2]), 64)
			const r = 6378137.0
			wantX, wantY := r*114.1694*math.Pi/180, r*math.Log(math.Tan(math.Pi/4+22.3193*math.Pi/360))
			if math.Abs(x-wantX) > 400 || math.Abs(y-wantY) > 400 {
				t.Errorf("Hong Kong at %.0f, %.0f; want %.0f, %.0f", x, y, wantX, wantY)
			}
		})
	}
}

// BenchmarkTileBasemapCold renders base-map tiles with no cache: PNG at 1× and 2×, and MVT, at
// zooms 0 to 6 (tiles over Hong Kong). The Atlas's per-scale preparation is done before timing.
func BenchmarkTileBasemapCold(b *testing.B) {
	a := loadAtlas(b)
	for z := maptile.Zoom(0); z <= 6; z++ {
		tile := maptile.At(orb.Point{114.17, 22.32}, z)
		if _, err := a.RenderPNG(context.Background(), tile, 1, basemap.Light); err != nil {
			b.Fatal(err)
		}
		for _, format := range []string{"png", "png@2x", "mvt"} {
			b.Run(fmt.Sprintf("z%d/%s", z, format), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var err error
					switch format {
					case "png":
						_, err = a.RenderPNG(context.Background(), tile, 1, basemap.Light)
					case "png@2x":
						_, err = a.RenderPNG(context.Background(), tile, 2, basemap.Light)
					default:
						_, err = a.MVT(tile)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkTileSitesCold builds and encodes site tiles of the built-in data with no cache.
func BenchmarkTileSitesCold(b *testing.B) {
	s := newTestServer(b, Options{})
	at := dayOf(b, "2026-11-23")
	for _, tile := range []maptile.Tile{maptile.New(0, 0, 0), maptile.New(26, 13, 5), maptile.At(orb.Point{114.17, 22.32}, 12)} {
		b.Run(fmt.Sprintf("z%d", tile.Z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mvt.Marshal(mvt.Layers{s.ds.SiteLayer(tile, at, geo.Filter{})}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTileCacheHit serves cached tiles through the whole handler: routing, parsing, the cache
// lookup and writing (gzip for MVT, as browsers ask).
func BenchmarkTileCacheHit(b *testing.B) {
	s := newTestServer(b, Options{Atlas: loadAtlas(b)})
	for _, target := range []string{"/tiles/sites/2/3/1.mvt?at=2018-09-01", "/tiles/basemap/3/4/2.png", "/tiles/basemap/3/4/2.mvt"} {
		b.Run(strings.TrimPrefix(target, "/tiles/"), func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			if rec := httptest.NewRecorder(); true {
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d", rec.Code)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				s.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

// TestBasemapDarkTiles checks that the dark tiles are the light tiles' renderer in the dark
// palette: the same size, other colours, their own cache entry and ETag.
func TestBasemapDarkTiles(t *testing.T) {
	s := tileServer(t)
	decodeTile := func(target string) (image.Image, string) {
		t.Helper()
		rec := get(t, s, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		return img, rec.Header().Get("ETag")
	}
	light, lightTag := decodeTile("/tiles/basemap/2/2/1.png")
	dark, darkTag := decodeTile("/tiles/basemap-dark/2/2/1.png")
	if lightTag == darkTag {
		t.Errorf("light and dark tiles share the ETag %s", lightTag)
	}
	// The top-left corner of tile 2/2/1 is the Norwegian Sea: sea in each palette.
	for _, c := range []struct {
		img  image.Image
		want basemap.Color
	}{{light, basemap.Light.Colors().Sea}, {dark, basemap.Dark.Colors().Sea}} {
		got := color.NRGBAModel.Convert(c.img.At(2, 2)).(color.NRGBA)
		if got != c.want.NRGBA() {
			t.Errorf("sea pixel %v, want %s", got, c.want)
		}
	}
}
