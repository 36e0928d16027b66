package basemap

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestWorldShapes checks the offsets of the drawing geometry: every ring of every polygon, holes
// included, comes back converted and in order, empty polygons are left out, a long arc is cut into
// stretches that share their ends, and no ring or line can be appended to over the next.
func TestWorldShapes(t *testing.T) {
	square := func(x, y, d float64) orb.Ring {
		return orb.Ring{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}
	}
	long := make(orb.LineString, 150)
	for i := range long {
		long[i] = orb.Point{float64(i) / 2, 10}
	}
	cs := []Country{
		{Name: "A", Shape: orb.MultiPolygon{
			{square(0, 0, 10), square(2, 2, 2), square(5, 5, 1)}, // two holes
			{},
			{square(20, 0, 5)},
		}},
		{Name: "B", Shape: orb.MultiPolygon{{square(-30, -30, 3)}}},
	}
	borders := orb.MultiLineString{{{0, 0}, {1, 1}}, long}
	coasts := orb.MultiLineString{{{5, 5}, {6, 6}, {7, 5}}}
	w := newWorldShapes(cs, borders, coasts)

	toW := func(r []orb.Point) []orb.Point {
		out := make([]orb.Point, len(r))
		for i, p := range r {
			out[i] = toWorld(p)
		}
		return out
	}
	type poly struct {
		country int
		rings   []orb.Ring
	}
	var want []poly
	for ci, c := range cs {
		for _, p := range c.Shape {
			if len(p) > 0 {
				want = append(want, poly{ci, p})
			}
		}
	}
	if len(w.polys) != len(want) {
		t.Fatalf("%d polygons, want %d (the empty one left out)", len(w.polys), len(want))
	}
	for i, wp := range w.polys {
		rings := w.rings(wp, nil)
		if wp.country != want[i].country || len(rings) != len(want[i].rings) {
			t.Fatalf("polygon %d: country %d with %d rings, want %d with %d", i, wp.country, len(rings), want[i].country, len(want[i].rings))
		}
		for j, r := range rings {
			if !slices.Equal(r, toW(want[i].rings[j])) {
				t.Errorf("polygon %d ring %d: %v, want %v", i, j, r, toW(want[i].rings[j]))
			}
			if cap(r) != len(r) {
				t.Errorf("polygon %d ring %d: capacity %d beyond its %d points", i, j, cap(r), len(r))
			}
		}
		if wp.bound != boundOf(rings[0]) {
			t.Errorf("polygon %d: bound %v, not its exterior's", i, wp.bound)
		}
	}

	var got [2][]orb.Point // the borders' and the coasts' points, stretches joined at shared ends
	for _, wl := range w.lines {
		l := w.line(wl)
		if len(l) < 2 || len(l) > maxLinePoints || cap(l) != len(l) || wl.bound != boundOf(l) {
			t.Errorf("stretch %v: %d points, capacity %d, bound %v", wl, len(l), cap(l), boundOf(l))
		}
		k := &got[wl.kind]
		if n := len(*k); n > 0 && (*k)[n-1] == l[0] {
			l = l[1:]
		}
		*k = append(*k, l...)
	}
	var wantBorders []orb.Point
	for _, ls := range borders {
		wantBorders = append(wantBorders, toW(ls)...)
	}
	if !slices.Equal(got[lineBorder], wantBorders) {
		t.Errorf("borders: %d points, want %d", len(got[lineBorder]), len(wantBorders))
	}
	if !slices.Equal(got[lineCoast], toW(coasts[0])) {
		t.Errorf("coasts: %v, want %v", got[lineCoast], toW(coasts[0]))
	}
	n := 0
	for _, wl := range w.lines {
		if wl.kind == lineBorder {
			n++
		}
	}
	if n != 1+3 { // a short arc, and 150 points in stretches of 64 sharing their ends
		t.Errorf("%d border stretches, want 4", n)
	}
}
