package basemap

import (
	"cmp"
	"container/heap"
	"fmt"
	"image"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Country names are set in Go Regular, the font of the static maps
// (package render), LabelSize pixels high at a pixel ratio of 1. Each zoom
// places them once for the whole world, so that every tile of the zoom
// draws the same names at the same places and a name cut by a tile edge
// lines up across it.
const (
	// LabelSize is the font size of country names in pixels.
	LabelSize = 11
	// labelGap is the least room, in pixels, between two names.
	labelGap = 6
	// labelStretch is how far a name may reach beyond the largest circle
	// inside its country, as a multiple of that circle's radius: a name a
	// little wider than the circle still reads as the country's.
	labelStretch = 1.5
	// labelScale is the Natural Earth scale label points come from.
	labelScale = Scale50m
)

// Label is a country's name placed on the map at one zoom.
type Label struct {
	// Name is the Natural Earth short name, ISO2 the ISO 3166-1 alpha-2
	// code ("" for areas without one).
	Name, ISO2 string
	// Rank orders the countries by area on the map, 1 the largest: names
	// are placed in rank order, so a larger country wins a clash.
	Rank int
	// MinZoom is the first zoom at which the name fits inside its country.
	// At a deeper zoom it may still give way to a larger country's name.
	MinZoom int
	// Point is the name's centre in lon/lat: the pole of inaccessibility of
	// the country's largest polygon on the map, the point inside it
	// farthest from its edges.
	Point orb.Point
	// Box is the text's box in pixels of the whole world at the zoom
	// (256·2^z pixels wide, y down), Baseline the y of its baseline.
	Box      orb.Bound
	Baseline float64
}

// labelCandidate is a country that may be named: where, how large, and the
// size of its name in pixels at LabelSize.
type labelCandidate struct {
	name, iso2 string
	point      orb.Point // lon/lat
	world      orb.Point // Web Mercator world coordinates of point
	radius     float64   // of the largest circle inside, in world units
	area       float64   // of the country on the map, in world units²
	width      float64   // of the name, in pixels
	ascent     float64
	descent    float64
	minZoom    int
}

// fits reports whether the candidate's name fits its country at zoom z.
func (c *labelCandidate) fits(z int) bool {
	r := c.radius * TileSize * math.Ldexp(1, z) // pixels
	return c.width/2 <= labelStretch*r && (c.ascent+c.descent)/2 <= r
}

// labelFont parses Go Regular.
func labelFont() (*sfnt.Font, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("basemap: Go Regular: %w", err)
	}
	return f, nil
}

// newLabelFace returns a face of f at size pixels, without hinting so that
// text scales exactly with the pixel ratio. A face is not safe for
// concurrent use: each drawing makes its own.
func newLabelFace(f *sfnt.Font, size float64) (font.Face, error) {
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
}

// labelCandidates finds where each country of the layer would be named,
// largest first.
func labelCandidates(l *layer, f *sfnt.Font) ([]labelCandidate, error) {
	face, err := newLabelFace(f, LabelSize)
	if err != nil {
		return nil, err
	}
	m := face.Metrics()
	w := l.drawing()
	largest := make(map[int]worldPolygon) // country → its largest polygon on the map
	areas := make(map[int]float64)
	for _, wp := range w.polys {
		a := math.Abs(planar.Area(orb.Polygon(w.rings(wp, nil))))
		areas[wp.country] += a
		if b, ok := largest[wp.country]; !ok || a > math.Abs(planar.Area(orb.Polygon(w.rings(b, nil)))) {
			largest[wp.country] = wp
		}
	}
	out := make([]labelCandidate, 0, len(largest))
	for ci, wp := range largest {
		c := l.countries[ci]
		if c.Name == "" {
			continue
		}
		p, r := poleOfInaccessibility(w.rings(wp, nil), wp.bound)
		cand := labelCandidate{
			name: c.Name, iso2: c.ISO2,
			point:  fromWorld(p),
			world:  p,
			radius: r,
			area:   areas[ci],
			width:  float64(font.MeasureString(face, c.Name)) / 64,
			ascent: float64(m.Ascent) / 64, descent: float64(m.Descent) / 64,
			minZoom: -1,
		}
		for z := 0; z <= MaxZoom; z++ {
			if cand.fits(z) {
				cand.minZoom = z
				break
			}
		}
		if cand.minZoom >= 0 {
			out = append(out, cand)
		}
	}
	slices.SortFunc(out, func(a, b labelCandidate) int {
		return cmp.Or(cmp.Compare(b.area, a.area), cmp.Compare(a.name, b.name))
	})
	return out, nil
}

// placeLabels places the candidates' names at zoom z, largest country
// first, each where it fits its country and keeps labelGap pixels from
// every name already placed (across the antimeridian too).
func placeLabels(cands []labelCandidate, z int) []Label {
	world := TileSize * math.Ldexp(1, z)
	var out []Label
	for i, c := range cands {
		if z < c.minZoom {
			continue
		}
		x, y := c.world[0]*world, c.world[1]*world
		h := c.ascent + c.descent
		box := orb.Bound{Min: orb.Point{x - c.width/2, y - h/2}, Max: orb.Point{x + c.width/2, y + h/2}}
		if slices.ContainsFunc(out, func(l Label) bool { return clashes(box, l.Box, world) }) {
			continue
		}
		out = append(out, Label{
			Name: c.name, ISO2: c.iso2, Rank: i + 1, MinZoom: c.minZoom, Point: c.point,
			Box: box, Baseline: y - h/2 + c.ascent,
		})
	}
	return out
}

// clashes reports whether boxes a and b, or a and b moved one world east
// or west, come within labelGap pixels of each other.
func clashes(a, b orb.Bound, world float64) bool {
	for _, k := range [...]float64{-world, 0, world} {
		if a.Min[0] < b.Max[0]+k+labelGap && b.Min[0]+k < a.Max[0]+labelGap &&
			a.Min[1] < b.Max[1]+labelGap && b.Min[1] < a.Max[1]+labelGap {
			return true
		}
	}
	return false
}

// drawLabels draws the names of labels (placed at some zoom) whose boxes
// touch the image into mask, as coverage. The image's top-left corner is
// at origin in the zoom's world pixels and it has ratio image pixels per
// world pixel. A name is drawn at the same fractional position in every
// image whose origin differs by whole pixels, so a name cut by a tile edge
// lines up across it. It returns the pixels the names may cover, empty
// when it drew none.
func drawLabels(mask *image.Alpha, face font.Face, labels []Label, origin orb.Point, ratio, world float64) image.Rectangle {
	var drawn image.Rectangle
	w, h := float64(mask.Rect.Dx())/ratio, float64(mask.Rect.Dy())/ratio
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face}
	for _, l := range labels {
		for _, k := range [...]float64{-world, 0, world} {
			x0, x1 := l.Box.Min[0]+k-origin[0], l.Box.Max[0]+k-origin[0]
			y0, y1 := l.Box.Min[1]-origin[1], l.Box.Max[1]-origin[1]
			if x1 < -1 || x0 > w+1 || y1 < -1 || y0 > h+1 {
				continue
			}
			d.Dot = fixed.Point26_6{
				X: fixed.Int26_6(math.Round(x0 * ratio * 64)),
				Y: fixed.Int26_6(math.Round((l.Baseline - origin[1]) * ratio * 64)),
			}
			d.DrawString(l.Name)
			pad := 2 * ratio // glyphs may reach a little beyond the font's ascent and descent
			drawn = drawn.Union(image.Rect(
				int(math.Floor(x0*ratio-pad)), int(math.Floor(y0*ratio-pad)),
				int(math.Ceil(x1*ratio+pad)), int(math.Ceil(y1*ratio+pad))))
		}
	}
	return drawn.Intersect(mask.Rect)
}

// dilate returns the coverage of m spread r pixels in every direction (a
// square maximum filter), the halo under the names. Only the pixels within
// r of the rectangle in, which holds all of m's coverage, can be non-zero,
// and only those are computed. m's top-left corner is at the origin.
func dilate(m *image.Alpha, r int, in image.Rectangle) *image.Alpha {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	in = in.Inset(-r).Intersect(m.Rect)
	tmp := image.NewAlpha(m.Rect)
	out := image.NewAlpha(m.Rect)
	for y := in.Min.Y; y < in.Max.Y; y++ {
		row, dst := m.Pix[y*m.Stride:], tmp.Pix[y*tmp.Stride:]
		for x := in.Min.X; x < in.Max.X; x++ {
			var v uint8
			for i := max(0, x-r); i <= min(w-1, x+r); i++ {
				v = max(v, row[i])
			}
			dst[x] = v
		}
	}
	for y := in.Min.Y; y < in.Max.Y; y++ {
		dst := out.Pix[y*out.Stride:]
		for x := in.Min.X; x < in.Max.X; x++ {
			var v uint8
			for j := max(0, y-r); j <= min(h-1, y+r); j++ {
				v = max(v, tmp.Pix[j*tmp.Stride+x])
			}
			dst[x] = v
		}
	}
	return out
}

// Labels returns the country names placed at zoom z (0 to MaxZoom), largest
// country first. Each zoom is placed once, on first use, for the whole
// world.
func (a *Atlas) Labels(z int) ([]Label, error) {
	if z < 0 || z > MaxZoom {
		return nil, fmt.Errorf("%w: zoom %d", ErrInvalidTile, z)
	}
	cands, err := a.labelCands()
	if err != nil {
		return nil, err
	}
	return a.placed[z](cands), nil
}

// labelSetup makes the lazily built label data of a new atlas.
func (a *Atlas) labelSetup() {
	a.font = sync.OnceValues(labelFont)
	a.labelCands = sync.OnceValues(func() ([]labelCandidate, error) {
		f, err := a.font()
		if err != nil {
			return nil, err
		}
		return labelCandidates(a.layer(labelScale), f)
	})
	for z := range a.placed {
		var once sync.Once
		var labels []Label
		a.placed[z] = func(cands []labelCandidate) []Label {
			once.Do(func() { labels = placeLabels(cands, z) })
			return labels
		}
	}
}

// fromWorld converts world coordinates back to lon/lat.
func fromWorld(p orb.Point) orb.Point {
	lat := math.Atan(math.Sinh(math.Pi*(1-2*p[1]))) * 180 / math.Pi
	return orb.Point{(p[0] - 0.5) * 360, lat}
}

// poleOfInaccessibility returns the point inside the polygon (rings, the
// first exterior, within bound) farthest from its edges, and that
// distance, to within a five-hundredth of the bound's larger side. It is
// Mapbox's polylabel: cover the bound with square cells, then split the
// cells that could still hold a farther point, most promising first. It
// works on the polygon simplified by half that precision and takes off
// what the simplification may have moved the edges, so the point is
// inside the polygon given whenever the distance returned is positive.
func poleOfInaccessibility(rings []orb.Ring, bound orb.Bound) (orb.Point, float64) {
	size := orb.Point{bound.Max[0] - bound.Min[0], bound.Max[1] - bound.Min[1]}
	cell := min(size[0], size[1])
	if cell <= 0 {
		return bound.Min, 0
	}
	precision := max(size[0], size[1]) / 500
	tolerance := precision / 2
	poly := simplify.DouglasPeucker(tolerance).Polygon(orb.Polygon(rings).Clone())
	newCell := func(c orb.Point, h float64) *poleCell {
		d := signedDistance(poly, c)
		return &poleCell{c: c, h: h, d: d, max: d + h*math.Sqrt2}
	}
	var q poleQueue
	h := cell / 2
	for x := bound.Min[0]; x < bound.Max[0]; x += cell {
		for y := bound.Min[1]; y < bound.Max[1]; y += cell {
			heap.Push(&q, newCell(orb.Point{x + h, y + h}, h))
		}
	}
	best := newCell(bound.Center(), 0)
	if c, _ := planar.CentroidArea(poly); c != (orb.Point{}) {
		if cc := newCell(c, 0); cc.d > best.d {
			best = cc
		}
	}
	// Each split adds four cells; maxCells bounds the work for any shape.
	const maxCells = 20000
	for n := 0; q.Len() > 0 && n < maxCells; n++ {
		c := heap.Pop(&q).(*poleCell)
		if c.d > best.d {
			best = c
		}
		if c.max-best.d <= precision {
			continue
		}
		h := c.h / 2
		for _, o := range [...]orb.Point{{-h, -h}, {h, -h}, {-h, h}, {h, h}} {
			heap.Push(&q, newCell(orb.Point{c.c[0] + o[0], c.c[1] + o[1]}, h))
		}
	}
	return best.c, max(0, best.d-tolerance)
}

// signedDistance is the distance from p to the nearest edge of poly,
// negative when p is outside (even–odd rule): one pass over the edges.
func signedDistance(poly orb.Polygon, p orb.Point) float64 {
	inside := false
	best := math.Inf(1)
	for _, r := range poly {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			best = min(best, planar.DistanceFromSegmentSquared(a, b, p))
		}
	}
	d := math.Sqrt(best)
	if !inside {
		return -d
	}
	return d
}

// poleCell is a square cell of the polylabel search: its centre c,
// half-size h, the signed distance d from c to the polygon's edges
// (negative outside) and the most any point of the cell can reach.
type poleCell struct {
	c    orb.Point
	h, d float64
	max  float64
}

// poleQueue is a max-heap of cells by their reach.
type poleQueue []*poleCell

func (q poleQueue) Len() int           { return len(q) }
func (q poleQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q poleQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *poleQueue) Push(x any)        { *q = append(*q, x.(*poleCell)) }
func (q *poleQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
