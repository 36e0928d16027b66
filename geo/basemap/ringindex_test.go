package basemap

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestPolygonIndexMatchesOrb checks the indexed point-in-polygon test against orb's on every
// 1:10m country, at random points within each one's bound (points on the boundary, where the two may differ, aside).
func TestPolygonIndexMatchesOrb(t *testing.T) {
	l := testAtlas(t).layer(Scale10m)
	r := rand.New(rand.NewPCG(1, 2))
	polygons := l.polygonIndexes()
	checked := 0
	for i, c := range l.countries {
		for j, poly := range c.Shape {
			b := l.outerBounds[i][j]
			if b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1] {
				continue // a degenerate polygon: every point of its bound is on its boundary
			}
			for range 20 {
				p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
				if got, want := polygons[i][j].contains(p), planar.PolygonContains(poly, p); got != want {
					t.Fatalf("%s polygon %d at %v: indexed %v, orb %v", c.Name, j, p, got, want)
				}
				checked++
			}
		}
	}
	t.Logf("%d points checked", checked)
}
