package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcatlas/api"
	"dcatlas/data"
)

func TestRenderCommand(t *testing.T) {
	atlas, ds, err := data.Open("")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(ds, api.Options{Atlas: atlas})
	dir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		image string     // the /static/ image the command draws
		query url.Values // the query it stands for
		w, h  int        // PNG pixels, or SVG CSS pixels
	}{
		{"map PNG at a date", []string{"map", "--at", "2018-09-01"}, "map.png", url.Values{"at": {"2018-09-01"}}, 1200, 800},
		{"retina map of Europe with labels", []string{"map", "--at", "2025-09-24", "--bbox", "-11,35,30,60", "--labels", "--scale", "2", "--width", "600", "--height", "400"}, "map.png",
			url.Values{"at": {"2025-09-24"}, "bbox": {"-11,35,30,60"}, "labels": {"true"}, "scale": {"2"}, "width": {"600"}, "height": {"400"}}, 1200, 800},
		{"map SVG, centred, filtered, titled, no legend", []string{"map", "--at", "2020-01-01", "--center", "114,25", "--zoom", "4", "--country", "CN,HK", "--status", "active", "--legend=false", "--title", "China"}, "map.svg",
			url.Values{"at": {"2020-01-01"}, "center": {"114,25"}, "zoom": {"4"}, "country": {"CN,HK"}, "status": {"active"}, "legend": {"false"}, "title": {"China"}}, 1200, 800},
		{"timeline SVG", []string{"timeline", "--until", "2025-09-24", "--q", "china"}, "timeline.svg", url.Values{"until": {"2025-09-24"}, "q": {"china"}}, 1200, 400},
		{"timeline PNG", []string{"timeline", "--until", "2025-09-24", "--width", "800", "--height", "300"}, "timeline.png", url.Values{"until": {"2025-09-24"}, "width": {"800"}, "height": {"300"}}, 800, 300},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.Repeat("x", i+1)+filepath.Ext(tt.image))
			var stdout, stderr bytes.Buffer
			args := append([]string{"render"}, tt.args...)
			if err := run(context.Background(), append(args, "--out", out), &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "wrote "+out) {
				t.Errorf("stdout %q", stdout.String())
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// The command draws what the server serves for the same query.
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/"+tt.image+"?"+tt.query.Encode(), nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /static/%s: %d %s", tt.image, rec.Code, rec.Body)
			}
			want := rec.Body.Bytes()
			if !bytes.Equal(got, want) {
				t.Errorf("the command wrote %d bytes, the server draws %d different ones", len(got), len(want))
			}
			if strings.HasSuffix(out, ".png") {
				img, err := png.Decode(bytes.NewReader(got))
				if err != nil {
					t.Fatal(err)
				}
				if size := img.Bounds().Size(); size.X != tt.w || size.Y != tt.h {
					t.Errorf("size %v, want %d×%d", size, tt.w, tt.h)
				}
				return
			}
			var root struct {
				XMLName xml.Name `xml:"svg"`
				Width   int      `xml:"width,attr"`
				Height  int      `xml:"height,attr"`
			}
			if err := xml.Unmarshal(got, &root); err != nil {
				t.Fatal(err)
			}
			if root.Width != tt.w || root.Height != tt.h {
				t.Errorf("svg %d×%d, want %d×%d", root.Width, root.Height, tt.w, tt.h)
			}
		})
	}
}

func TestRenderCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"no image", []string{}, "usage"},
		{"unknown image", []string{"chart", "--out", "x.png"}, `unknown image "chart"`},
		{"no --out", []string{"map"}, "--out FILE.png or FILE.svg is required"},
		{"unknown extension", []string{"map", "--out", "map.gif"}, "must end in .png or .svg"},
		{"unknown flag", []string{"map", "--colour", "red", "--out", "map.png"}, "usage"},
		{"stray argument", []string{"map", "--out", "map.png", "extra"}, `unexpected argument "extra"`},
		{"width out of range", []string{"map", "--width", "5000", "--out", "map.png"}, "--width: width 5000 is out of range"},
		{"reversed bbox", []string{"map", "--bbox", "30,35,-11,60", "--out", "map.png"}, "--bbox: bbox is reversed"},
		{"scale on an SVG", []string{"map", "--scale", "2", "--out", "map.svg"}, "--scale: scale applies to PNG images only"},
		{"zoom without centre", []string{"map", "--zoom", "3", "--out", "map.png"}, "--center: zoom needs a center"},
		{"at on a timeline", []string{"timeline", "--at", "2020-01-01", "--out", "t.svg"}, "--at: the timeline takes until, not at"},
		{"labels on a timeline", []string{"timeline", "--labels", "--out", "t.svg"}, `--labels: unknown query parameter "labels"`},
		{"impossible date", []string{"map", "--at", "2018-02-30", "--out", "map.png"}, `--at: "2018-02-30" is not a date`},
		{"data directory without data", []string{"map", "--data", dir, "--out", "map.png"}, "the data is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"render"}, tt.args...)
			for i, a := range args {
				if strings.HasSuffix(a, ".png") || strings.HasSuffix(a, ".svg") || strings.HasSuffix(a, ".gif") {
					args[i] = filepath.Join(dir, a)
				}
			}
			err := run(context.Background(), args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("wrote %v", entries)
			}
		})
	}
}

// TestReportRoundTrip runs report/roundtrip.sh: the command line draws a map and a chart, headless
// Chromium prints them in an A4 page to PDF and pdftoppm turns the PDF into an image, which must be
// one A4 page with the figures on it. It needs chromium and pdftoppm (poppler-utils).
func TestReportRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs Chromium")
	}
	for _, tool := range []string{"chromium", "pdftoppm", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH: cannot print the report", tool)
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "report/roundtrip.sh", dir)
	cmd.Env = append(os.Environ(), "DCATLAS_BIN=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("roundtrip.sh: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(dir, "report.pdf")); err != nil || fi.Size() < 10<<10 {
		t.Fatalf("report.pdf: %v", err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) != 1 {
		t.Fatalf("%d pages, want the report on one: %v", len(pages), pages)
	}
	f, err := os.Open(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// A4 at 110 dpi is 909×1286 pixels.
	if size := img.Bounds().Size(); size.X < 900 || size.X > 920 || size.Y < 1275 || size.Y > 1295 {
		t.Errorf("page %v, want A4 at 110 dpi", size)
	}
	// The figures fill much of the page: count the pixels of the map's sea and the chart's
	// active area.
	var sea, active, n int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
			near := func(want [3]int) bool {
				for i := range c {
					if d := c[i] - want[i]; d < -12 || d > 12 {
						return false
					}
				}
				return true
			}
			if near([3]int{0xdf, 0xe8, 0xef}) {
				sea++
			}
			if near([3]int{0x26, 0xab, 0x86}) { // active green at 85% over white
				active++
			}
			n++
		}
	}
	if sea < n/20 || active < n/50 {
		t.Errorf("the page shows %.1f%% sea and %.1f%% of the chart's green, want the map and the chart", 100*float64(sea)/float64(n), 100*float64(active)/float64(n))
	}
}
