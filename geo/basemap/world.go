package basemap

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"dcatlas/geo"
)

// Drawing works in Web Mercator world coordinates: x east and y south,
// the whole world the unit square, so that at zoom z a pixel of a 256-pixel
// tile is 1/(256·2^z). The atlas converts its geometry once, in New.

// toWorld converts lon/lat to world coordinates, clamping latitude to the
// Web Mercator range.
func toWorld(p orb.Point) orb.Point {
	lat := max(-geo.MercatorMaxLat, min(geo.MercatorMaxLat, p[1])) * math.Pi / 180
	return orb.Point{
		p[0]/360 + 0.5,
		0.5 - math.Log(math.Tan(math.Pi/4+lat/2))/(2*math.Pi),
	}
}

// worldY returns the world y of a latitude, clamped to [0, 1].
func worldY(lat float64) float64 { return toWorld(orb.Point{0, lat})[1] }

// worldShapes is a layer's geometry for drawing, in world coordinates. Its points are in one array that
// its shapes refer to by offset: the garbage collector, which follows every pointer the server
// holds in each of its cycles, finds none in it (the geometry of the three scales is 20 MB, in
// tens of thousands of shapes).
type worldShapes struct {
	pts    []orb.Point    // the rings, then the lines
	ringAt []int32        // ring i is pts[ringAt[i]:ringAt[i+1]]
	polys  []worldPolygon // every polygon of every country
	lines  []worldLine    // borders and coastlines
}

// worldPolygon is one polygon of a country: its rings are worldShapes.ringAt's first to end-1.
type worldPolygon struct {
	country    int // index into layer.countries
	first, end int32
	bound      orb.Bound
}

// newWorldShapes converts the polygons of every country, and the borders and coasts.
func newWorldShapes(cs []Country, borders, coasts orb.MultiLineString) *worldShapes {
	w := &worldShapes{ringAt: []int32{0}}
	for ci, c := range cs {
		for _, p := range c.Shape {
			if len(p) == 0 {
				continue
			}
			wp := worldPolygon{country: ci, first: int32(len(w.ringAt) - 1)}
			for _, r := range p {
				for _, pt := range r {
					w.pts = append(w.pts, toWorld(pt))
				}
				w.ringAt = append(w.ringAt, int32(len(w.pts)))
			}
			wp.end = int32(len(w.ringAt) - 1)
			wp.bound = boundOf(w.ring(wp.first))
			w.polys = append(w.polys, wp)
		}
	}
	w.addLines(borders, lineBorder)
	w.addLines(coasts, lineCoast)
	w.pts = slices.Clone(w.pts) // without the room appending left (1.6 MB at 10m)
	return w
}

// ring is ring i; the caller must not append to it.
func (w *worldShapes) ring(i int32) orb.Ring {
	a, b := w.ringAt[i], w.ringAt[i+1]
	return orb.Ring(w.pts[a:b:b])
}

// rings appends the rings of wp to buf, exterior first.
func (w *worldShapes) rings(wp worldPolygon, buf []orb.Ring) []orb.Ring {
	for i := wp.first; i < wp.end; i++ {
		buf = append(buf, w.ring(i))
	}
	return buf
}

// line is the points of wl; the caller must not append to them.
func (w *worldShapes) line(wl worldLine) orb.LineString {
	return orb.LineString(w.pts[wl.start:wl.end:wl.end])
}

// lineKind tells borders from coastlines.
type lineKind uint8

const (
	lineBorder lineKind = iota // between two countries
	lineCoast                  // between land and sea
)

// worldLine is a stretch of border or coast in world coordinates, short enough that its bound
// culls well: worldShapes.pts[start:end].
type worldLine struct {
	kind       lineKind
	start, end int32
	bound      orb.Bound
}

// maxLinePoints is the most points a worldLine holds.
const maxLinePoints = 64

// addLines cuts the arcs at the antimeridian, drops the parts beyond the Web Mercator latitude
// range (Antarctica's edge along the pole), converts them to world coordinates and adds them as
// short stretches.
func (w *worldShapes) addLines(arcs orb.MultiLineString, kind lineKind) {
	emit := func(run orb.LineString) {
		for len(run) >= 2 {
			n := min(len(run), maxLinePoints)
			wl := worldLine{kind: kind, start: int32(len(w.pts))}
			for _, p := range run[:n] {
				w.pts = append(w.pts, toWorld(p))
			}
			wl.end = int32(len(w.pts))
			wl.bound = boundOf(w.line(wl))
			w.lines = append(w.lines, wl)
			run = run[n-1:]
			if len(run) < 2 {
				break
			}
		}
	}
	for _, arc := range arcs {
		for _, ls := range planarLines(arc) {
			start := 0
			for i := 1; i < len(ls); i++ {
				if offMercator(ls[i-1], ls[i]) {
					emit(ls[start:i])
					start = i
				}
			}
			emit(ls[start:])
		}
	}
}

// offMercator reports whether the segment a–b lies wholly beyond the
// latitude range of Web Mercator, where it would be squashed onto the edge.
func offMercator(a, b orb.Point) bool {
	return (a[1] <= -geo.MercatorMaxLat && b[1] <= -geo.MercatorMaxLat) || (a[1] >= geo.MercatorMaxLat && b[1] >= geo.MercatorMaxLat)
}
