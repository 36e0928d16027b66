package render

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestStrokePiecesArePositive checks that every piece of a stroke winds the same way, whatever
// the direction of the line, so that the rasterizer adds their overlaps instead of cancelling them.
func TestStrokePiecesArePositive(t *testing.T) {
	lines := map[string][]orb.Point{
		"east":           {{0, 0}, {10, 0}},
		"west":           {{10, 0}, {0, 0}},
		"zigzag":         {{0, 0}, {10, 5}, {0, 10}, {10, 15}},
		"sharp turn":     {{0, 0}, {10, 0}, {0, 0.5}},
		"gentle curve":   {{0, 0}, {10, 0.5}, {20, 1.5}, {30, 3}},
		"repeated point": {{0, 0}, {0, 0}, {5, 5}},
	}
	for name, pts := range lines {
		for _, closed := range []bool{false, true} {
			pieces := strokePolyline(nil, pts, closed, 1.5, true)
			if len(pieces) == 0 {
				t.Errorf("%s: no pieces", name)
			}
			for i, p := range pieces {
				if a := area2(p); a < -1e-9 {
					t.Errorf("%s (closed %v): piece %d wound negatively (%v)", name, closed, i, a)
				}
			}
		}
	}
	// A straight segment with butt caps is one rectangle: length × width.
	pieces := strokePolyline(nil, []orb.Point{{0, 0}, {3, 4}}, false, 1, false)
	if len(pieces) != 1 || math.Abs(area2(pieces[0])/2-5*2) > 1e-9 {
		t.Errorf("segment stroke %v", pieces)
	}
}

func TestRingsAndDashes(t *testing.T) {
	c := orb.Point{10, 10}
	r := ring(nil, c, 4, 6)
	if len(r) != 2 || area2(r[0]) <= 0 || area2(r[1]) >= 0 {
		t.Fatalf("ring: outer and inner circles must wind opposite ways: %v, %v", area2(r[0]), area2(r[1]))
	}
	if got, want := (area2(r[0])+area2(r[1]))/2, math.Pi*(36-16); math.Abs(got-want)/want > 0.01 {
		t.Errorf("ring area %v, want %v", got, want)
	}
	// The pending ring: circumference 2π·10.6 ≈ 66.6, dashes of 3.2 every 5.6: 12 dashes, the last
	// one cut short.
	dashes := dashedRing(nil, c, 9.8, 11.4, 10.6, []float64{3.2, 2.4})
	if len(dashes) != 12 {
		t.Errorf("%d dashes, want 12", len(dashes))
	}
	for i, d := range dashes {
		if area2(d) <= 0 {
			t.Errorf("dash %d wound negatively", i)
		}
	}
	if got := roundRect(0, 0, 10, 4, 1); math.Abs(area2(got)/2-(40-(4-math.Pi))) > 0.2 {
		t.Errorf("rounded rectangle area %v", area2(got)/2)
	}
}
