package basemap

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// labelZooms are the zooms the placement tests look at: those the server serves.
const labelZooms = 10

// TestLabelsDoNotOverlap checks that no two names of a zoom come within
// labelGap pixels of each other, across the antimeridian too.
func TestLabelsDoNotOverlap(t *testing.T) {
	a := testAtlas(t)
	for z := 0; z <= labelZooms; z++ {
		t.Run(fmt.Sprintf("z%d", z), func(t *testing.T) {
			labels, err := a.Labels(z)
			if err != nil {
				t.Fatal(err)
			}
			world := TileSize * math.Ldexp(1, z)
			for i, l := range labels {
				if w := l.Box.Max[0] - l.Box.Min[0]; !(w > 0) || l.Box.Max[1] <= l.Box.Min[1] {
					t.Errorf("%s: empty box %v", l.Name, l.Box)
				}
				for _, m := range labels[:i] {
					for _, k := range []float64{-world, 0, world} {
						b := m.Box
						b.Min[0] += k
						b.Max[0] += k
						if l.Box.Pad(labelGap/2 - 1e-9).Intersects(b.Pad(labelGap/2 - 1e-9)) {
							t.Errorf("%s %v and %s %v overlap", l.Name, l.Box, m.Name, b)
						}
					}
				}
			}
		})
	}
}

// TestLabelPointsInsideCountries checks that every name is centred inside its
// country, and that a country is named at most once per zoom.
func TestLabelPointsInsideCountries(t *testing.T) {
	a := testAtlas(t)
	shapes := make(map[string][]orb.MultiPolygon)
	for _, c := range a.Countries(labelScale) {
		shapes[c.Name] = append(shapes[c.Name], c.Shape)
	}
	for z := 0; z <= labelZooms; z++ {
		labels, err := a.Labels(z)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, l := range labels {
			if seen[l.Name] {
				t.Errorf("z%d: %s named twice", z, l.Name)
			}
			seen[l.Name] = true
			if !slices.ContainsFunc(shapes[l.Name], func(mp orb.MultiPolygon) bool { return planar.MultiPolygonContains(mp, l.Point) }) {
				t.Errorf("z%d: %s's label point %v is outside it", z, l.Name, l.Point)
			}
			if l.MinZoom > z {
				t.Errorf("z%d: %s placed before its MinZoom %d", z, l.Name, l.MinZoom)
			}
		}
	}
}

// TestLabelZooms checks where names first appear and that larger countries
// win: names appear from the zoom where they fit, by size.
func TestLabelZooms(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name       string
		absentAt   int // -1: placed from z0
		presentAt  int
		wantBefore string // a smaller country ranked after it, or ""
	}{
		{"Russia", -1, 0, "China"},
		{"China", 0, 1, "Germany"},
		{"Brazil", 0, 1, ""},
		{"United States of America", 2, 3, ""}, // a long name for its width
		{"Germany", 2, 3, "Czechia"},
		{"Czechia", 3, 4, ""},
		{"Taiwan", 4, 5, ""},
		{"Hong Kong", 7, 8, ""},
		{"Singapore", 8, 9, ""},
	}
	rank := func(z int, name string) int {
		labels, err := a.Labels(z)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range labels {
			if l.Name == name {
				return l.Rank
			}
		}
		return 0
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.absentAt >= 0 && rank(tt.absentAt, tt.name) != 0 {
				t.Errorf("named at z%d, where it does not fit", tt.absentAt)
			}
			r := rank(tt.presentAt, tt.name)
			if r == 0 {
				t.Fatalf("not named at z%d", tt.presentAt)
			}
			if tt.wantBefore != "" {
				if other := rank(labelZooms, tt.wantBefore); other <= r {
					t.Errorf("rank %d, %s %d: want the larger country first", r, tt.wantBefore, other)
				}
			}
		})
	}
}

// TestLabelCutByTileEdge checks that a name cut by a tile edge is drawn in
// both tiles and lines up: each tile's names are the same pixels as those
// of one image spanning both tiles.
func TestLabelCutByTileEdge(t *testing.T) {
	a := testAtlas(t)
	for _, tt := range []struct {
		z     int
		ratio float64
	}{{3, 1}, {4, 1}, {4, 2}, {5, 1}, {6, 2}} {
		t.Run(fmt.Sprintf("z%d@%gx", tt.z, tt.ratio), func(t *testing.T) {
			labels, err := a.Labels(tt.z)
			if err != nil {
				t.Fatal(err)
			}
			// The first name, largest country first, that a vertical tile edge cuts well inside it.
			var cut *Label
			var edge float64
			for i, l := range labels {
				e := math.Ceil(l.Box.Min[0]/TileSize) * TileSize
				if e-l.Box.Min[0] > 8 && l.Box.Max[0]-e > 8 && e > 0 && e < TileSize*math.Ldexp(1, tt.z) {
					cut, edge = &labels[i], e
					break
				}
			}
			if cut == nil {
				t.Fatal("no name is cut by a tile edge")
			}
			n := uint32(1) << tt.z
			x := uint32(edge/TileSize) - 1
			y := uint32((cut.Box.Min[1] + cut.Box.Max[1]) / 2 / TileSize)
			size := int(TileSize * tt.ratio)
			left, leftHalo, err := a.nameMask(maptile.New(x, y, maptile.Zoom(tt.z)), tt.ratio, size)
			if err != nil {
				t.Fatal(err)
			}
			right, rightHalo, err := a.nameMask(maptile.New((x+1)%n, y, maptile.Zoom(tt.z)), tt.ratio, size)
			if err != nil {
				t.Fatal(err)
			}
			if left == nil || right == nil {
				t.Fatalf("%s is cut by the edge at x=%g but missing from a tile (left %v, right %v)", cut.Name, edge, left != nil, right != nil)
			}
			both, bothHalo, err := a.namesAt(labels, orb.Point{float64(x) * TileSize, float64(y) * TileSize}, tt.ratio, TileSize*float64(n), 2*size, size)
			if err != nil {
				t.Fatal(err)
			}
			for py := range size {
				for px := range size {
					if l, w := left.AlphaAt(px, py).A, both.AlphaAt(px, py).A; l != w {
						t.Fatalf("left tile (%d,%d) = %d, the two-tile image %d", px, py, l, w)
					}
					if r, w := right.AlphaAt(px, py).A, both.AlphaAt(size+px, py).A; r != w {
						t.Fatalf("right tile (%d,%d) = %d, the two-tile image %d", px, py, r, w)
					}
					// The halo too, spread across the edge.
					if l, w := leftHalo.AlphaAt(px, py).A, bothHalo.AlphaAt(px, py).A; l != w {
						t.Fatalf("left tile's halo (%d,%d) = %d, the two-tile image's %d", px, py, l, w)
					}
					if r, w := rightHalo.AlphaAt(px, py).A, bothHalo.AlphaAt(size+px, py).A; r != w {
						t.Fatalf("right tile's halo (%d,%d) = %d, the two-tile image's %d", px, py, r, w)
					}
				}
			}
			// The name has ink on both sides, near the shared edge.
			top := int((cut.Box.Min[1] - float64(y)*TileSize) * tt.ratio)
			bottom := int((cut.Box.Max[1] - float64(y)*TileSize) * tt.ratio)
			near := int(8 * tt.ratio)
			if !inked(left, image.Rect(size-near, top, size, bottom)) || !inked(right, image.Rect(0, top, near, bottom)) {
				t.Errorf("%s: no ink within %d px of the edge on one side", cut.Name, near)
			}
		})
	}
}

// inked reports whether m has any coverage inside r.
func inked(m *image.Alpha, r image.Rectangle) bool {
	r = r.Intersect(m.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if m.AlphaAt(x, y).A > 0 {
				return true
			}
		}
	}
	return false
}

// TestLabelsInTiles checks that the names reach the PNG tiles of both
// palettes in their label colour.
func TestLabelsInTiles(t *testing.T) {
	a := testAtlas(t)
	tile := maptile.At(orb.Point{15, 50}, 4) // central Europe: Germany, Poland, Czechia, ...
	for _, p := range Palettes() {
		img, err := a.Render(context.Background(), tile, TileSize, p)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := a.render(context.Background(), tile, TileSize, p, false)
		if err != nil {
			t.Fatal(err)
		}
		label := p.Colors().Label.NRGBA()
		n, changed := 0, 0
		for y := range TileSize {
			for x := range TileSize {
				c := img.RGBAAt(x, y)
				if c.R == label.R && c.G == label.G && c.B == label.B {
					n++
				}
				if c != plain.RGBAAt(x, y) {
					changed++
				}
			}
		}
		if n < 20 || changed > TileSize*TileSize/8 {
			t.Errorf("%s: %d pixels in the label colour, %d pixels changed by the names", p, n, changed)
		}
	}
}

func TestPoleOfInaccessibility(t *testing.T) {
	square := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	tests := []struct {
		name   string
		rings  []orb.Ring
		want   orb.Point
		radius float64
	}{
		{"square", []orb.Ring{square}, orb.Point{5, 5}, 5},
		// An L of arms 4 wide: the widest place is in the corner, where the circle touches both
		// outer edges and the inner corner (4, 4): centre (a, a) with a = √2(4 − a).
		{"L", []orb.Ring{{{0, 0}, {10, 0}, {10, 4}, {4, 4}, {4, 10}, {0, 10}, {0, 0}}}, orb.Point{4 * math.Sqrt2 / (1 + math.Sqrt2), 4 * math.Sqrt2 / (1 + math.Sqrt2)}, 4 * math.Sqrt2 / (1 + math.Sqrt2)},
		// A square with a hole in its middle: the point is off the hole, midway to the edge.
		// A square with a hole in its middle: the widest places are in the corners, where the
		// circle touches two outer edges and a corner of the hole: a = √2(3 − a).
		{"square with a hole", []orb.Ring{square, {{3, 3}, {3, 7}, {7, 7}, {7, 3}, {3, 3}}}, orb.Point{}, 3 * math.Sqrt2 / (1 + math.Sqrt2)},
		{"flat", []orb.Ring{{{0, 0}, {10, 0}, {0, 0}}}, orb.Point{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := orb.Polygon(tt.rings).Bound()
			p, r := poleOfInaccessibility(tt.rings, b)
			if math.Abs(r-tt.radius) > 0.05 {
				t.Errorf("radius %.3f, want %.3f", r, tt.radius)
			}
			if tt.radius > 0 && !planar.PolygonContains(orb.Polygon(tt.rings), p) {
				t.Errorf("point %v is outside", p)
			}
			if tt.want != (orb.Point{}) && planar.Distance(p, tt.want) > 0.1 {
				t.Errorf("point %v, want %v", p, tt.want)
			}
		})
	}
}

func TestFromWorld(t *testing.T) {
	for _, p := range []orb.Point{{0, 0}, {114.17, 22.32}, {-175, 66}, {8.68, 50.11}, {-70, -53}} {
		if got := fromWorld(toWorld(p)); planar.Distance(got, p) > 1e-9 {
			t.Errorf("fromWorld(toWorld(%v)) = %v", p, got)
		}
	}
}

// BenchmarkNames measures what the country names add to a tile: the same tile drawn with and
// without them (Frankfurt: Germany and its neighbours are named from z3).
func BenchmarkNames(b *testing.B) {
	a := testAtlas(b)
	for _, z := range []maptile.Zoom{2, 4, 6} {
		tile := maptile.At(orb.Point{8.6821, 50.1109}, z)
		for _, size := range []int{TileSize, 2 * TileSize} {
			for _, names := range []bool{false, true} {
				b.Run(fmt.Sprintf("z%d/%dpx/names=%v", z, size, names), func(b *testing.B) {
					if _, err := a.render(context.Background(), tile, size, Dark, names); err != nil { // builds the geometry and places the names
						b.Fatal(err)
					}
					for b.Loop() {
						if _, err := a.render(context.Background(), tile, size, Dark, names); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
