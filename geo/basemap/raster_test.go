package basemap

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

// Golden image tolerance: a pixel differs when a channel is off by more
// than maxChannelDiff; at most maxDiffering of the pixels may differ.
const (
	maxChannelDiff = 8
	maxDiffering   = 0.005
)

func TestRenderPNGGolden(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name    string
		tile    maptile.Tile
		scale   int
		palette Palette
	}{
		{"world", maptile.New(0, 0, 0), 1, Light},
		{"world@2x", maptile.New(0, 0, 0), 2, Light},
		{"europe", maptile.New(2, 1, 2), 1, Light},
		{"hong-kong", maptile.At(orb.Point{114.1694, 22.3193}, 5), 1, Light},
		{"hong-kong-z8", maptile.At(orb.Point{114.1694, 22.3193}, 8), 1, Light},
		{"bering-strait", maptile.At(orb.Point{-175, 66}, 4), 1, Light},
		// Names: Europe at z4 (many, some cut by the tile edges), China at z5.
		{"central-europe-z4", maptile.At(orb.Point{15, 50}, 4), 1, Light},
		{"central-europe-z4@2x", maptile.At(orb.Point{15, 50}, 4), 2, Light},
		{"china-z5", maptile.At(orb.Point{105, 35}, 5), 1, Light},
		{"dark-world", maptile.New(0, 0, 0), 1, Dark},
		{"dark-europe", maptile.New(2, 1, 2), 1, Dark},
		{"dark-central-europe-z4", maptile.At(orb.Point{15, 50}, 4), 1, Dark},
		{"dark-central-europe-z4@2x", maptile.At(orb.Point{15, 50}, 4), 2, Dark},
		{"dark-china-z5", maptile.At(orb.Point{105, 35}, 5), 1, Dark},
		{"dark-hong-kong-z8", maptile.At(orb.Point{114.1694, 22.3193}, 8), 1, Dark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := a.RenderPNG(context.Background(), tt.tile, tt.scale, tt.palette)
			if err != nil {
				t.Fatal(err)
			}
			got, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if size := TileSize * tt.scale; got.Bounds() != image.Rect(0, 0, size, size) {
				t.Fatalf("bounds = %v, want %d px square", got.Bounds(), size)
			}
			path := filepath.Join("testdata", fmt.Sprintf("%s-%d-%d-%d.png", tt.name, tt.tile.Z, tt.tile.X, tt.tile.Y))
			if *update {
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := readPNG(t, path)
			if n, frac := differing(got, want); frac > maxDiffering {
				t.Errorf("%d pixels (%.2f%%) differ from %s; rerun with -update if the change is intended", n, 100*frac, path)
			}
		})
	}
}

func TestHongKongTile(t *testing.T) {
	if got, want := maptile.At(orb.Point{114.1694, 22.3193}, 5), maptile.New(26, 13, 5); got != want {
		t.Errorf("Hong Kong at z5 is tile %v, want %v", got, want)
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// differing counts the pixels of a and b that differ by more than
// maxChannelDiff in a channel, and their fraction of the whole.
func differing(a, b image.Image) (int, float64) {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy(), 1
	}
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ca := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			if diff(ca.R, cb.R) > maxChannelDiff || diff(ca.G, cb.G) > maxChannelDiff ||
				diff(ca.B, cb.B) > maxChannelDiff || diff(ca.A, cb.A) > maxChannelDiff {
				n++
			}
		}
	}
	return n, float64(n) / float64(r.Dx()*r.Dy())
}

func diff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestRenderOcean(t *testing.T) {
	a := testAtlas(t)
	img := mustRender(t, a, southAtlantic, TileSize)
	for y := range TileSize {
		for x := range TileSize {
			if got, want := img.RGBAAt(x, y), Sea.NRGBA(); got != color.RGBA(want) {
				t.Fatalf("pixel %d,%d = %v, want sea %v", x, y, got, want)
			}
		}
	}
}

// southAtlantic is a z5 tile of open sea, south-west of Tristan da Cunha.
var southAtlantic = maptile.At(orb.Point{-30, -45}, 5)

func TestRenderPNGErrors(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name  string
		tile  maptile.Tile
		scale int
		want  error
	}{
		{"x beyond the grid", maptile.New(4, 0, 2), 1, ErrInvalidTile},
		{"y beyond the grid", maptile.New(0, 1, 0), 1, ErrInvalidTile},
		{"too deep", maptile.New(0, 0, MaxZoom+1), 1, ErrInvalidTile},
		{"scale 0", maptile.New(0, 0, 0), 0, ErrInvalidScale},
		{"scale 3", maptile.New(0, 0, 0), 3, ErrInvalidScale},
		{"negative scale", maptile.New(0, 0, 0), -1, ErrInvalidScale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := a.RenderPNG(context.Background(), tt.tile, tt.scale, Light)
			if !errors.Is(err, tt.want) || data != nil {
				t.Errorf("RenderPNG() = %d bytes, %v; want %v", len(data), err, tt.want)
			}
		})
	}
}

func TestRenderOddInput(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name string
		tile maptile.Tile
		size int
		want int // image size
	}{
		{"size 0", maptile.New(0, 0, 0), 0, 1},
		{"huge size", maptile.New(0, 0, 0), 1 << 20, MaxRenderSize},
		{"beyond the grid wraps", maptile.New(5, 1, 2), 64, 64},
		{"absurd zoom", maptile.New(1, 1, 1000), 64, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustRender(t, a, tt.tile, tt.size).Bounds(); got != image.Rect(0, 0, tt.want, tt.want) {
				t.Errorf("Render() bounds = %v, want %d px", got, tt.want)
			}
		})
	}
}

// TestDrawMatchesRender checks that a static map of a tile's bound is the
// light tile without its country names.
func TestDrawMatchesRender(t *testing.T) {
	a := testAtlas(t)
	for _, tile := range []maptile.Tile{maptile.New(0, 0, 0), maptile.New(2, 1, 2), maptile.New(33, 21, 6)} {
		t.Run(fmt.Sprint(tile), func(t *testing.T) {
			want, err := a.render(context.Background(), tile, TileSize, Light, false) // static maps draw no country names
			if err != nil {
				t.Fatal(err)
			}
			got := image.NewRGBA(image.Rect(10, 20, 10+TileSize, 20+TileSize)) // not at the origin
			a.Draw(context.Background(), got, tile.Bound(), 1)
			shifted := image.NewRGBA(want.Rect)
			copy(shifted.Pix, got.Pix)
			if n, frac := differing(shifted, want); frac > 0.001 {
				t.Errorf("%d pixels differ", n)
			}
		})
	}
}

func TestDrawAntimeridian(t *testing.T) {
	a := testAtlas(t)
	land := color.RGBA(Land.NRGBA())
	tests := []struct {
		name  string
		bound orb.Bound
		land  orb.Point // a point that must be drawn as land
		sea   orb.Point // and one that must be sea
	}{
		{"Fiji, crossing the antimeridian", orb.Bound{Min: orb.Point{170, -25}, Max: orb.Point{-170, -10}}, orb.Point{178, -17.8}, orb.Point{-175, -15}},
		{"Bering Strait", orb.Bound{Min: orb.Point{160, 55}, Max: orb.Point{-150, 72}}, orb.Point{-175, 66.5}, orb.Point{-170, 58}},
		{"wider than the world", orb.Bound{Min: orb.Point{-270, -60}, Max: orb.Point{180, 60}}, orb.Point{20, 0}, orb.Point{-30, 0}},
		{"wider than the world, repeated part", orb.Bound{Min: orb.Point{-270, -60}, Max: orb.Point{180, 60}}, orb.Point{-240, -25}, orb.Point{-200, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const w, h = 400, 300
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			a.Draw(context.Background(), img, tt.bound, 1)
			px := func(p orb.Point) image.Point {
				x0, x1 := tt.bound.Min[0], tt.bound.Max[0]
				if x1 <= x0 {
					x1 += 360
				}
				lon := p[0]
				if lon < x0 {
					lon += 360
				}
				y0, y1 := worldY(tt.bound.Max[1]), worldY(tt.bound.Min[1])
				return image.Point{int((lon - x0) / (x1 - x0) * w), int((worldY(p[1]) - y0) / (y1 - y0) * h)}
			}
			if p := px(tt.land); img.RGBAAt(p.X, p.Y) != land {
				t.Errorf("%v at %v is %v, want land", tt.land, p, img.RGBAAt(p.X, p.Y))
			}
			if p := px(tt.sea); img.RGBAAt(p.X, p.Y) != color.RGBA(Sea.NRGBA()) {
				t.Errorf("%v at %v is %v, want sea", tt.sea, p, img.RGBAAt(p.X, p.Y))
			}
		})
	}
}

func BenchmarkRenderPNG(b *testing.B) {
	a := testAtlas(b)
	frankfurt := orb.Point{8.6821, 50.1109}
	for z := maptile.Zoom(0); z <= 6; z++ {
		tile := maptile.At(frankfurt, z)
		for _, scale := range []int{1, 2} {
			b.Run(fmt.Sprintf("z%d@%dx", z, scale), func(b *testing.B) {
				if _, err := a.RenderPNG(context.Background(), tile, scale, Light); err != nil { // builds the scale's geometry
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := a.RenderPNG(context.Background(), tile, scale, Light); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkRender(b *testing.B) {
	a := testAtlas(b)
	tile := maptile.At(orb.Point{8.6821, 50.1109}, 6)
	mustRender(b, a, tile, TileSize)
	for b.Loop() {
		mustRender(b, a, tile, TileSize)
	}
}

// mustRender renders a tile, failing the test on an error.
func mustRender(t testing.TB, a *Atlas, tile maptile.Tile, size int) *image.RGBA {
	t.Helper()
	img, err := a.Render(context.Background(), tile, size, Light)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestRenderStopsWhenCancelled checks that a cancelled context stops a tile's drawing.
func TestRenderStopsWhenCancelled(t *testing.T) {
	a := testAtlas(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tile := maptile.At(orb.Point{8.6821, 50.1109}, 4)
	if _, err := a.RenderPNG(ctx, tile, 2, Light); !errors.Is(err, context.Canceled) {
		t.Errorf("RenderPNG with a cancelled context: %v, want context.Canceled", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 512, 512))
	if err := a.Draw(ctx, img, orb.Bound{Min: orb.Point{-180, -80}, Max: orb.Point{180, 80}}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Draw with a cancelled context: %v, want context.Canceled", err)
	}
}
