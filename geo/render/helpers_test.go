package render

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"dcatlas/data"
	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

var update = flag.Bool("update", false, "rewrite the golden images under testdata")

// fixture is the built-in data and base map, loaded once per test binary: ds holds Alibaba Cloud
// alone (the figures the older golden images pin), all holds every provider.
type fixture struct {
	ds, all *geo.Dataset
	atlas   *basemap.Atlas
}

var loadFixture = sync.OnceValues(func() (fixture, error) {
	ds, err := data.Load(data.Subset(data.Embedded(), "alibaba-cloud.yaml"), data.Options{})
	if err != nil {
		return fixture{}, err
	}
	all, err := data.Load(data.Embedded(), data.Options{})
	if err != nil {
		return fixture{}, err
	}
	var topo [3][]byte
	for i, scale := range []string{"110m", "50m", "10m"} {
		if topo[i], err = data.NaturalEarth(scale); err != nil {
			return fixture{}, err
		}
	}
	a, err := basemap.New(topo[0], topo[1], topo[2])
	return fixture{ds, all, a}, err
})

func testFixture(tb testing.TB) fixture {
	tb.Helper()
	f, err := loadFixture()
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// day parses a YYYY-MM-DD day.
func day(tb testing.TB, s string) geo.Day {
	tb.Helper()
	d, err := geo.ParseDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

const testAttribution = "Base map: Natural Earth · Data: dcatlas, sources in each site's history"

// mapOf is the spec of a map of the sites passing f at day at, as the API builds it.
func (fx fixture) mapOf(at geo.Day, f geo.Filter, ext Extent) MapSpec {
	return MapSpec{
		Width: 1200, Height: 800, Scale: 1,
		Extent:      ext,
		Markers:     MarkersOf(fx.ds.Select(at, f)),
		Legend:      true,
		Stamp:       "Alibaba Cloud regions as of " + at.String(),
		Attribution: testAttribution,
	}
}

// renderMap draws spec in format f.
func renderMap(tb testing.TB, a *basemap.Atlas, spec MapSpec, f Format) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Map(context.Background(), &buf, a, spec, f); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func decodePNG(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// diffStats compares two images of the same size: the share of pixels whose every channel is
// within tol, and the mean absolute channel difference.
func diffStats(a, b image.Image, tol int) (within, mean float64) {
	r := a.Bounds()
	var ok, n int
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x-r.Min.X+b.Bounds().Min.X, y-r.Min.Y+b.Bounds().Min.Y).RGBA()
			worst := 0
			for _, d := range []int{int(ar>>8) - int(br>>8), int(ag>>8) - int(bg>>8), int(ab>>8) - int(bb>>8)} {
				if d < 0 {
					d = -d
				}
				worst = max(worst, d)
				sum += float64(d)
			}
			if worst <= tol {
				ok++
			}
			n++
		}
	}
	return float64(ok) / float64(n), sum / float64(3*n)
}

// goldenPNG compares a PNG with testdata/name: the same size, and at least 99.5% of pixels with
// every channel within 16 of the golden image (fonts and anti-aliasing may move a little between
// versions of the libraries). -update rewrites the file.
func goldenPNG(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		// Golden files are kept small: re-encoded with the best compression.
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, decodePNG(tb, got)); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	wantBytes, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test ./geo/render -update)", err)
	}
	gotImg, want := decodePNG(tb, got), decodePNG(tb, wantBytes)
	if gotImg.Bounds().Size() != want.Bounds().Size() {
		tb.Fatalf("%s: size %v, want %v", name, gotImg.Bounds().Size(), want.Bounds().Size())
	}
	if within, mean := diffStats(gotImg, want, 16); within < 0.995 {
		os.WriteFile(filepath.Join(os.TempDir(), "got-"+name), got, 0o644)
		tb.Errorf("%s: %.2f%% of pixels within 16 of the golden image (mean diff %.2f), want ≥ 99.5%%; got written to %s",
			name, 100*within, mean, filepath.Join(os.TempDir(), "got-"+name))
	}
}

// goldenSVG compares an SVG with testdata/name byte for byte: the SVG writer's output depends on
// no library that may move between versions. -update rewrites the file.
func goldenSVG(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test ./geo/render -update)", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(filepath.Join(os.TempDir(), "got-"+name), got, 0o644)
		tb.Errorf("%s differs from the golden file; got written to %s", name, filepath.Join(os.TempDir(), "got-"+name))
	}
}
