package basemap

import (
	"math"

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

// worldPolygon is one polygon of a country in world coordinates.
type worldPolygon struct {
	country int // index into layer.countries
	rings   []orb.Ring
	bound   orb.Bound
}

// worldPolygons converts the polygons of every country.
func worldPolygons(cs []Country) []worldPolygon {
	var out []worldPolygon
	for ci, c := range cs {
		for _, p := range c.Shape {
			wp := worldPolygon{country: ci, rings: make([]orb.Ring, len(p))}
			for i, r := range p {
				wr := make(orb.Ring, len(r))
				for j, pt := range r {
					wr[j] = toWorld(pt)
				}
				wp.rings[i] = wr
			}
			if len(wp.rings) > 0 {
				wp.bound = boundOf(wp.rings[0])
				out = append(out, wp)
			}
		}
	}
	return out
}

// lineKind tells borders from coastlines.
type lineKind uint8

const (
	lineBorder lineKind = iota // between two countries
	lineCoast                  // between land and sea
)

// worldLine is a stretch of border or coast in world coordinates, short
// enough that its bound culls well.
type worldLine struct {
	kind  lineKind
	pts   orb.LineString
	bound orb.Bound
}

// maxLinePoints is the most points a worldLine holds.
const maxLinePoints = 64

// worldLines cuts the arcs at the antimeridian, drops the parts beyond
// the Web Mercator latitude range (Antarctica's edge along the pole),
// converts them to world coordinates and splits them into short stretches.
func worldLines(arcs orb.MultiLineString, kind lineKind) []worldLine {
	var out []worldLine
	emit := func(run orb.LineString) {
		for len(run) >= 2 {
			n := min(len(run), maxLinePoints)
			pts := make(orb.LineString, n)
			for i, p := range run[:n] {
				pts[i] = toWorld(p)
			}
			out = append(out, worldLine{kind: kind, pts: pts, bound: boundOf(pts)})
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
	return out
}

// offMercator reports whether the segment a–b lies wholly beyond the
// latitude range of Web Mercator, where it would be squashed onto the edge.
func offMercator(a, b orb.Point) bool {
	return (a[1] <= -geo.MercatorMaxLat && b[1] <= -geo.MercatorMaxLat) || (a[1] >= geo.MercatorMaxLat && b[1] >= geo.MercatorMaxLat)
}
