package render

import (
	"context"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/vector"

	"dcatlas/geo/basemap"
)

// raster is the canvas of PNG images: an RGBA image of scale device pixels per CSS pixel. Each
// shape is rasterized over its own bounding box only, so the work and memory of a small symbol do
// not depend on the image's size.
type raster struct {
	img   *image.RGBA
	k     float64 // device pixels per CSS pixel
	atlas *basemap.Atlas
	ts    *typesetter
	z     vector.Rasterizer
	polys [][]orb.Point // scratch
	err   error
	ctx   context.Context // stops the base map's drawing
	pool  *Canvases       // lent img, nil when allocated
	band  int             // device pixels of base map drawn at once (baseMapBand)
}

var _ canvas = (*raster)(nil)

// newRaster is a canvas of width×height CSS pixels at scale over the atlas, its pixels lent by
// pool (nil allocates them); drawing its base map stops when ctx ends (encode then fails with
// ctx's error). release gives the pixels back.
func newRaster(ctx context.Context, width, height, scale int, a *basemap.Atlas, pool *Canvases) *raster {
	r := &raster{
		ctx:   ctx,
		img:   pool.rgba(image.Rect(0, 0, width*scale, height*scale)),
		k:     float64(scale),
		atlas: a,
		pool:  pool,
		band:  baseMapBand,
	}
	r.ts, r.err = newTypesetter()
	return r
}

// release gives the canvas's pixels back to its pool once the image is encoded, or abandoned; the
// raster must not be used again.
func (r *raster) release() {
	r.pool.put(r.img)
	r.img = nil
}

// encode writes the image as PNG.
func (r *raster) encode(w io.Writer) error {
	if r.err != nil {
		return r.err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, r.img)
}

func (r *raster) group(groupAttrs) {}
func (r *raster) end()             {}

func (r *raster) baseMap(v view) {
	sea := image.NewUniform(basemap.Sea)
	b, top, bottom := v.lonLat()
	y0, y1 := int(math.Round(top*r.k)), int(math.Round(bottom*r.k))
	if y0 > 0 || y1 < r.img.Rect.Dy() || r.atlas == nil {
		draw.Draw(r.img, r.img.Rect, sea, image.Point{}, draw.Src)
	}
	if r.atlas == nil || y1 <= y0 {
		return
	}
	// The rows y0 to y1 show world y from wy0 to wy1; each band gets its share of that span, the
	// outer edges exactly b's.
	wy0, wy1 := worldY(b.Max[1]), worldY(b.Min[1])
	latAt := func(y int) float64 { return latOf(wy0 + float64(y-y0)/float64(y1-y0)*(wy1-wy0)) }
	rows := max(1, r.band/r.img.Rect.Dx())
	for top := y0; top < y1; top += rows {
		bottom := min(top+rows, y1)
		band := b
		if top > y0 {
			band.Max[1] = latAt(top)
		}
		if bottom < y1 {
			band.Min[1] = latAt(bottom)
		}
		dst := r.img.SubImage(image.Rect(0, top, r.img.Rect.Dx(), bottom)).(*image.RGBA)
		if err := r.atlas.Draw(r.ctx, dst, band, r.k); err != nil {
			if r.err == nil {
				r.err = err
			}
			return
		}
	}
}

// baseMapBand is how many device pixels of base map are drawn at once, in bands of whole rows.
// The atlas rasterizes what it draws into coverage buffers of its own, 7 bytes a pixel: in bands,
// a 4096² map takes 28 MiB at a time instead of 112 MiB, each of the rasterizer's passes (in
// assembly, which the collector cannot preempt to stop the world) covers a quarter of the
// image, and drawing stops between bands once ctx ends. Every shape that crosses a band is drawn
// again in it, so bands much smaller cost more time than they save.
const baseMapBand = 4 << 20

// scaled returns a copy of p in device pixels.
func (r *raster) scaled(p orb.Point) orb.Point { return orb.Point{p[0] * r.k, p[1] * r.k} }

func (r *raster) circle(c orb.Point, rad float64, s style) {
	c, rad = r.scaled(c), rad*r.k
	if !s.fill.none() {
		r.fill([][]orb.Point{disc(c, rad)}, s.fill)
	}
	if !s.stroke.none() && s.width > 0 {
		hw := s.width * r.k / 2
		r.polys = r.polys[:0]
		if len(s.dash) > 0 {
			dash := make([]float64, len(s.dash))
			for i, d := range s.dash {
				dash[i] = d * r.k
			}
			r.polys = dashedRing(r.polys, c, rad-hw, rad+hw, rad, dash)
		} else {
			r.polys = ring(r.polys, c, rad-hw, rad+hw)
		}
		r.fill(r.polys, s.stroke)
	}
}

func (r *raster) rect(x, y, w, h, rx float64, s style) {
	x, y, w, h, rx = x*r.k, y*r.k, w*r.k, h*r.k, rx*r.k
	if !s.fill.none() {
		r.fill([][]orb.Point{roundRect(x, y, w, h, rx)}, s.fill)
	}
	if !s.stroke.none() && s.width > 0 {
		hw := s.width * r.k / 2
		polys := [][]orb.Point{roundRect(x-hw, y-hw, w+2*hw, h+2*hw, rx+hw)}
		if w > 2*hw && h > 2*hw {
			polys = append(polys, reversed(roundRect(x+hw, y+hw, w-2*hw, h-2*hw, rx-hw)))
		}
		r.fill(polys, s.stroke)
	}
}

func (r *raster) path(p path, s style) {
	if !s.fill.none() {
		r.polys = r.polys[:0]
		for _, sp := range p {
			if len(sp.pts) > 2 {
				poly := make([]orb.Point, len(sp.pts))
				for i, q := range sp.pts {
					poly[i] = r.scaled(q)
				}
				r.polys = append(r.polys, poly)
			}
		}
		r.fill(r.polys, s.fill)
	}
	if !s.stroke.none() && s.width > 0 {
		r.polys = r.polys[:0]
		for _, sp := range p {
			pts := make([]orb.Point, len(sp.pts))
			for i, q := range sp.pts {
				pts[i] = r.scaled(q)
			}
			r.polys = strokePolyline(r.polys, pts, sp.closed, s.width*r.k/2, s.cap)
		}
		r.fill(r.polys, s.stroke)
	}
}

func (r *raster) text(x, y float64, s string, t textStyle) {
	if r.ts == nil || s == "" {
		return
	}
	size := t.size * r.k
	x, y = x*r.k, y*r.k
	switch t.anchor {
	case anchorMiddle:
		x -= r.ts.width(s, size, t.bold) / 2
	case anchorEnd:
		x -= r.ts.width(s, size, t.bold)
	}
	glyphs := r.ts.outline(s, x, y, size, t.bold)
	if t.halo > 0 {
		r.polys = r.polys[:0]
		for _, g := range glyphs {
			r.polys = strokePolyline(r.polys, g, true, t.halo*r.k/2, false)
		}
		r.fill(r.polys, solid(white))
	}
	r.fill(glyphs, solid(t.fill))
}

// fill paints the union of the polygons (device pixels): nonzero winding, with polygons of the
// same orientation merging.
func (r *raster) fill(polys [][]orb.Point, p paint) {
	if p.none() || len(polys) == 0 {
		return
	}
	var b orb.Bound
	first := true
	for _, poly := range polys {
		for _, q := range poly {
			if first {
				b, first = q.Bound(), false
			} else {
				b = b.Extend(q)
			}
		}
	}
	if first || !finite(b.Min[0], b.Min[1], b.Max[0], b.Max[1]) {
		return
	}
	box := image.Rect(int(math.Floor(b.Min[0])), int(math.Floor(b.Min[1])), int(math.Ceil(b.Max[0]))+1, int(math.Ceil(b.Max[1]))+1).Intersect(r.img.Rect)
	if box.Empty() {
		return
	}
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	r.z.Reset(box.Dx(), box.Dy())
	for _, poly := range polys {
		if len(poly) < 3 {
			continue
		}
		r.z.MoveTo(float32(poly[0][0]-ox), float32(poly[0][1]-oy))
		for _, q := range poly[1:] {
			r.z.LineTo(float32(q[0]-ox), float32(q[1]-oy))
		}
		r.z.ClosePath()
	}
	r.z.Draw(r.img, box, image.NewUniform(p.nrgba()), image.Point{})
}
