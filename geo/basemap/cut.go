package basemap

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

// The topology is spherical: rings and arcs cross the antimeridian (Russia,
// Fiji) and Antarctica goes round the South Pole. This file turns them into
// planar lon/lat geometry inside [-180, 180] × [-90, 90]: longitudes are
// unwrapped to be continuous, rings round a pole are closed along it, and
// the result is clipped against the world and its copies at ±360°.

// world is the planar lon/lat domain.
var world = orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}

// wrapLon maps a longitude difference into [-180, 180).
func wrapLon(d float64) float64 {
	if d >= -180 && d < 180 {
		return d
	}
	return d - 360*math.Floor((d+180)/360)
}

// boundOf returns the bound of pts; it is several times faster than
// orb's Bound methods, which matters for the half a million points of the
// 1:10m data.
func boundOf(pts []orb.Point) orb.Bound {
	if len(pts) == 0 {
		return orb.Bound{}
	}
	b := orb.Bound{Min: pts[0], Max: pts[0]}
	for _, p := range pts[1:] {
		b.Min[0], b.Max[0] = min(b.Min[0], p[0]), max(b.Max[0], p[0])
		b.Min[1], b.Max[1] = min(b.Min[1], p[1]), max(b.Max[1], p[1])
	}
	return b
}

// continuous reports whether ls never steps more than 180° in longitude, so
// that it needs no cutting.
func continuous(ls []orb.Point) bool {
	for i := 1; i < len(ls); i++ {
		if d := ls[i][0] - ls[i-1][0]; d > 180 || d < -180 {
			return false
		}
	}
	return true
}

// unwrap returns a copy of ls with each step in longitude taken the short
// way round, so that longitudes are continuous (and may leave
// [-180, 180]), and the total longitude turned from first to last point.
func unwrap(ls []orb.Point) ([]orb.Point, float64) {
	out := make([]orb.Point, len(ls), len(ls)+3)
	if len(ls) == 0 {
		return out, 0
	}
	out[0] = ls[0]
	for i := 1; i < len(ls); i++ {
		out[i] = orb.Point{out[i-1][0] + wrapLon(ls[i][0]-ls[i-1][0]), ls[i][1]}
	}
	return out, out[len(out)-1][0] - out[0][0]
}

// closeAtPole closes an unwrapped ring that turns a full circle, and so
// goes round a pole, along the pole on its side of the equator, so that
// as a planar ring it covers the polar cap: Antarctica's coast becomes the
// outline of everything south of it.
func closeAtPole(u orb.Ring) orb.Ring {
	var sum float64
	for _, p := range u {
		sum += p[1]
	}
	pole := 90.0
	if sum < 0 {
		pole = -90
	}
	first, last := u[0], u[len(u)-1]
	return append(u, orb.Point{last[0], pole}, orb.Point{first[0], pole}, first)
}

// polarCapLat is the latitude beyond which a ring round a pole encloses
// too small a cap to matter: Natural Earth's 1:50m Antarctica has one at
// -89.999° (its exterior ring, the coast being its hole, which only works
// on the sphere).
const polarCapLat = 89.9

// tinyCap reports whether every point of r is within a tenth of a degree
// of a pole.
func tinyCap(r orb.Ring) bool {
	for _, p := range r {
		if math.Abs(p[1]) < polarCapLat {
			return false
		}
	}
	return true
}

// copies returns the multiples of 360° by which geometry with longitudes
// in [min, max] is shifted to bring each part of it into [-180, 180].
// At most three, which covers anything unwrapped from valid input.
func copies(b orb.Bound) []float64 {
	var out []float64
	for _, k := range [...]float64{0, -360, 360} {
		if b.Min[0]+k < 180 && b.Max[0]+k > -180 {
			out = append(out, k)
		}
	}
	return out
}

// shifted returns a copy of ls moved east by dlon degrees.
func shifted(ls []orb.Point, dlon float64) []orb.Point {
	out := make([]orb.Point, len(ls))
	for i, p := range ls {
		out[i] = orb.Point{p[0] + dlon, p[1]}
	}
	return out
}

// onSeam reports whether b lies wholly on the antimeridian: what clipping
// leaves of a ring that only touches the world's edge.
func onSeam(b orb.Bound) bool {
	return b.Max[0] <= -180 || b.Min[0] >= 180
}

// planarPolygons cuts a spherical polygon into planar polygons inside the
// world, exterior rings counter-clockwise and holes clockwise. Polygons
// that need no cutting keep their rings, reoriented in place.
//
// A ring round a pole becomes an exterior covering the polar cap on its
// side of the equator, whichever ring it was: on the sphere the region of
// a polygon is on one side of every ring, which a planar exterior and holes
// can only express this way. Rings enclosing a negligible cap at the pole
// itself are dropped.
func planarPolygons(p orb.Polygon) []orb.Polygon {
	if len(p) == 0 || len(p[0]) == 0 {
		return nil
	}
	if all(p, continuous) {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = orient(r, i == 0)
		}
		return []orb.Polygon{out}
	}

	var exts, holes []orb.Ring
	for i, r := range p {
		u, turn := unwrap(r)
		switch {
		case len(u) == 0:
		case math.Abs(turn) >= 180:
			if !tinyCap(u) {
				exts = append(exts, closeAtPole(u))
			}
		case i == 0:
			exts = append(exts, u)
		default:
			holes = append(holes, u)
		}
	}

	var out []orb.Polygon
	var bounds []orb.Bound
	var center float64 // where the exteriors are, to bring the holes next to them
	for i, ext := range exts {
		eb := boundOf(ext)
		if i == 0 {
			center = eb.Center()[0]
		}
		for _, k := range copies(eb) {
			r := clip.Ring(world, orb.Ring(shifted(ext, k)))
			if len(r) < 4 {
				continue
			}
			b := boundOf(r)
			if onSeam(b) {
				continue
			}
			out = append(out, orb.Polygon{orient(r, true)})
			bounds = append(bounds, b)
		}
	}
	for _, hole := range holes {
		// Unwrapping each ring from its own first point may have put a hole
		// a turn away from its exterior.
		align := -360 * math.Round((boundOf(hole).Center()[0]-center)/360)
		hole = orb.Ring(shifted(hole, align))
		for _, k := range copies(boundOf(hole)) {
			r := clip.Ring(world, orb.Ring(shifted(hole, k)))
			if len(r) < 4 {
				continue
			}
			b := boundOf(r)
			if onSeam(b) {
				continue
			}
			for i, eb := range bounds {
				if eb.Contains(b.Min) && eb.Contains(b.Max) {
					out[i] = append(out[i], orient(r, false))
					break
				}
			}
		}
	}
	return out
}

// all reports whether every ring of p satisfies f.
func all(p orb.Polygon, f func([]orb.Point) bool) bool {
	for _, r := range p {
		if !f(r) {
			return false
		}
	}
	return true
}

// orient returns r wound counter-clockwise if exterior, else clockwise,
// reversing it in place if need be. Rings without area are left alone.
func orient(r orb.Ring, exterior bool) orb.Ring {
	if o := r.Orientation(); o != 0 && (o == orb.CCW) != exterior {
		r.Reverse()
	}
	return r
}

// planarMultiPolygon cuts every polygon of mp, see planarPolygons.
func planarMultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		out = append(out, planarPolygons(p)...)
	}
	return out
}

// planarLines cuts a spherical line string into planar ones inside the
// world. A line string that needs no cutting is returned as is.
func planarLines(ls orb.LineString) []orb.LineString {
	if len(ls) < 2 {
		return nil
	}
	if continuous(ls) {
		return []orb.LineString{ls}
	}
	u, _ := unwrap(ls)
	b := boundOf(u)
	var out []orb.LineString
	for _, k := range copies(b) {
		for _, part := range clip.LineString(world, orb.LineString(shifted(u, k))) {
			if len(part) >= 2 && !onSeam(boundOf(part)) {
				out = append(out, part)
			}
		}
	}
	return out
}
