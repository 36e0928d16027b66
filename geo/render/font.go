package render

import (
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Text is set in the Go fonts (Bigelow & Holmes, BSD licence), built into the binary so that a
// PNG looks the same on every machine. The SVG names them first and falls back to the reader's
// sans-serif, so its text may be a little wider or narrower; the layout leaves room for that.
const fontFamily = "Go, 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"

// fonts are the parsed Go Regular and Go Bold.
type fonts struct {
	regular, bold *sfnt.Font
}

// loadFonts parses the fonts once; they are safe for concurrent use with a Buffer per goroutine.
var loadFonts = sync.OnceValues(func() (*fonts, error) {
	r, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("render: Go Regular: %w", err)
	}
	b, err := sfnt.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("render: Go Bold: %w", err)
	}
	return &fonts{regular: r, bold: b}, nil
})

// typesetter measures and outlines text for one drawing; it is not safe for concurrent use.
type typesetter struct {
	fonts *fonts
	buf   sfnt.Buffer
}

func newTypesetter() (*typesetter, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	return &typesetter{fonts: f}, nil
}

func (t *typesetter) font(bold bool) *sfnt.Font {
	if bold {
		return t.fonts.bold
	}
	return t.fonts.regular
}

// ppem converts a size in pixels to the fonts' fixed-point size.
func ppem(size float64) fixed.Int26_6 { return fixed.Int26_6(math.Round(size * 64)) }

// glyphs calls fn with each glyph of s and the pen's x position before it, in pixels at size,
// kerned, and returns the pen's final position: the text's width.
func (t *typesetter) glyphs(s string, size float64, bold bool, fn func(g sfnt.GlyphIndex, x float64)) float64 {
	f := t.font(bold)
	em := ppem(size)
	var pen fixed.Int26_6
	var prev sfnt.GlyphIndex
	for i, r := range s {
		g, err := f.GlyphIndex(&t.buf, r)
		if err != nil {
			g = 0
		}
		if i > 0 {
			if k, err := f.Kern(&t.buf, prev, g, em, font.HintingNone); err == nil {
				pen += k
			}
		}
		if fn != nil {
			fn(g, float64(pen)/64)
		}
		if adv, err := f.GlyphAdvance(&t.buf, g, em, font.HintingNone); err == nil {
			pen += adv
		}
		prev = g
	}
	return float64(pen) / 64
}

// width returns the advance width of s in pixels.
func (t *typesetter) width(s string, size float64, bold bool) float64 {
	return t.glyphs(s, size, bold, nil)
}

// metrics returns the ascent, descent and cap height of the font at size, in pixels.
func (t *typesetter) metrics(size float64, bold bool) (ascent, descent, capHeight float64) {
	m, err := t.font(bold).Metrics(&t.buf, ppem(size), font.HintingNone)
	if err != nil {
		return 0.93 * size, 0.22 * size, 0.7 * size
	}
	return float64(m.Ascent) / 64, float64(m.Descent) / 64, float64(m.CapHeight) / 64
}

// outline returns the contours of s at size, its start at x and its baseline at y, flattened to
// polygons.
func (t *typesetter) outline(s string, x, y, size float64, bold bool) [][]orb.Point {
	f := t.font(bold)
	em := ppem(size)
	var polys [][]orb.Point
	var cur []orb.Point
	flush := func() {
		if len(cur) > 2 {
			polys = append(polys, cur)
		}
		cur = nil
	}
	var segs sfnt.Segments
	t.glyphs(s, size, bold, func(g sfnt.GlyphIndex, gx float64) {
		var err error
		segs, err = f.LoadGlyph(&t.buf, g, em, nil)
		if err != nil {
			return
		}
		pt := func(p fixed.Point26_6) orb.Point {
			return orb.Point{x + gx + float64(p.X)/64, y + float64(p.Y)/64}
		}
		for _, seg := range segs {
			switch seg.Op {
			case sfnt.SegmentOpMoveTo:
				flush()
				cur = append(cur, pt(seg.Args[0]))
			case sfnt.SegmentOpLineTo:
				cur = append(cur, pt(seg.Args[0]))
			case sfnt.SegmentOpQuadTo:
				cur = quadTo(cur, pt(seg.Args[0]), pt(seg.Args[1]))
			case sfnt.SegmentOpCubeTo:
				cur = cubeTo(cur, pt(seg.Args[0]), pt(seg.Args[1]), pt(seg.Args[2]))
			}
		}
		flush()
	})
	return polys
}

// curveSteps is how many segments flatten a curve whose control points stray d pixels from its
// chord: enough to stay within about a twentieth of a pixel.
func curveSteps(d float64) int {
	return max(1, min(24, int(math.Ceil(math.Sqrt(d/0.05)))))
}

// quadTo flattens a quadratic Bézier from the last point of pts.
func quadTo(pts []orb.Point, c, p orb.Point) []orb.Point {
	a := pts[len(pts)-1]
	n := curveSteps(math.Hypot(a[0]-2*c[0]+p[0], a[1]-2*c[1]+p[1]) / 4)
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		pts = append(pts, orb.Point{u*u*a[0] + 2*u*t*c[0] + t*t*p[0], u*u*a[1] + 2*u*t*c[1] + t*t*p[1]})
	}
	return pts
}

// cubeTo flattens a cubic Bézier from the last point of pts.
func cubeTo(pts []orb.Point, c1, c2, p orb.Point) []orb.Point {
	a := pts[len(pts)-1]
	d := max(math.Hypot(a[0]-2*c1[0]+c2[0], a[1]-2*c1[1]+c2[1]), math.Hypot(c1[0]-2*c2[0]+p[0], c1[1]-2*c2[1]+p[1]))
	n := curveSteps(d * 3 / 4)
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		pts = append(pts, orb.Point{
			u*u*u*a[0] + 3*u*u*t*c1[0] + 3*u*t*t*c2[0] + t*t*t*p[0],
			u*u*u*a[1] + 3*u*u*t*c1[1] + 3*u*t*t*c2[1] + t*t*t*p[1],
		})
	}
	return pts
}
