package render

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/paulmach/orb"
)

// TestCanvasesReuse lends a canvas, dirties it and gives it back: the next canvas that fits is the
// same memory, cleared; one much smaller or larger is not lent it; the pool keeps no more than
// its bytes; small canvases are not pooled.
func TestCanvasesReuse(t *testing.T) {
	const side = 1024 // 4 MiB
	pool := NewCanvases(2 * 4 * side * side)
	a := pool.rgba(image.Rect(0, 0, side, side))
	draw.Draw(a, a.Rect, image.NewUniform(color.RGBA{200, 10, 10, 255}), image.Point{}, draw.Src)
	first := &a.Pix[0]
	pool.put(a)
	if n, bytes := pool.Idle(); n != 1 || bytes != 4*side*side {
		t.Fatalf("after one put: %d idle, %d bytes", n, bytes)
	}
	b := pool.rgba(image.Rect(0, 0, side, side/2)) // half the size: within maxWaste
	if &b.Pix[0] != first {
		t.Error("a canvas that fits was allocated anew")
	}
	if b.Bounds() != image.Rect(0, 0, side, side/2) || len(b.Pix) != 4*side*side/2 || b.Stride != 4*side {
		t.Errorf("lent canvas: bounds %v, %d bytes, stride %d", b.Bounds(), len(b.Pix), b.Stride)
	}
	for i, v := range b.Pix {
		if v != 0 {
			t.Fatalf("lent canvas not cleared: byte %d is %d", i, v)
		}
	}
	pool.put(b)
	if c := pool.rgba(image.Rect(0, 0, side/4, side/4)); &c.Pix[0] == first {
		t.Error("a canvas 16 times too large was lent")
	}
	if c := pool.rgba(image.Rect(0, 0, 2*side, side)); &c.Pix[0] == first || len(c.Pix) != 8*side*side {
		t.Error("a canvas too small was lent")
	}
	for range 3 {
		pool.put(image.NewRGBA(image.Rect(0, 0, side, side)))
	}
	if n, bytes := pool.Idle(); n != 2 || bytes != 2*4*side*side {
		t.Errorf("the pool holds %d canvases, %d bytes: over its %d bytes", n, bytes, 2*4*side*side)
	}
	small := NewCanvases(1 << 30)
	small.put(image.NewRGBA(image.Rect(0, 0, 100, 100)))
	if n, _ := small.Idle(); n != 0 {
		t.Error("a canvas smaller than minPooled was kept")
	}
	var none *Canvases
	if img := none.rgba(image.Rect(0, 0, 8, 8)); img.Bounds().Dx() != 8 {
		t.Error("the nil pool does not allocate")
	}
	none.put(a)
}

// TestBaseMapBands draws base maps in bands, as PNG maps do (here narrow ones), and the whole at once: the pixels
// agree but for anti-aliasing at the bands' edges.
func TestBaseMapBands(t *testing.T) {
	fx := testFixture(t)
	for _, tc := range []struct {
		name          string
		ext           Extent
		width, height int
		scale         int
	}{
		{"world", Extent{}, 900, 700, 1},
		{"china @2x", BoundExtent(orb.Bound{Min: orb.Point{73, 18}, Max: orb.Point{135, 54}}), 600, 500, 2},
		{"across the antimeridian", BoundExtent(orb.Bound{Min: orb.Point{150, -50}, Max: orb.Point{-150, 10}}), 700, 300, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.ext.view(float64(tc.width), float64(tc.height))
			r := newRaster(context.Background(), tc.width, tc.height, tc.scale, fx.atlas, nil)
			r.band = 64 << 10 // bands of a few dozen rows
			r.baseMap(v)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if rows := r.band / r.img.Rect.Dx(); r.img.Rect.Dy() <= 2*rows {
				t.Fatalf("%d rows: one band only", r.img.Rect.Dy())
			}
			whole := image.NewRGBA(r.img.Rect)
			draw.Draw(whole, whole.Rect, image.NewUniform(color.RGBA{255, 0, 255, 255}), image.Point{}, draw.Src)
			b, top, bottom := v.lonLat()
			y0, y1 := int(top*float64(tc.scale)+0.5), int(bottom*float64(tc.scale)+0.5)
			if y0 > 0 || y1 < whole.Rect.Dy() {
				draw.Draw(whole, whole.Rect, image.NewUniform(r.img.At(0, 0)), image.Point{}, draw.Src)
			}
			dst := whole.SubImage(image.Rect(0, y0, whole.Rect.Dx(), y1)).(*image.RGBA)
			if err := fx.atlas.Draw(context.Background(), dst, b, float64(tc.scale)); err != nil {
				t.Fatal(err)
			}
			within, mean := diffStats(r.img, whole, 8)
			t.Logf("%.4f%% of pixels within 8, mean difference %.4f", 100*within, mean)
			if within < 0.999 || mean > 0.05 {
				t.Errorf("banded base map differs: %.3f%% of pixels within 8, mean difference %.3f", 100*within, mean)
			}
		})
	}
}
