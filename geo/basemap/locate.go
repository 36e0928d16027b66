package basemap

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// earthRadiusKm is the mean Earth radius used for distances.
const earthRadiusKm = orb.EarthRadius / 1000

// DistanceKm returns how far the point p (lon, lat) lies from the country
// with ISO 3166-1 alpha-2 code iso2, in kilometres, measured on its 1:10m
// shape: 0 inside it, else the great-circle distance to its nearest
// boundary (found in a local equirectangular projection around p, then
// measured exactly: good to a fraction of a percent within a few hundred
// kilometres, approximate beyond). It reports false when the atlas has no
// area with that code, e.g. for countries too small even for 1:10m, or for
// overseas parts Natural Earth folds into another country (GF, RE: FR).
// A point that is not a valid lon/lat is infinitely far from everything.
func (a *Atlas) DistanceKm(p orb.Point, iso2 string) (float64, bool) {
	l := a.layer(Scale10m)
	idx := l.byISO[iso2]
	if iso2 == "" || len(idx) == 0 {
		return 0, false
	}
	if !(math.Abs(p[0]) <= 180 && math.Abs(p[1]) <= 90) {
		return math.Inf(1), true
	}
	polygons := l.polygonIndexes()
	for _, i := range idx {
		c := l.countries[i]
		if !c.Bound.Contains(p) {
			continue
		}
		for j := range c.Shape {
			if l.outerBounds[i][j].Contains(p) && polygons[i][j].contains(p) {
				return 0, true
			}
		}
	}
	n := newNearest(p)
	for _, i := range idx {
		for _, poly := range l.countries[i].Shape {
			for _, r := range poly {
				n.ring(r)
			}
		}
	}
	if math.IsInf(n.best, 1) {
		return math.Inf(1), true // an area with no points: cannot happen with real data
	}
	return geo.DistanceHaversine(p, n.point()) / 1000, true
}

// nearest searches for the boundary point nearest to an origin, in an
// equirectangular projection centred on it: x east and y north in km.
type nearest struct {
	origin   orb.Point
	kx, ky   float64 // km per degree of longitude and latitude
	best     float64 // squared distance of the nearest point so far
	bx, by   float64 // the nearest point so far, projected
	haveBest bool
}

func newNearest(origin orb.Point) *nearest {
	ky := earthRadiusKm * math.Pi / 180
	return &nearest{
		origin: origin,
		kx:     ky * math.Cos(origin[1]*math.Pi/180),
		ky:     ky,
		best:   math.Inf(1),
	}
}

// project returns q in the local projection, longitudes taken the short way
// round.
func (n *nearest) project(q orb.Point) (x, y float64) {
	return wrapLon(q[0]-n.origin[0]) * n.kx, (q[1] - n.origin[1]) * n.ky
}

// ring considers every segment of r, unless r's bound is already farther
// than the best so far.
func (n *nearest) ring(r orb.Ring) {
	if len(r) == 0 {
		return
	}
	if n.haveBest && n.boundDist2(boundOf(r)) > n.best {
		return
	}
	ax, ay := n.project(r[0])
	n.consider(ax, ay)
	for _, q := range r[1:] {
		bx, by := n.project(q)
		// The point of segment a–b nearest the origin.
		dx, dy := bx-ax, by-ay
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = max(0, min(1, -(ax*dx+ay*dy)/l2))
		}
		n.consider(ax+t*dx, ay+t*dy)
		ax, ay = bx, by
	}
}

func (n *nearest) consider(x, y float64) {
	if d := x*x + y*y; d < n.best {
		n.best, n.bx, n.by, n.haveBest = d, x, y, true
	}
}

// boundDist2 is a lower bound of the squared projected distance from the
// origin to anything inside b.
func (n *nearest) boundDist2(b orb.Bound) float64 {
	dy := 0.0
	if lat := n.origin[1]; lat < b.Min[1] {
		dy = (b.Min[1] - lat) * n.ky
	} else if lat > b.Max[1] {
		dy = (lat - b.Max[1]) * n.ky
	}
	dx := 0.0
	w, e := wrapLon(b.Min[0]-n.origin[0]), wrapLon(b.Max[0]-n.origin[0])
	if w <= e && b.Max[0]-b.Min[0] < 180 { // the bound does not straddle the far meridian
		if w > 0 {
			dx = w * n.kx
		} else if e < 0 {
			dx = -e * n.kx
		}
	}
	return dx*dx + dy*dy
}

// point returns the nearest point found, as lon/lat.
func (n *nearest) point() orb.Point {
	lon := n.origin[0] + n.bx/n.kx
	if n.kx == 0 {
		lon = n.origin[0]
	}
	return orb.Point{wrapLon(lon+180) - 180, n.origin[1] + n.by/n.ky}
}
