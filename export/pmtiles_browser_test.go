package export

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dcatlas/internal/nginxtest"
)

// TestPMTilesInMapLibre exports the base map (vector) and the sites as PMTiles, serves them with
// the vendored MapLibre and pmtiles packages from nginx, and checks in headless Chromium, with
// every other host unreachable, that MapLibre draws both from HTTP range requests. It needs
// /usr/bin/chromium (or DCATLAS_CHROMIUM) and nginx, and is skipped without them.
func TestPMTilesInMapLibre(t *testing.T) {
	chromium, nginx := nginxtest.Tools(t)
	// Not t.TempDir, whose parent only root may enter: nginx's workers may run as another user.
	root, err := os.MkdirTemp("", "dcatlas-pmtiles-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	www := filepath.Join(root, "www")
	for _, layer := range []string{"basemap-vector", "sites"} {
		var stdout, stderr bytes.Buffer
		args := []string{"export", "--format", "pmtiles", "--layer", layer, "--maxzoom", "4", filepath.Join(www, layer+".pmtiles")}
		if err := os.MkdirAll(www, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := Tiles(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", layer, err, stderr.String())
		}
	}
	copyFile(t, "testdata/pmtiles.html", filepath.Join(www, "index.html"))
	for _, f := range []string{"maplibre-gl/dist/maplibre-gl.mjs", "maplibre-gl/dist/maplibre-gl-worker.mjs", "maplibre-gl/dist/maplibre-gl.css", "pmtiles/dist/pmtiles.js"} {
		copyFile(t, filepath.Join("..", "web", "vendor", f), filepath.Join(www, "vendor", f))
	}
	base, accessLog := nginxtest.Serve(t, nginx, root, www)

	// WebGL on the CPU, for MapLibre without a GPU.
	ctx := nginxtest.Browser(t, chromium, 900, 600, 2*time.Minute, chromedp.Flag("enable-unsafe-swiftshader", true))
	// The page asks nothing of another host: the test fails naming any URL it does.
	nginxtest.WatchTab(t, ctx, base)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/index.html")); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!(window.result || window.errors)`, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		t.Fatalf("waiting for MapLibre: %v", err)
	}
	errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.errors || []`))
	if err != nil {
		t.Fatal(err)
	}
	type loaded struct{ Countries, Labels, Sites, Rendered int }
	result, err := chromedp.Run(ctx, chromedp.Evaluate[loaded](`window.result || {}`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(os.TempDir(), "dcatlas-pmtiles-maplibre.png")
	if err := os.WriteFile(shot, png, 0o644); err == nil {
		t.Logf("screenshot: %s", shot)
	}
	if len(errs) > 0 {
		t.Fatalf("MapLibre errors: %v", errs)
	}
	if result.Countries == 0 || result.Labels == 0 || result.Sites == 0 || result.Rendered == 0 {
		t.Errorf("MapLibre loaded %+v features from the archives; want countries, their names and sites, some drawn", result)
	}
	// Each archive was read in ranges: 206 answers to Range requests, never the whole file.
	logged, err := os.ReadFile(accessLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"basemap-vector", "sites"} {
		var partial, whole int
		for _, line := range strings.Split(string(logged), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "/"+name+".pmtiles" {
				switch {
				case f[1] == "206" && f[2] != "-":
					partial++
				case f[1] == "200":
					whole++
				}
			}
		}
		if partial == 0 || whole > 0 {
			t.Errorf("%s.pmtiles: %d range answers (206), %d whole-file answers; want ranges only\n%s", name, partial, whole, logged)
		}
	}
}

// copyFile copies src to dst, making dst's directory.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
