package basemap

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestWrapLon(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0, 0}, {179, 179}, {180, -180}, {-180, -180}, {181, -179}, {-181, 179}, {359.5, -0.5}, {-360, 0}, {720, 0},
	}
	for _, tt := range tests {
		if got := wrapLon(tt.in); got != tt.want {
			t.Errorf("wrapLon(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPlanarPolygons(t *testing.T) {
	tests := []struct {
		name    string
		polygon orb.Polygon
		in, out []orb.Point // points that must be inside and outside the result
		pieces  int
	}{
		{
			name:    "planar square kept",
			polygon: orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}},
			in:      []orb.Point{{0.5, 0.5}},
			out:     []orb.Point{{1.5, 0.5}},
			pieces:  1,
		},
		{
			name:    "island across the antimeridian",
			polygon: orb.Polygon{{{179, -16}, {-179, -16}, {-179, -17}, {179, -17}, {179, -16}}},
			in:      []orb.Point{{179.5, -16.5}, {-179.5, -16.5}},
			out:     []orb.Point{{0, -16.5}, {178, -16.5}, {-178, -16.5}},
			pieces:  2,
		},
		{
			name: "hole across the antimeridian",
			polygon: orb.Polygon{
				{{170, 0}, {-170, 0}, {-170, 10}, {170, 10}, {170, 0}},
				{{179, 4}, {179, 6}, {-179, 6}, {-179, 4}, {179, 4}},
			},
			in:     []orb.Point{{175, 5}, {-175, 5}},
			out:    []orb.Point{{179.5, 5}, {-179.5, 5}, {0, 5}},
			pieces: 2,
		},
		{
			name:    "ring round the south pole",
			polygon: orb.Polygon{{{-180, -70}, {-60, -65}, {60, -72}, {180, -70}, {-180, -70}}},
			in:      []orb.Point{{0, -80}, {0, -89.9}, {-170, -75}},
			out:     []orb.Point{{0, -60}, {0, 0}},
			pieces:  1,
		},
		{
			name: "coast as a hole of a tiny polar cap, as in 1:50m",
			polygon: orb.Polygon{
				{{-180, -89.999}, {-60, -89.999}, {60, -89.999}, {180, -89.999}, {-180, -89.999}},
				{{-180, -70}, {-60, -65}, {60, -72}, {180, -70}, {-180, -70}},
			},
			in:     []orb.Point{{0, -80}, {120, -85}},
			out:    []orb.Point{{0, -60}},
			pieces: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := orb.MultiPolygon(planarPolygons(tt.polygon))
			if len(got) != tt.pieces {
				t.Errorf("%d pieces, want %d: %v", len(got), tt.pieces, got)
			}
			for _, p := range tt.in {
				if !planar.MultiPolygonContains(got, p) {
					t.Errorf("%v not inside %v", p, got)
				}
			}
			for _, p := range tt.out {
				if planar.MultiPolygonContains(got, p) {
					t.Errorf("%v inside %v", p, got)
				}
			}
		})
	}
}

func TestPlanarLines(t *testing.T) {
	tests := []struct {
		name string
		line orb.LineString
		want orb.MultiLineString
	}{
		{"planar", orb.LineString{{0, 0}, {10, 10}}, orb.MultiLineString{{{0, 0}, {10, 10}}}},
		{"across the antimeridian", orb.LineString{{178, 0}, {-178, 4}},
			orb.MultiLineString{{{178, 0}, {180, 2}}, {{-180, 2}, {-178, 4}}}},
		{"one point", orb.LineString{{0, 0}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := orb.MultiLineString(planarLines(tt.line))
			if !got.Equal(tt.want) {
				t.Errorf("planarLines(%v) = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}
