package render

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dcatlas/geo"

	"dcatlas/internal/heavytest"
)

// chromiumPath returns the Chromium to test with, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: cannot check that browsers draw the SVG as the PNG")
	return ""
}

// TestSVGInBrowser has headless Chromium draw the SVG of a map and of a timeline chart, and
// compares its screenshots with the PNGs of the same specs. The SVG's text falls back to the
// browser's sans-serif (the Go fonts are not installed), so a few percent of the pixels, around
// the letters, may differ.
func TestSVGInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium: skipped with -short (.ci/run runs it)")
	}
	exe := chromiumPath(t)
	heavytest.Lock(t)
	fx := testFixture(t)
	at := day(t, "2018-09-01")
	mapSpec := fx.mapOf(at, geo.Filter{}, Extent{})
	mapSpec.Title = "Alibaba Cloud, September 2018"
	mapSpec.Labels = true
	tl := TimelineSpec{Width: 1200, Height: 400, Timeline: fx.ds.Timeline(geo.Filter{}, at), Until: at,
		Title: "Alibaba Cloud regions", Stamp: "by status, until 2018-09-01", Attribution: "Data: dcatlas"}

	type image2 struct {
		name     string
		svg, png []byte
		w, h     int
	}
	var images []image2
	images = append(images, image2{"map", renderMap(t, fx.atlas, mapSpec, SVG), renderMap(t, fx.atlas, mapSpec, PNG), 1200, 800})
	var svg, png bytes.Buffer
	if err := Timeline(context.Background(), &svg, tl, SVG); err != nil {
		t.Fatal(err)
	}
	if err := Timeline(context.Background(), &png, tl, PNG); err != nil {
		t.Fatal(err)
	}
	images = append(images, image2{"timeline", svg.Bytes(), png.Bytes(), 1200, 400})

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, im := range images {
			if r.URL.Path == "/"+im.name+".svg" {
				w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
				w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
				w.Write(im.svg)
				return
			}
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	for _, im := range images {
		t.Run(im.name, func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(int64(im.w), int64(im.h)),
				chromedp.Navigate(srv.URL+"/"+im.name+".svg"),
			)
			if err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			got, want := decodePNG(t, shot), decodePNG(t, im.png)
			if got.Bounds().Size() != want.Bounds().Size() {
				t.Fatalf("screenshot %v, PNG %v", got.Bounds().Size(), want.Bounds().Size())
			}
			within, mean := diffStats(got, want, 32)
			t.Logf("%s: %.2f%% of pixels within 32, mean channel difference %.2f", im.name, 100*within, mean)
			if within < 0.97 || mean > 4 {
				dir := t.TempDir()
				if keep := os.Getenv("DCATLAS_KEEP_SCREENSHOTS"); keep != "" {
					dir = keep
				}
				os.WriteFile(filepath.Join(dir, im.name+"-chromium.png"), shot, 0o644)
				os.WriteFile(filepath.Join(dir, im.name+"-render.png"), im.png, 0o644)
				t.Errorf("the browser's drawing of the SVG differs from the PNG: %.2f%% of pixels within 32 (want ≥ 97%%), mean %.2f (want ≤ 4); images in %s",
					100*within, mean, dir)
			}
		})
	}
}
