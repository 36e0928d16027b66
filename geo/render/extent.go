package render

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Maps are drawn in Web Mercator world coordinates: x east and y south, the whole world the unit
// square, so that a 256-pixel tile at zoom z holds 1/2^z of it.

// MaxZoom is the deepest zoom level an extent may ask for.
const MaxZoom = 18

// worldX returns the world x of a longitude.
func worldX(lon float64) float64 { return lon/360 + 0.5 }

// worldY returns the world y of a latitude, clamped to Web Mercator's range.
func worldY(lat float64) float64 {
	lat = max(-geo.MercatorMaxLat, min(geo.MercatorMaxLat, lat)) * math.Pi / 180
	return 0.5 - math.Log(math.Tan(math.Pi/4+lat/2))/(2*math.Pi)
}

// lonOf and latOf invert worldX and worldY.
func lonOf(x float64) float64 { return (x - 0.5) * 360 }
func latOf(y float64) float64 {
	return math.Atan(math.Sinh((0.5-y)*2*math.Pi)) * 180 / math.Pi
}

// Extent is the part of the world a map shows. Build it with BoundExtent, CenterExtent or
// SitesExtent; the zero Extent shows the world between 58°S and 80°N.
type Extent struct {
	kind    extentKind
	bound   orb.Bound // lon/lat, when not centered
	pad     float64   // fraction of the bound's size added on each side
	maxZoom float64   // the deepest zoom a bound may be shown at; 0 means MaxZoom
	center  orb.Point // when centered
	zoom    float64
}

// extentKind tells the kinds of Extent apart.
type extentKind uint8

const (
	extentWorld extentKind = iota
	extentBound
	extentCenter
)

// world is the bound of the zero Extent: every continent but Antarctica, whose Mercator area would
// dwarf the rest.
var world = orb.Bound{Min: orb.Point{-180, -58}, Max: orb.Point{180, 80}}

// BoundExtent shows the lon/lat bound b, widened on its short side to the map's aspect ratio in
// Web Mercator. Latitudes are clamped to Web Mercator's ±85.05°. A map is never wider than the
// world: a bound too tall for that (a whole-world bound on a landscape map) loses its northern and
// southern edges, around its centre.
func BoundExtent(b orb.Bound) Extent { return Extent{kind: extentBound, bound: b} }

// CenterExtent shows the map centred on a lon/lat point at a Web Mercator zoom level (256-pixel
// tiles, 0 to MaxZoom). Views taller than the world are centred on it; others are moved, if need
// be, to stay within its north and south edges.
func CenterExtent(center orb.Point, zoom float64) Extent {
	return Extent{kind: extentCenter, center: center, zoom: zoom}
}

// Default extent of SitesExtent.
const (
	sitesPad     = 0.1 // a tenth of the sites' span on each side
	sitesMaxZoom = 5   // at most: a country and its neighbours
	siteZoom     = 4   // around a single site
)

// SitesExtent shows the points: their bound with a tenth of its size added on each side, zoomed in
// at most to level 5. A single point is shown at zoom 4, and no point at all as the zero Extent.
func SitesExtent(points []orb.Point) Extent {
	switch len(points) {
	case 0:
		return Extent{}
	case 1:
		return CenterExtent(points[0], siteZoom)
	}
	b := points[0].Bound()
	for _, p := range points[1:] {
		b = b.Extend(p)
	}
	return Extent{kind: extentBound, bound: b, pad: sitesPad, maxZoom: sitesMaxZoom}
}

func (e Extent) check() error {
	if !finite(e.bound.Min[0], e.bound.Min[1], e.bound.Max[0], e.bound.Max[1], e.center[0], e.center[1], e.zoom) {
		return fmt.Errorf("%w: extent is not a number", ErrInvalidSpec)
	}
	if e.kind == extentCenter && (e.zoom < 0 || e.zoom > MaxZoom) {
		return fmt.Errorf("%w: zoom %v is outside 0 to %d", ErrInvalidSpec, e.zoom, MaxZoom)
	}
	return nil
}

// view is the window of the world a map of w×h CSS pixels shows.
type view struct {
	x0, y0 float64 // world coordinates of the top-left corner
	s      float64 // CSS pixels per world unit
	w, h   float64 // size in CSS pixels
}

// view fits the extent to a map of w×h CSS pixels.
func (e Extent) view(w, h float64) view {
	v := view{w: w, h: h}
	var cx, cy float64
	if e.kind == extentCenter {
		v.s = basemap.TileSize * math.Exp2(e.zoom)
		cx, cy = worldX(e.center[0]), worldY(e.center[1])
	} else {
		b := e.bound
		if e.kind == extentWorld {
			b = world
		}
		x0, x1 := worldX(b.Min[0]), worldX(b.Max[0])
		if x1 < x0 { // across the antimeridian
			x1++
		}
		y0, y1 := worldY(b.Max[1]), worldY(b.Min[1])
		dx, dy := (x1-x0)*e.pad, (y1-y0)*e.pad
		x0, x1, y0, y1 = x0-dx, x1+dx, y0-dy, y1+dy
		maxZoom := float64(MaxZoom)
		if e.maxZoom > 0 {
			maxZoom = e.maxZoom
		}
		v.s = basemap.TileSize * math.Exp2(maxZoom)
		if x1 > x0 {
			v.s = min(v.s, w/(x1-x0))
		}
		if y1 > y0 {
			v.s = min(v.s, h/(y1-y0))
		}
		v.s = max(v.s, w) // never wider than the world
		cx, cy = (x0+x1)/2, (y0+y1)/2
	}
	v.x0 = cx - w/2/v.s
	if hh := h / v.s; hh >= 1 {
		v.y0 = 0.5 - hh/2
	} else {
		v.y0 = max(0, min(1-hh, cy-hh/2))
	}
	return v
}

// zoom is the view's Web Mercator zoom level in CSS pixels.
func (v view) zoom() float64 { return math.Log2(v.s / basemap.TileSize) }

// px returns the CSS pixel position of world point (x, y).
func (v view) px(x, y float64) orb.Point { return orb.Point{(x - v.x0) * v.s, (y - v.y0) * v.s} }

// copies returns the pixel x positions of the copies of world x that fall within margin pixels
// of the view: usually one, more when the view is wider than the world.
func (v view) copies(x, margin float64) []float64 {
	var out []float64
	lo := math.Ceil(v.x0 - (margin / v.s) - x)
	hi := math.Floor(v.x0 + (v.w+margin)/v.s - x)
	for k := lo; k <= hi && len(out) < 64; k++ {
		out = append(out, (x+k-v.x0)*v.s)
	}
	return out
}

// lonLat is the lon/lat bound of the view's part within Web Mercator's latitudes, and the rows of
// CSS pixels it covers: all of them unless the view is taller than the world.
func (v view) lonLat() (b orb.Bound, top, bottom float64) {
	y0, y1 := max(0, v.y0), min(1, v.y0+v.h/v.s)
	b = orb.Bound{
		Min: orb.Point{lonOf(v.x0), latOf(y1)},
		Max: orb.Point{lonOf(v.x0 + v.w/v.s), latOf(y0)},
	}
	return b, (y0 - v.y0) * v.s, (y1 - v.y0) * v.s
}
