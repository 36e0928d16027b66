package render

import (
	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// The status palette is Okabe and Ito's, safe for colour-blind readers; each status also has its
// own shape, so the map reads in grayscale. The web viewer draws the same symbols (web/symbols.js)
// in the colours it receives from here in /history.json.
const (
	ColorActive    basemap.Color = 0x009E73 // bluish green
	ColorAnnounced basemap.Color = 0x0072B2 // blue
	ColorClosing   basemap.Color = 0xD55E00 // vermillion
	ColorClosed    basemap.Color = 0x6B6B6B // grey
	// Ink is the colour of text and of the pending mark.
	Ink basemap.Color = 0x1F2933
)

// Other colours of the layout.
const (
	white     basemap.Color = 0xFFFFFF
	inkMuted  basemap.Color = 0x52606D // secondary text
	gridColor basemap.Color = 0xD9DEE3 // chart grid lines
)

// StatusColor returns the colour of a status's symbol; Ink for an unknown status.
func StatusColor(st geo.Status) basemap.Color {
	switch st {
	case geo.StatusActive:
		return ColorActive
	case geo.StatusAnnounced:
		return ColorAnnounced
	case geo.StatusClosing:
		return ColorClosing
	case geo.StatusClosed:
		return ColorClosed
	}
	return Ink
}

// StatusLabel returns the legend's word for a status, as the maps, charts and the web viewer show it.
func StatusLabel(st geo.Status) string {
	switch st {
	case geo.StatusActive:
		return "Active"
	case geo.StatusAnnounced:
		return "Announced"
	case geo.StatusClosing:
		return "Closing down"
	case geo.StatusClosed:
		return "Closed"
	}
	return string(st)
}

// symbolBox is the size of the symbols' design box, in which they are drawn at 1:1 on the map.
const symbolBox = 24

// part is one shape of a symbol, in the coordinates of its 24-unit box.
type part struct {
	circle *circlePart
	rect   *rectPart
	path   path
	style  style
}

type circlePart struct{ cx, cy, r float64 }
type rectPart struct{ x, y, w, h, rx float64 }

// symbolParts returns the shapes of a status's symbol, as web/symbols.js draws them.
func symbolParts(st geo.Status) []part { return symbolPartsIn(st, StatusColor(st)) }

// symbolPartsIn returns the shapes of a status's symbol in colour c: on a map of several
// providers the colour tells the provider, and the shape and fill alone the status.
func symbolPartsIn(st geo.Status, c basemap.Color) []part {
	white2 := style{stroke: solid(white), width: 2}
	switch st {
	case geo.StatusActive:
		return []part{
			{circle: &circlePart{12, 12, 6.5}, style: style{fill: solid(c), stroke: solid(white), width: 2}},
			{circle: &circlePart{12, 12, 7.5}, style: style{stroke: solid(c), width: 0.75}},
		}
	case geo.StatusAnnounced:
		return []part{
			{circle: &circlePart{12, 12, 6}, style: style{fill: solid(white), stroke: solid(white), width: 5}},
			{circle: &circlePart{12, 12, 6}, style: style{fill: solid(white), stroke: solid(c), width: 3}},
		}
	case geo.StatusClosing:
		return []part{
			{path: path{}.moveTo(4.2, 6.5).lineTo(19.8, 6.5).lineTo(12, 19.5).close(), style: style{fill: solid(c), stroke: solid(white), width: 2}},
			{path: path{}.moveTo(2.6, 5.6).lineTo(21.4, 5.6).lineTo(12, 21.2).close(), style: style{stroke: solid(c), width: 0.75}},
		}
	case geo.StatusClosed:
		cross := path{}.moveTo(9, 9).lineTo(15, 15).moveTo(15, 9).lineTo(9, 15)
		white2.cap = true
		return []part{
			{rect: &rectPart{5.5, 5.5, 13, 13, 1.5}, style: style{fill: solid(c), stroke: solid(white), width: 2}},
			{path: cross, style: white2},
		}
	}
	return []part{{circle: &circlePart{12, 12, 6}, style: style{fill: solid(Ink)}}}
}

// pendingRing is the dashed ring around a symbol whose status may change any day.
func pendingRing() part {
	return part{circle: &circlePart{12, 12, 10.6}, style: style{
		fill: paint{white, 0.7}, stroke: solid(Ink), width: 1.6, dash: []float64{3.2, 2.4},
	}}
}

// pendingDot is what the legend's pending entry shows inside the ring.
func pendingDot() part {
	return part{circle: &circlePart{12, 12, 3}, style: style{fill: solid(Ink)}}
}

// drawSymbol draws parts centred at c, size pixels square.
func drawSymbol(cv canvas, c orb.Point, size float64, parts ...part) {
	k := size / symbolBox
	at := func(x, y float64) (float64, float64) { return c[0] + (x-12)*k, c[1] + (y-12)*k }
	for _, p := range parts {
		s := p.style
		s.width *= k
		if len(s.dash) > 0 {
			dash := make([]float64, len(s.dash))
			for i, d := range s.dash {
				dash[i] = d * k
			}
			s.dash = dash
		}
		switch {
		case p.circle != nil:
			x, y := at(p.circle.cx, p.circle.cy)
			cv.circle(orb.Point{x, y}, p.circle.r*k, s)
		case p.rect != nil:
			x, y := at(p.rect.x, p.rect.y)
			cv.rect(x, y, p.rect.w*k, p.rect.h*k, p.rect.rx*k, s)
		default:
			var tp path
			for _, sp := range p.path {
				q := subpath{closed: sp.closed, pts: make([]orb.Point, len(sp.pts))}
				for i, pt := range sp.pts {
					x, y := at(pt[0], pt[1])
					q.pts[i] = orb.Point{x, y}
				}
				tp = append(tp, q)
			}
			cv.path(tp, s)
		}
	}
}

// drawMarker draws the symbol of a status in colour col, with the pending ring under it when
// pending.
func drawMarker(cv canvas, c orb.Point, size float64, st geo.Status, col basemap.Color, pending bool) {
	if pending {
		drawSymbol(cv, c, size, pendingRing())
	}
	drawSymbol(cv, c, size, symbolPartsIn(st, col)...)
}
