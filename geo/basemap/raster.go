package basemap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/image/vector"
)

// TileSize is the size in pixels of a raster tile at pixel ratio 1.
const TileSize = 256

// MaxZoom is the deepest zoom level RenderPNG and MVT accept.
const MaxZoom = 24

// MaxRenderSize bounds the width and height Render draws, in pixels.
const MaxRenderSize = 4096

// Errors returned by RenderPNG and MVT.
var (
	// ErrInvalidTile means the tile is outside the tile grid of its zoom or
	// deeper than MaxZoom.
	ErrInvalidTile = errors.New("basemap: invalid tile")
	// ErrInvalidScale means the raster scale (pixel ratio) is not 1 or 2.
	ErrInvalidScale = errors.New("basemap: invalid tile scale")
)

// validTile reports whether t is on the tile grid and at most MaxZoom.
func validTile(t maptile.Tile) bool {
	return t.Z <= MaxZoom && t.Valid()
}

// RenderPNG renders the raster tile t in palette p as a PNG image of
// 256·scale pixels square; scale is 1 or 2 (@2x). Errors wrap
// ErrInvalidTile or ErrInvalidScale, or are ctx's error when it ends before
// the tile is drawn.
func (a *Atlas) RenderPNG(ctx context.Context, t maptile.Tile, scale int, p Palette) ([]byte, error) {
	if !validTile(t) {
		return nil, fmt.Errorf("%w: %d/%d/%d", ErrInvalidTile, t.Z, t.X, t.Y)
	}
	if scale != 1 && scale != 2 {
		return nil, fmt.Errorf("%w: %d", ErrInvalidScale, scale)
	}
	img, err := a.Render(ctx, t, TileSize*scale, p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("basemap: encode tile: %w", err)
	}
	return buf.Bytes(), nil
}

// Render draws the tile t in palette p into a new image size pixels
// square, with lines and text scaled by size/256. Size is clamped to [1,
// MaxRenderSize]. Tiles beyond the grid are drawn as the wrapped world
// east–west and sea north–south. Tiles of zoom MaxZoom or less carry the
// country names placed at their zoom (see Labels). Drawing stops with ctx's
// error when ctx ends.
func (a *Atlas) Render(ctx context.Context, t maptile.Tile, size int, p Palette) (*image.RGBA, error) {
	return a.render(ctx, t, size, p, true)
}

// render is Render, with the country names or without.
func (a *Atlas) render(ctx context.Context, t maptile.Tile, size int, p Palette, withNames bool) (*image.RGBA, error) {
	size = max(1, min(MaxRenderSize, size))
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	n := math.Ldexp(1, int(min(t.Z, 64)))
	v := view{
		x0:    float64(t.X) / n,
		y0:    float64(t.Y) / n,
		sx:    float64(size) * n,
		sy:    float64(size) * n,
		ratio: float64(size) / TileSize,
	}
	var names, halo *image.Alpha
	if withNames && t.Z <= MaxZoom {
		var err error
		if names, halo, err = a.nameMask(t, v.ratio, size); err != nil {
			return nil, err
		}
	}
	err := a.draw(ctx, img, v, p.Colors(), names, halo)
	return img, err
}

// nameMask returns the coverage of the country names on tile t drawn size
// pixels square, ratio pixels per 256th of the tile, and of their halo;
// nils when no name touches the tile.
func (a *Atlas) nameMask(t maptile.Tile, ratio float64, size int) (names, halo *image.Alpha, err error) {
	labels, err := a.Labels(int(t.Z))
	if err != nil {
		return nil, nil, err
	}
	world := TileSize * math.Ldexp(1, int(t.Z))
	origin := orb.Point{float64(t.X) * TileSize, float64(t.Y) * TileSize}
	return a.namesAt(labels, origin, ratio, world, size, size)
}

// namesAt draws the names of labels placed in a world world pixels wide
// into a new mask w×h of an image whose top-left corner is at origin, in
// world pixels, and which has ratio pixels per world pixel; and their
// halo. It returns nils when no name touches the image.
func (a *Atlas) namesAt(labels []Label, origin orb.Point, ratio, world float64, w, h int) (names, halo *image.Alpha, err error) {
	f, err := a.font()
	if err != nil {
		return nil, nil, err
	}
	face, err := newLabelFace(f, LabelSize*ratio)
	if err != nil {
		return nil, nil, err
	}
	defer face.Close()
	// The names are drawn with a margin as wide as the halo, so that the halo of a name just
	// beyond the edge reaches into the image as it does in the neighbouring tile.
	r := max(1, int(math.Round(ratio)))
	mask := image.NewAlpha(image.Rect(0, 0, w+2*r, h+2*r))
	at := orb.Point{origin[0] - float64(r)/ratio, origin[1] - float64(r)/ratio}
	drawn := drawLabels(mask, face, labels, at, ratio, world)
	if !drawn.Overlaps(image.Rect(r, r, r+w, r+h)) {
		return nil, nil, nil
	}
	return crop(mask, r, w, h), crop(dilate(mask, r, drawn), r, w, h), nil
}

// crop returns the w×h part of m from (d, d), at the origin.
func crop(m *image.Alpha, d, w, h int) *image.Alpha {
	out := image.NewAlpha(image.Rect(0, 0, w, h))
	for y := range h {
		copy(out.Pix[y*out.Stride:y*out.Stride+w], m.Pix[(y+d)*m.Stride+d:])
	}
	return out
}

// Draw draws the base map, in the Light palette and without country names
// (static maps name their sites instead), over the whole of dst: the
// lon/lat bound b is
// mapped onto dst.Bounds() in Web Mercator, longitude to x and latitude to
// y independently, so b should have the aspect ratio of dst in Web
// Mercator for the map not to be stretched. A bound whose Min longitude is
// east of its Max longitude crosses the antimeridian; views wider than the
// world repeat it. Latitudes are clamped to Web Mercator's ±85.0511°.
//
// pixelRatio scales line widths (2 for a high-DPI image); the level of
// detail follows the pixel density. Render and RenderPNG draw through Draw's
// code, so a static map matches the tiles. Drawing stops with ctx's error
// when ctx ends.
func (a *Atlas) Draw(ctx context.Context, dst *image.RGBA, b orb.Bound, pixelRatio float64) error {
	if !(pixelRatio > 0 && pixelRatio <= 16) {
		pixelRatio = 1
	}
	x0, x1 := b.Min[0]/360+0.5, b.Max[0]/360+0.5
	if x1 < x0 {
		x1++
	}
	y0, y1 := worldY(b.Max[1]), worldY(b.Min[1])
	w, h := float64(dst.Rect.Dx()), float64(dst.Rect.Dy())
	if !(x1 > x0 && y1 > y0) || math.IsInf(x1-x0, 0) {
		draw.Draw(dst, dst.Rect, image.NewUniform(Sea), image.Point{}, draw.Src) // Light's sea
		return nil
	}
	return a.draw(ctx, dst, view{x0: x0, y0: y0, sx: w / (x1 - x0), sy: h / (y1 - y0), ratio: pixelRatio}, Light.Colors(), nil, nil)
}

// view maps world coordinates onto the pixels of an image.
type view struct {
	x0, y0 float64 // world coordinates of the image's top-left corner
	sx, sy float64 // pixels per world unit
	ratio  float64 // device pixel ratio, for line widths
}

// zoom returns the zoom level of the view's pixel density in 256-pixel
// tiles (so an @2x tile counts one level deeper).
func (v view) zoom() float64 {
	return math.Log2(min(v.sx, v.sy) / TileSize)
}

// draw is the one renderer behind Render and Draw. Land, borders and
// coastlines are each rasterized, anti-aliased, into a coverage mask; one
// pass then paints sea, land, borders, coastlines and, when names is not
// nil, the names over their halo, in colours c. It checks ctx every
// checkEvery shapes.
func (a *Atlas) draw(ctx context.Context, dst *image.RGBA, v view, c Colors, names, halo *image.Alpha) error {
	r := dst.Rect
	if r.Empty() {
		return nil
	}
	shapes := 0
	stopped := func() bool {
		shapes++
		return shapes%checkEvery == 0 && ctx.Err() != nil
	}
	ws := a.layer(ScaleForZoom(v.zoom())).drawing()
	var rings []orb.Ring // a polygon's, reused
	w, h := float64(r.Dx()), float64(r.Dy())
	p := painter{
		v:   v,
		z:   vector.NewRasterizer(r.Dx(), r.Dy()),
		pad: 2 + 2*v.ratio,
	}
	p.z.DrawOp = draw.Src // each mask is written whole
	p.clip = orb.Bound{Min: orb.Point{-p.pad, -p.pad}, Max: orb.Point{w + p.pad, h + p.pad}}
	// The visible world rectangle, and which copies of the world it shows.
	vis := orb.Bound{
		Min: orb.Point{v.x0 - p.pad/v.sx, v.y0 - p.pad/v.sy},
		Max: orb.Point{v.x0 + (w+p.pad)/v.sx, v.y0 + (h+p.pad)/v.sy},
	}
	first, last := math.Floor(vis.Min[0]), math.Floor(vis.Max[0])
	if last-first > 64 { // absurdly wide views: draw only a few copies
		last = first + 64
	}

	size := image.Rect(0, 0, r.Dx(), r.Dy())
	var masks [3]*image.Alpha // land, borders, coastlines
	for i := range masks {
		masks[i] = image.NewAlpha(size)
		if i > 0 {
			p.z.Reset(r.Dx(), r.Dy())
		}
		for k := first; k <= last; k++ {
			switch i {
			case 0:
				for _, wp := range ws.polys {
					if stopped() {
						return ctx.Err()
					}
					if intersects(wp.bound, vis, k) {
						rings = ws.rings(wp, rings[:0])
						p.polygon(rings, k)
					}
				}
			default:
				kind, width := lineBorder, BorderWidth
				if i == 2 {
					kind, width = lineCoast, CoastWidth
				}
				for _, wl := range ws.lines {
					if stopped() {
						return ctx.Err()
					}
					if wl.kind == kind && intersects(wl.bound, vis, k) {
						p.line(ws.line(wl), k, width*v.ratio/2)
					}
				}
			}
		}
		p.z.Draw(masks[i], size, image.Opaque, image.Point{})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	composite(dst, c, masks[0], masks[1], masks[2], names, halo)
	return nil
}

// checkEvery is how many shapes draw rasterizes between looks at its context: often enough to
// stop within a millisecond or so, rarely enough to cost nothing.
const checkEvery = 64

// haloOpacity is how much the halo hides of what lies under a name.
const haloOpacity = 0.8

// composite paints dst from the coverage masks, which have dst's size:
// Sea, then Land, Border and Coast over it, each by its coverage, then
// (when names is not nil) the halo and the names.
func composite(dst *image.RGBA, col Colors, land, border, coast, names, halo *image.Alpha) {
	var ground [256][3]uint8 // Sea overlaid with Land at each coverage
	sea, lnd := col.Sea.NRGBA(), col.Land.NRGBA()
	for a := range ground {
		ground[a] = [3]uint8{mix(sea.R, lnd.R, uint8(a)), mix(sea.G, lnd.G, uint8(a)), mix(sea.B, lnd.B, uint8(a))}
	}
	bc, cc := col.Border.NRGBA(), col.Coast.NRGBA()
	hc, lc := col.Halo.NRGBA(), col.Label.NRGBA()
	r := dst.Rect
	for y := 0; y < r.Dy(); y++ {
		row := dst.Pix[dst.PixOffset(r.Min.X, r.Min.Y+y):]
		m := y * land.Stride
		for x := 0; x < r.Dx(); x++ {
			c := ground[land.Pix[m+x]]
			if a := border.Pix[m+x]; a != 0 {
				c = [3]uint8{mix(c[0], bc.R, a), mix(c[1], bc.G, a), mix(c[2], bc.B, a)}
			}
			if a := coast.Pix[m+x]; a != 0 {
				c = [3]uint8{mix(c[0], cc.R, a), mix(c[1], cc.G, a), mix(c[2], cc.B, a)}
			}
			if names != nil {
				if a := uint8(float64(halo.Pix[m+x]) * haloOpacity); a != 0 {
					c = [3]uint8{mix(c[0], hc.R, a), mix(c[1], hc.G, a), mix(c[2], hc.B, a)}
				}
				if a := names.Pix[m+x]; a != 0 {
					c = [3]uint8{mix(c[0], lc.R, a), mix(c[1], lc.G, a), mix(c[2], lc.B, a)}
				}
			}
			px := row[4*x : 4*x+4 : 4*x+4]
			px[0], px[1], px[2], px[3] = c[0], c[1], c[2], 0xff
		}
	}
}

// mix returns a blended over b with coverage a of 255.
func mix(b, a, cov uint8) uint8 {
	return uint8((uint32(b)*(255-uint32(cov)) + uint32(a)*uint32(cov) + 127) / 255)
}

// intersects reports whether b, moved k worlds east, meets vis.
func intersects(b, vis orb.Bound, k float64) bool {
	return b.Min[0]+k <= vis.Max[0] && b.Max[0]+k >= vis.Min[0] &&
		b.Min[1] <= vis.Max[1] && b.Max[1] >= vis.Min[1]
}

// painter turns world geometry into rasterizer paths for one view.
type painter struct {
	v    view
	z    *vector.Rasterizer
	pad  float64   // pixels drawn beyond the image edge
	clip orb.Bound // the image in pixels, plus pad
	buf  []orb.Point
}

// minStep is the smallest move in pixels worth a vertex: closer points are
// dropped, which keeps coarse views of detailed data cheap.
const minStep = 0.3

// project converts world points, moved k worlds east, to pixels in p.buf,
// dropping vertices within minStep of the previous one (but never the
// last).
func (p *painter) project(pts []orb.Point, k float64) []orb.Point {
	out := p.buf[:0]
	v := p.v
	for i, pt := range pts {
		q := orb.Point{(pt[0] + k - v.x0) * v.sx, (pt[1] - v.y0) * v.sy}
		if n := len(out); n > 0 && i < len(pts)-1 {
			if d := out[n-1]; math.Abs(q[0]-d[0]) < minStep && math.Abs(q[1]-d[1]) < minStep {
				continue
			}
		}
		out = append(out, q)
	}
	p.buf = out
	return out
}

// polygon adds the polygon's rings to the path. Rings are clipped to the
// padded image first; holes wind opposite to exteriors, so the
// rasterizer's non-zero fill cuts them out.
func (p *painter) polygon(rings []orb.Ring, k float64) {
	for i, r := range rings {
		pr := orb.Ring(p.project(r, k))
		b := pr.Bound()
		if b.Max[0]-b.Min[0] < 0.05 && b.Max[1]-b.Min[1] < 0.05 {
			if i == 0 {
				return // smaller than a twentieth of a pixel
			}
			continue
		}
		if !(b.Min[0] >= p.clip.Min[0] && b.Max[0] <= p.clip.Max[0] && b.Min[1] >= p.clip.Min[1] && b.Max[1] <= p.clip.Max[1]) {
			pr = clip.Ring(p.clip, pr) // uses p.buf as scratch space
		}
		if len(pr) < 3 {
			if i == 0 {
				return
			}
			continue
		}
		p.z.MoveTo(float32(pr[0][0]), float32(pr[0][1]))
		for _, q := range pr[1:] {
			p.z.LineTo(float32(q[0]), float32(q[1]))
		}
		p.z.ClosePath()
	}
}

// line adds the line string, stroked halfWidth pixels either side, to
// the path: one quadrilateral per segment, all wound the same way so that
// overlaps at the joints do not cancel.
func (p *painter) line(ls orb.LineString, k float64, halfWidth float64) {
	pl := orb.LineString(p.project(ls, k))
	parts := orb.MultiLineString{pl}
	b := pl.Bound()
	if !(b.Min[0] >= p.clip.Min[0] && b.Max[0] <= p.clip.Max[0] && b.Min[1] >= p.clip.Min[1] && b.Max[1] <= p.clip.Max[1]) {
		parts = clip.LineString(p.clip, pl)
	}
	for _, part := range parts {
		for i := 1; i < len(part); i++ {
			a, b := part[i-1], part[i]
			dx, dy := b[0]-a[0], b[1]-a[1]
			d := math.Hypot(dx, dy)
			if d < 1e-9 {
				continue
			}
			nx, ny := -dy/d*halfWidth, dx/d*halfWidth
			p.z.MoveTo(float32(a[0]-nx), float32(a[1]-ny))
			p.z.LineTo(float32(b[0]-nx), float32(b[1]-ny))
			p.z.LineTo(float32(b[0]+nx), float32(b[1]+ny))
			p.z.LineTo(float32(a[0]+nx), float32(a[1]+ny))
			p.z.ClosePath()
		}
	}
}
