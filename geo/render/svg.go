package render

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"dcatlas/geo"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"

	"dcatlas/geo/basemap"
)

// svgCanvas writes SVG 1.1 with presentation attributes only: no <style>, no script, no external
// reference, so that it displays under a Content-Security-Policy of default-src 'none' and imports
// into office and drawing programs.
type svgCanvas struct {
	b     bytes.Buffer
	w, h  float64
	atlas *basemap.Atlas
	open  int // groups not yet ended
}

var _ canvas = (*svgCanvas)(nil)

// clipID is the id of the clip path of the map frame.
const clipID = "dcatlas-frame"

// newSVG starts an SVG document of width×height CSS pixels, with a title for screen readers and
// file browsers.
func newSVG(width, height int, a *basemap.Atlas, title string) *svgCanvas {
	c := &svgCanvas{w: float64(width), h: float64(height), atlas: a}
	w, h := strconv.Itoa(width), strconv.Itoa(height)
	c.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	c.b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="` + w + `" height="` + h +
		`" viewBox="0 0 ` + w + ` ` + h + `" font-family="` + fontFamily + `" stroke-linejoin="round" role="img">` + "\n")
	if title != "" {
		c.b.WriteString("<title>")
		c.escape(title)
		c.b.WriteString("</title>\n")
	}
	c.b.WriteString(`<defs><clipPath id="` + clipID + `"><rect width="` + w + `" height="` + h + `"/></clipPath></defs>` + "\n")
	return c
}

// encode ends the document and writes it.
func (c *svgCanvas) encode(w io.Writer) error {
	for ; c.open > 0; c.open-- {
		c.b.WriteString("</g>\n")
	}
	c.b.WriteString("</svg>\n")
	_, err := w.Write(c.b.Bytes())
	return err
}

// attrEscaper escapes text for attribute values and character data.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// xmlText makes s safe for XML 1.0 text: characters XML does not allow (most C0 controls, U+FFFE,
// U+FFFF, invalid UTF-8) become U+FFFD, so user text such as a title can never break the document.
func xmlText(s string) string {
	clean := func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
			return '\uFFFD'
		}
		return r
	}
	return strings.Map(clean, strings.ToValidUTF8(s, "\uFFFD"))
}

// escape writes user or data text as XML character data.
func (c *svgCanvas) escape(s string) { attrEscaper.WriteString(&c.b, xmlText(s)) }

// attr writes name="value".
func (c *svgCanvas) attr(name, value string) {
	c.b.WriteString(" " + name + `="`)
	c.escape(value)
	c.b.WriteByte('"')
}

// num writes name="v" with at most two decimals.
func (c *svgCanvas) num(name string, v float64) {
	c.b.WriteString(" " + name + `="`)
	c.b.Write(fmtNum(nil, v, 2))
	c.b.WriteByte('"')
}

// fmtNum appends v with at most prec decimals and no trailing zeros.
func fmtNum(dst []byte, v float64, prec int) []byte {
	if !finite(v) {
		v = 0
	}
	p := math.Pow(10, float64(prec))
	v = math.Round(v*p) / p
	if v == 0 {
		v = 0 // no "-0"
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', prec, 64)
	if bytes.IndexByte(dst[start:], '.') >= 0 {
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
		dst = bytes.TrimSuffix(dst, []byte("."))
	}
	return dst
}

// paintAttrs writes the fill and stroke attributes of s.
func (c *svgCanvas) paintAttrs(s style) {
	if s.fill.none() {
		c.attr("fill", "none")
	} else {
		c.attr("fill", s.fill.color.String())
		if s.fill.opacity < 1 {
			c.num("fill-opacity", s.fill.opacity)
		}
	}
	if s.stroke.none() || s.width <= 0 {
		return
	}
	c.attr("stroke", s.stroke.color.String())
	if s.stroke.opacity < 1 {
		c.num("stroke-opacity", s.stroke.opacity)
	}
	c.num("stroke-width", s.width)
	if len(s.dash) > 0 {
		var d []byte
		for i, v := range s.dash {
			if i > 0 {
				d = append(d, ' ')
			}
			d = fmtNum(d, v, 2)
		}
		c.attr("stroke-dasharray", string(d))
	}
	if s.cap {
		c.attr("stroke-linecap", "round")
	}
}

func (c *svgCanvas) group(g groupAttrs) {
	c.b.WriteString("<g")
	if g.id != "" {
		c.attr("id", g.id)
	}
	if g.class != "" {
		c.attr("class", g.class)
	}
	if g.clip {
		c.attr("clip-path", "url(#"+clipID+")")
	}
	c.b.WriteString(">")
	if g.title != "" {
		c.b.WriteString("<title>")
		c.escape(g.title)
		c.b.WriteString("</title>")
	}
	c.b.WriteString("\n")
	c.open++
}

func (c *svgCanvas) end() {
	if c.open > 0 {
		c.b.WriteString("</g>\n")
		c.open--
	}
}

func (c *svgCanvas) circle(center orb.Point, r float64, s style) {
	c.b.WriteString("<circle")
	c.num("cx", center[0])
	c.num("cy", center[1])
	c.num("r", r)
	c.paintAttrs(s)
	c.b.WriteString("/>\n")
}

func (c *svgCanvas) rect(x, y, w, h, rx float64, s style) {
	c.b.WriteString("<rect")
	c.num("x", x)
	c.num("y", y)
	c.num("width", w)
	c.num("height", h)
	if rx > 0 {
		c.num("rx", rx)
	}
	c.paintAttrs(s)
	c.b.WriteString("/>\n")
}

func (c *svgCanvas) path(p path, s style) {
	var d pathData
	for _, sp := range p {
		d.add(sp.pts, sp.closed, 2)
	}
	if len(d.b) == 0 {
		return
	}
	c.b.WriteString("<path")
	c.attr("d", string(d.b))
	c.paintAttrs(s)
	c.b.WriteString("/>\n")
}

func (c *svgCanvas) text(x, y float64, s string, t textStyle) {
	if s == "" {
		return
	}
	c.b.WriteString("<text")
	if t.class != "" {
		c.attr("class", t.class)
	}
	c.num("x", x)
	c.num("y", y)
	c.num("font-size", t.size)
	if t.bold {
		c.attr("font-weight", "bold")
	}
	switch t.anchor {
	case anchorMiddle:
		c.attr("text-anchor", "middle")
	case anchorEnd:
		c.attr("text-anchor", "end")
	}
	c.attr("fill", t.fill.String())
	if t.halo > 0 {
		c.attr("stroke", white.String())
		c.num("stroke-width", t.halo)
		c.attr("paint-order", "stroke")
	}
	c.b.WriteString(">")
	c.escape(s)
	c.b.WriteString("</text>\n")
}

// pathData builds the d attribute of a path compactly: an absolute move, then relative lines
// between points rounded to the precision, so that rounding errors do not add up.
type pathData struct {
	b      []byte
	ix, iy int64 // the pen, in units of the precision
}

func (d *pathData) add(pts []orb.Point, closed bool, prec int) {
	if len(pts) < 2 {
		return
	}
	p := math.Pow(10, float64(prec))
	q := func(v float64) int64 { return int64(math.Round(v * p)) }
	put := func(v int64, sep bool) {
		if sep && v >= 0 {
			d.b = append(d.b, ' ')
		}
		start := len(d.b)
		d.b = fmtNum(d.b, float64(v)/p, prec)
		// Leave out the zero before the point: 0.5 is .5 and -0.5 is -.5.
		if n := d.b[start:]; len(n) > 2 && n[0] == '0' && n[1] == '.' {
			d.b = append(d.b[:start], n[1:]...)
		} else if len(n) > 3 && n[0] == '-' && n[1] == '0' && n[2] == '.' {
			d.b = append(d.b[:start+1], n[2:]...)
		}
	}
	d.b = append(d.b, 'M')
	x, y := q(pts[0][0]), q(pts[0][1])
	put(x, false)
	put(y, true)
	d.ix, d.iy = x, y
	wrote := false
	for _, pt := range pts[1:] {
		x, y := q(pt[0]), q(pt[1])
		if x == d.ix && y == d.iy {
			continue
		}
		if !wrote {
			d.b = append(d.b, 'l')
			put(x-d.ix, false)
		} else {
			put(x-d.ix, true)
		}
		put(y-d.iy, true)
		d.ix, d.iy = x, y
		wrote = true
	}
	if closed {
		d.b = append(d.b, 'z')
	}
}

// svgTolerance is how far, in CSS pixels, simplified base-map outlines may stray from the data.
const svgTolerance = 0.5

// baseMap writes the sea, then the countries intersecting the view as one filled path each
// (group "land"), then their outlines (group "borders"), projected to pixels, clipped a little
// beyond the frame and simplified to half a pixel; the group's clip path trims them to the frame.
func (c *svgCanvas) baseMap(v view) {
	c.rect(0, 0, c.w, c.h, 0, style{fill: solid(basemap.Sea)})
	if c.atlas == nil {
		return
	}
	const pad = 4
	frame := orb.Bound{Min: orb.Point{-pad, -pad}, Max: orb.Point{c.w + pad, c.h + pad}}
	// The visible window in world coordinates, and which copies of the world it shows.
	wx0, wx1 := v.x0-pad/v.s, v.x0+(v.w+pad)/v.s
	wy0, wy1 := v.y0-pad/v.s, v.y0+(v.h+pad)/v.s
	first, last := math.Floor(wx0), math.Floor(wx1)
	last = min(last, first+64)
	dp := simplify.DouglasPeucker(svgTolerance)

	project := func(pts []orb.Point, k float64) []orb.Point {
		out := make([]orb.Point, len(pts))
		for i, p := range pts {
			out[i] = v.px(worldX(p[0])+k, worldY(p[1]))
		}
		return out
	}
	type shape struct {
		land, outline pathData
	}
	var shapes []*shape
	for _, country := range c.atlas.Countries(basemap.ScaleForZoom(v.zoom())) {
		sh := &shape{}
		for _, poly := range country.Shape {
			if len(poly) == 0 || len(poly[0]) < 4 {
				continue
			}
			b := poly[0].Bound()
			bx0, bx1 := worldX(b.Min[0]), worldX(b.Max[0])
			by0, by1 := worldY(b.Max[1]), worldY(b.Min[1])
			if by1 < wy0 || by0 > wy1 {
				continue
			}
			for k := first; k <= last; k++ {
				if bx1+k < wx0 || bx0+k > wx1 {
					continue
				}
				for _, r := range poly {
					pr := orb.Ring(project(r, k))
					if rb := pr.Bound(); rb.Max[0]-rb.Min[0] < svgTolerance && rb.Max[1]-rb.Min[1] < svgTolerance {
						continue // smaller than the tolerance
					}
					pr = clip.Ring(frame, pr)
					if len(pr) < 4 {
						continue
					}
					pr = dp.Ring(pr)
					if len(pr) < 4 {
						continue
					}
					sh.land.add(pr, true, 1)
				}
				for _, run := range outlineRuns(poly) {
					for _, part := range clip.LineString(frame, orb.LineString(project(run, k))) {
						if part = dp.LineString(part); len(part) >= 2 {
							sh.outline.add(part, false, 1)
						}
					}
				}
			}
		}
		if len(sh.land.b) > 0 || len(sh.outline.b) > 0 {
			shapes = append(shapes, sh)
		}
	}
	c.b.WriteString(`<g id="land" fill="` + basemap.Land.String() + `" fill-rule="evenodd">` + "\n")
	for _, sh := range shapes {
		if len(sh.land.b) > 0 {
			c.b.WriteString(`<path d="`)
			c.b.Write(sh.land.b)
			c.b.WriteString("\"/>\n")
		}
	}
	c.b.WriteString("</g>\n")
	c.b.WriteString(`<g id="borders" fill="none" stroke="` + basemap.Border.String() + `" stroke-width="` +
		string(fmtNum(nil, basemap.BorderWidth, 2)) + `">` + "\n")
	for _, sh := range shapes {
		if len(sh.outline.b) > 0 {
			c.b.WriteString(`<path d="`)
			c.b.Write(sh.outline.b)
			c.b.WriteString("\"/>\n")
		}
	}
	c.b.WriteString("</g>\n")
}

// outlineRuns splits a polygon's rings into the runs worth stroking: it leaves out the edges the
// data gains from being cut at the antimeridian (along ±180°) and those beyond Web Mercator's
// latitudes (Antarctica's edge along the pole).
func outlineRuns(poly orb.Polygon) [][]orb.Point {
	var runs [][]orb.Point
	for _, r := range poly {
		start := 0
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			cut := (math.Abs(a[0]) == 180 && a[0] == b[0]) ||
				(a[1] <= -geo.MercatorMaxLat && b[1] <= -geo.MercatorMaxLat) || (a[1] >= geo.MercatorMaxLat && b[1] >= geo.MercatorMaxLat)
			if cut {
				if i-start >= 2 {
					runs = append(runs, r[start:i])
				}
				start = i
			}
		}
		if len(r)-start >= 2 {
			runs = append(runs, r[start:])
		}
	}
	return runs
}
