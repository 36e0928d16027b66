package render

import (
	"image/color"

	"github.com/paulmach/orb"

	"dcatlas/geo/basemap"
)

// canvas is what the layout draws on, in CSS pixels with y down. The SVG writer and the raster
// backend implement it; the layout calls it once per element, in painting order.
type canvas interface {
	// group starts a group of elements, ended by end. The SVG writes a <g>; the raster ignores it.
	group(g groupAttrs)
	end()
	// baseMap draws the sea, the land and the borders of the view over the whole canvas.
	baseMap(v view)
	circle(center orb.Point, r float64, s style)
	rect(x, y, w, h, rx float64, s style)
	path(p path, s style)
	// text writes s with its baseline at y, anchored at x.
	text(x, y float64, s string, t textStyle)
}

// groupAttrs describe a group: its id and class in the SVG, a title that SVG viewers show on
// hover and screen readers read, and whether it is clipped to the canvas.
type groupAttrs struct {
	id, class, title string
	clip             bool
}

// paint is a colour with an opacity; the zero paint paints nothing.
type paint struct {
	color   basemap.Color
	opacity float64
}

// solid is an opaque paint.
func solid(c basemap.Color) paint { return paint{c, 1} }

// none reports whether p paints nothing.
func (p paint) none() bool { return p.opacity <= 0 }

// nrgba returns p as a colour with alpha.
func (p paint) nrgba() color.NRGBA {
	c := p.color.NRGBA()
	c.A = uint8(max(0, min(1, p.opacity))*255 + 0.5)
	return c
}

// style is how a shape is painted: filled, then stroked centred on its outline. Joins are always
// round.
type style struct {
	fill   paint
	stroke paint
	width  float64   // of the stroke
	dash   []float64 // dash pattern of the stroke, lengths on and off; honoured for circles only
	cap    bool      // round line caps; butt when false
}

// path is a set of polylines; closed ones are polygons when filled.
type path []subpath

type subpath struct {
	pts    []orb.Point
	closed bool
}

// moveTo starts a subpath.
func (p path) moveTo(x, y float64) path { return append(p, subpath{pts: []orb.Point{{x, y}}}) }

// lineTo extends the last subpath.
func (p path) lineTo(x, y float64) path {
	last := &p[len(p)-1]
	last.pts = append(last.pts, orb.Point{x, y})
	return p
}

// close closes the last subpath.
func (p path) close() path {
	p[len(p)-1].closed = true
	return p
}

// anchor is where a text's x lies: at its start, middle or end.
type anchor uint8

const (
	anchorStart anchor = iota
	anchorMiddle
	anchorEnd
)

// textStyle is how a text is written.
type textStyle struct {
	size   float64 // font size in CSS pixels
	bold   bool
	anchor anchor
	fill   basemap.Color
	// halo is the width of a white outline painted under the text, for legibility over the map;
	// 0 for none.
	halo float64
	// class names the text's role in the SVG (title, stamp, legend, label, …).
	class string
}
