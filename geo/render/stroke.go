package render

import (
	"math"

	"github.com/paulmach/orb"
)

// The raster backend fills polygons with golang.org/x/image/vector, which adds up the signed
// coverage of every edge and clamps the total: polygons wound the same way merge, opposite ones
// cancel. Strokes are therefore built from pieces that are all wound positively (their shoelace
// sum, with y down, is positive): a quadrilateral per segment, a disc or wedge per joint.

// area2 is twice the signed area of a polygon.
func area2(poly []orb.Point) float64 {
	var a float64
	for i, p := range poly {
		q := poly[(i+1)%len(poly)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a
}

// positive returns poly wound positively, reversing it in place if need be.
func positive(poly []orb.Point) []orb.Point {
	if area2(poly) < 0 {
		for i, j := 0, len(poly)-1; i < j; i, j = i+1, j-1 {
			poly[i], poly[j] = poly[j], poly[i]
		}
	}
	return poly
}

// arcSteps returns how many segments approximate an arc of radius r (device pixels) and angle a
// within a twentieth of a pixel.
func arcSteps(r, a float64) int {
	if r <= 0.05 {
		return 3
	}
	step := 2 * math.Acos(max(-1, 1-0.05/r))
	return max(3, min(512, int(math.Ceil(math.Abs(a)/step))))
}

// arc appends the points of an arc of c, radius r, from angle a0 to a1 (radians, y down).
func arc(dst []orb.Point, c orb.Point, r, a0, a1 float64) []orb.Point {
	n := arcSteps(r, a1-a0)
	for i := 0; i <= n; i++ {
		t := a0 + (a1-a0)*float64(i)/float64(n)
		dst = append(dst, orb.Point{c[0] + r*math.Cos(t), c[1] + r*math.Sin(t)})
	}
	return dst
}

// disc returns a positively wound polygon approximating the circle of c and radius r.
func disc(c orb.Point, r float64) []orb.Point {
	n := arcSteps(r, 2*math.Pi)
	poly := make([]orb.Point, n)
	for i := range poly {
		t := 2 * math.Pi * float64(i) / float64(n)
		poly[i] = orb.Point{c[0] + r*math.Cos(t), c[1] + r*math.Sin(t)}
	}
	return poly
}

// reversed returns a reversed copy of poly.
func reversed(poly []orb.Point) []orb.Point {
	out := make([]orb.Point, len(poly))
	for i, p := range poly {
		out[len(poly)-1-i] = p
	}
	return out
}

// ring returns the band between radii r0 < r1 around c: a positive outer and a negative inner
// circle.
func ring(dst [][]orb.Point, c orb.Point, r0, r1 float64) [][]orb.Point {
	dst = append(dst, disc(c, r1))
	if r0 > 0 {
		dst = append(dst, reversed(disc(c, r0)))
	}
	return dst
}

// dashedRing returns the dashes of a ring between r0 and r1, laid along the centre line r from
// angle 0 clockwise (on screen) as SVG does: lengths in dash alternate on and off.
func dashedRing(dst [][]orb.Point, c orb.Point, r0, r1, r float64, dash []float64) [][]orb.Point {
	total := 2 * math.Pi * r
	var sum float64
	for _, d := range dash {
		sum += d
	}
	if sum <= 0 || total <= 0 {
		return ring(dst, c, r0, r1)
	}
	pos, i := 0.0, 0
	for n := 0; pos < total && n < 10000; n++ {
		l := dash[i%len(dash)]
		if i%2 == 0 && l > 0 {
			end := min(total, pos+l)
			a0, a1 := pos/r, end/r
			band := arc(nil, c, r1, a0, a1)
			inner := arc(nil, c, max(0, r0), a0, a1)
			for j := len(inner) - 1; j >= 0; j-- {
				band = append(band, inner[j])
			}
			dst = append(dst, positive(band))
		}
		pos += l
		i++
	}
	return dst
}

// roundRect returns a positively wound rectangle with corners rounded to radius rx.
func roundRect(x, y, w, h, rx float64) []orb.Point {
	rx = max(0, min(rx, w/2, h/2))
	if rx == 0 {
		return []orb.Point{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}
	}
	var poly []orb.Point
	poly = arc(poly, orb.Point{x + w - rx, y + rx}, rx, -math.Pi/2, 0)
	poly = arc(poly, orb.Point{x + w - rx, y + h - rx}, rx, 0, math.Pi/2)
	poly = arc(poly, orb.Point{x + rx, y + h - rx}, rx, math.Pi/2, math.Pi)
	poly = arc(poly, orb.Point{x + rx, y + rx}, rx, math.Pi, 3*math.Pi/2)
	return poly
}

// wedgeAngle is the turn below which a round join is drawn as a wedge: the gap it fills is then
// under a tenth of a pixel from a true round join for strokes up to 4 pixels wide.
const wedgeAngle = 0.35

// strokePolyline appends the pieces of the polyline pts stroked hw either side, with round joins,
// and round caps when roundCap is set (butt caps otherwise).
func strokePolyline(dst [][]orb.Point, pts []orb.Point, closed bool, hw float64, roundCap bool) [][]orb.Point {
	// Drop repeated points, and the closing point of a closed polyline.
	clean := make([]orb.Point, 0, len(pts))
	for _, p := range pts {
		if n := len(clean); n > 0 && math.Abs(p[0]-clean[n-1][0]) < 1e-9 && math.Abs(p[1]-clean[n-1][1]) < 1e-9 {
			continue
		}
		clean = append(clean, p)
	}
	if closed && len(clean) > 1 && clean[0] == clean[len(clean)-1] {
		clean = clean[:len(clean)-1]
	}
	n := len(clean)
	if n == 0 || hw <= 0 {
		return dst
	}
	if n == 1 {
		if roundCap {
			dst = append(dst, disc(clean[0], hw))
		}
		return dst
	}
	segs := n - 1
	if closed {
		segs = n
	}
	normal := func(i int) orb.Point {
		a, b := clean[i], clean[(i+1)%n]
		dx, dy := b[0]-a[0], b[1]-a[1]
		d := math.Hypot(dx, dy)
		return orb.Point{-dy / d * hw, dx / d * hw}
	}
	for i := range segs {
		a, b := clean[i], clean[(i+1)%n]
		nv := normal(i)
		dst = append(dst, []orb.Point{
			{a[0] - nv[0], a[1] - nv[1]}, {b[0] - nv[0], b[1] - nv[1]},
			{b[0] + nv[0], b[1] + nv[1]}, {a[0] + nv[0], a[1] + nv[1]},
		})
	}
	// Joins: at every inner vertex, and at every vertex of a closed polyline.
	for i := range n {
		if !closed && (i == 0 || i == n-1) {
			continue
		}
		prev := (i - 1 + n) % n
		n1, n2 := normal(prev), normal(i)
		turn := math.Abs(math.Atan2(n1[0]*n2[1]-n1[1]*n2[0], n1[0]*n2[0]+n1[1]*n2[1]))
		p := clean[i]
		if turn < wedgeAngle {
			dst = append(dst,
				positive([]orb.Point{p, {p[0] + n1[0], p[1] + n1[1]}, {p[0] + n2[0], p[1] + n2[1]}}),
				positive([]orb.Point{p, {p[0] - n1[0], p[1] - n1[1]}, {p[0] - n2[0], p[1] - n2[1]}}))
		} else {
			dst = append(dst, disc(p, hw))
		}
	}
	if roundCap && !closed {
		dst = append(dst, disc(clean[0], hw), disc(clean[n-1], hw))
	}
	return dst
}
