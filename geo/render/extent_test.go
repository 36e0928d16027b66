package render

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"dcatlas/geo"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestExtentView(t *testing.T) {
	tests := []struct {
		name string
		ext  Extent
		w, h float64
		// want: the lon/lat at the view's centre, its zoom, and its lon/lat corners (NaN: unchecked).
		center   orb.Point
		zoom     float64
		west     float64
		east     float64
		north    float64
		south    float64
		tolDeg   float64
		tolZoom  float64
		skipLats bool
	}{
		{
			name: "world: exactly one world wide, the 58°S to 80°N band centred",
			ext:  Extent{}, w: 1200, h: 800,
			center: orb.Point{0, 32.17}, zoom: math.Log2(1200.0 / 256), west: -180, east: 180, north: 82.6, south: -64.9,
			tolDeg: 0.5, tolZoom: 1e-9,
		},
		{
			name: "whole-world bbox on a landscape map loses the poles, around the equator",
			ext:  BoundExtent(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}), w: 1200, h: 800,
			center: orb.Point{0, 0}, zoom: math.Log2(1200.0 / 256), west: -180, east: 180, north: 76.3, south: -76.3,
			tolDeg: 0.5, tolZoom: 1e-9,
		},
		{
			name: "Europe: the bbox is taller than 3:2, so it is widened",
			ext:  BoundExtent(europe), w: 1200, h: 800,
			center: orb.Point{9.5, 49.04}, north: 60, south: 35, zoom: math.NaN(), west: math.NaN(), east: math.NaN(),
			tolDeg: 0.05,
		},
		{
			name: "a wide strip is made taller",
			ext:  BoundExtent(orb.Bound{Min: orb.Point{-100, 0}, Max: orb.Point{100, 10}}), w: 800, h: 800,
			center: orb.Point{0, 5}, west: -100, east: 100, zoom: math.NaN(), north: math.NaN(), south: math.NaN(),
			tolDeg: 0.05,
		},
		{
			name: "centre and zoom",
			ext:  CenterExtent(orb.Point{114.17, 22.32}, 5), w: 512, h: 512,
			center: orb.Point{114.17, 22.32}, zoom: 5, west: 114.17 - 11.25, east: 114.17 + 11.25, north: math.NaN(), south: math.NaN(),
			tolDeg: 1e-6, tolZoom: 1e-9,
		},
		{
			name: "a centre near the pole is moved to keep the map in the world",
			ext:  CenterExtent(orb.Point{0, 85}, 2), w: 1024, h: 512,
			center: orb.Point{0, math.NaN()}, zoom: 2, north: geo.MercatorMaxLat, west: -180, east: 180, south: math.NaN(),
			tolDeg: 1e-6, tolZoom: 1e-9,
		},
		{
			name: "one site: zoom 4 around it",
			ext:  SitesExtent([]orb.Point{{8.68, 50.11}}), w: 1200, h: 800,
			center: orb.Point{8.68, 50.11}, zoom: 4, west: math.NaN(), east: math.NaN(), north: math.NaN(), south: math.NaN(),
			tolDeg: 1e-6, tolZoom: 1e-9,
		},
		{
			name: "two sites close together: at most zoom 5",
			ext:  SitesExtent([]orb.Point{{120.15, 30.28}, {121.47, 31.23}}), w: 1200, h: 800,
			center: orb.Point{120.81, math.NaN()}, zoom: 5, west: math.NaN(), east: math.NaN(), north: math.NaN(), south: math.NaN(),
			tolDeg: 0.01, tolZoom: 1e-9,
		},
		{
			name: "no site: the world",
			ext:  SitesExtent(nil), w: 1200, h: 800,
			center: orb.Point{0, 32.17}, zoom: math.Log2(1200.0 / 256), west: -180, east: 180, north: math.NaN(), south: math.NaN(),
			tolDeg: 0.5, tolZoom: 1e-9,
		},
	}
	check := func(t *testing.T, what string, got, want, tol float64) {
		t.Helper()
		if !math.IsNaN(want) && !near(got, want, tol) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.ext.view(tt.w, tt.h)
			if v.w != tt.w || v.h != tt.h || !(v.s > 0) {
				t.Errorf("view %+v", v)
			}
			cx, cy := v.x0+v.w/2/v.s, v.y0+v.h/2/v.s
			check(t, "centre longitude", lonOf(cx), tt.center[0], tt.tolDeg)
			check(t, "centre latitude", latOf(cy), tt.center[1], tt.tolDeg)
			check(t, "zoom", v.zoom(), tt.zoom, tt.tolZoom)
			check(t, "west", lonOf(v.x0), tt.west, tt.tolDeg)
			check(t, "east", lonOf(v.x0+v.w/v.s), tt.east, tt.tolDeg)
			check(t, "north", latOf(v.y0), tt.north, tt.tolDeg)
			check(t, "south", latOf(v.y0+v.h/v.s), tt.south, tt.tolDeg)
		})
	}
}

// TestExtentContainsBound checks that a bound extent shows all of its bound, and that a map is
// never wider than the world: a bound too tall for a very wide map loses its edges instead.
func TestExtentContainsBound(t *testing.T) {
	for _, b := range []orb.Bound{
		europe,
		{Min: orb.Point{60, -12}, Max: orb.Point{150, 50}},
		{Min: orb.Point{-122.5, -34}, Max: orb.Point{151.2, 52.4}},
		{Min: orb.Point{10, 10}, Max: orb.Point{10, 10}},
	} {
		for _, size := range [][2]float64{{1200, 800}, {800, 1200}, {64, 2048}, {2048, 64}} {
			v := BoundExtent(b).view(size[0], size[1])
			if v.w/v.s > 1+1e-12 {
				t.Errorf("%v at %v: view %v worlds wide", b, size, v.w/v.s)
			}
			if size[0]/size[1] > (worldX(b.Max[0])-worldX(b.Min[0]))/(worldY(b.Min[1])-worldY(b.Max[1])) && size[1]/v.s < worldY(b.Min[1])-worldY(b.Max[1]) {
				continue // wider than the world would be needed: cropped, as documented
			}
			west, east := lonOf(v.x0), lonOf(v.x0+v.w/v.s)
			north, south := latOf(max(0, v.y0)), latOf(min(1, v.y0+v.h/v.s))
			if west > b.Min[0]+1e-6 || east < b.Max[0]-1e-6 || north < b.Max[1]-1e-6 || south > b.Min[1]+1e-6 {
				t.Errorf("%v at %v: view %v..%v × %v..%v does not hold it", b, size, west, east, south, north)
			}
		}
	}
}

func TestSpecChecks(t *testing.T) {
	tests := []struct {
		name string
		spec MapSpec
	}{
		{"too small", MapSpec{Width: 63, Height: 100}},
		{"too large", MapSpec{Width: 100, Height: 2049}},
		{"scale 3", MapSpec{Width: 100, Height: 100, Scale: 3}},
		{"zoom too deep", MapSpec{Width: 100, Height: 100, Extent: CenterExtent(orb.Point{0, 0}, 19)}},
		{"NaN bound", MapSpec{Width: 100, Height: 100, Extent: BoundExtent(orb.Bound{Min: orb.Point{math.NaN(), 0}})}},
		{"marker at infinity", MapSpec{Width: 100, Height: 100, Markers: []Marker{{Point: orb.Point{math.Inf(1), 0}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []Format{PNG, SVG} {
				if err := Map(context.Background(), discard{}, nil, tt.spec, f); err == nil {
					t.Errorf("%v: no error", f)
				}
			}
		})
	}
	if err := Timeline(context.Background(), discard{}, TimelineSpec{Width: 5000, Height: 100}, SVG); err == nil {
		t.Error("a 5000-pixel timeline was drawn")
	}
	if err := Map(context.Background(), discard{}, nil, MapSpec{Width: 100, Height: 100}, Format(7)); err == nil {
		t.Error("an unknown format was drawn")
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
