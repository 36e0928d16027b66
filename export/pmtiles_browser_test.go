package export

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPMTilesInMapLibre exports the base map (vector) and the sites as PMTiles, serves them with
// the vendored MapLibre and pmtiles packages from nginx, and checks in headless Chromium, with
// every other host unreachable, that MapLibre draws both from HTTP range requests. It needs
// /usr/bin/chromium (or DCATLAS_CHROMIUM) and nginx, and is skipped without them.
func TestPMTilesInMapLibre(t *testing.T) {
	chromium, nginx := browserTools(t)
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
	base, accessLog := startNginx(t, nginx, root, www)

	// WebGL on the CPU, for MapLibre without a GPU.
	ctx := newBrowser(t, chromium, 900, 600, chromedp.Flag("enable-unsafe-swiftshader", true))

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

// browserTools returns the paths of Chromium (or DCATLAS_CHROMIUM) and nginx, skipping the test
// without them.
func browserTools(t *testing.T) (chromium, nginx string) {
	t.Helper()
	chromium = os.Getenv("DCATLAS_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("skipping: no Chromium at %s (install chromium, or set DCATLAS_CHROMIUM)", chromium)
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if nginx, err = exec.LookPath("/usr/sbin/nginx"); err != nil {
			t.Skip("skipping: no nginx (install nginx-light)")
		}
	}
	return chromium, nginx
}

// newBrowser starts headless Chromium at the given window size for at most two minutes, with the
// project's flags and every host but loopback unreachable; it ends with the test.
func newBrowser(t *testing.T, chromium string, width, height int, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// Nothing but the test's nginx can be reached.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// startNginx serves www on a free loopback port until the test ends, logging each request's
// path, status and Range header; it returns the base URL and the log's path.
func startNginx(t *testing.T, nginx, root, www string) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	accessLog := filepath.Join(root, "access.log")
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    log_format ranges '$uri $status $http_range';
    access_log %[2]s ranges;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen %[3]s;
        root %[4]s;
        location ~ \.mjs$ { types { } default_type text/javascript; }
    }
}
`, root, accessLog, addr, www)
	confPath := filepath.Join(root, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-e", filepath.Join(root, "error.log"), "-p", root, "-c", confPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	base := "http://" + addr
	for i := 0; ; i++ {
		res, err := http.Get(base + "/index.html")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 500 {
			t.Fatalf("nginx not answering with 200: %v\n%s", err, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return base, accessLog
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
