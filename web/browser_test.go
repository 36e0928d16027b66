package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"dcatlas/internal/heavytest"
	"dcatlas/internal/nginxtest"
)

// The browser tests build the real binary, serve Alibaba Cloud's built-in data file with it (the
// figures they pin are Alibaba's alone), and drive the viewer in headless Chromium. They need /usr/bin/chromium (or DCATLAS_CHROMIUM) and are skipped without it.

const chromiumPath = "/usr/bin/chromium"

// TestBrowser runs every browser check against one server and one browser: starting them is the
// slow part.
func TestBrowser(t *testing.T) {
	chromium := browserSuite(t)
	heavytest.Lock(t) // not at once with the soak test or another browser suite
	srv := startServer(t)
	b := startBrowser(t, chromium)

	t.Run("BaseMapTiles", func(t *testing.T) { testBaseMapTiles(t, srv, b) })
	t.Run("RetinaTiles", func(t *testing.T) { testRetinaTiles(t, srv, b) })
	t.Run("DarkBaseMap", func(t *testing.T) { testDarkBaseMap(t, srv, b) })
	t.Run("MarkersForDate", func(t *testing.T) { testMarkersForDate(t, srv, b) })
	t.Run("SliderCounts", func(t *testing.T) { testSliderCounts(t, srv, b) })
	t.Run("Play", func(t *testing.T) { testPlay(t, srv, b) })
	t.Run("FilterAndHistory", func(t *testing.T) { testFilterAndHistory(t, srv, b) })
	t.Run("SearchPopupPermalink", func(t *testing.T) { testSearchPopupPermalink(t, srv, b) })
	t.Run("KeyboardMarker", func(t *testing.T) { testKeyboardMarker(t, srv, b) })
	t.Run("KeyboardGroup", func(t *testing.T) { testKeyboardGroup(t, srv, b) })
	t.Run("Downloads", func(t *testing.T) { testDownloads(t, srv, b) })
	t.Run("ShareDialog", func(t *testing.T) { testShareDialog(t, srv, b) })
	t.Run("Embed", func(t *testing.T) { testEmbed(t, srv, b) })
	t.Run("Phone", func(t *testing.T) { testPhone(t, srv, b) })
	t.Run("DateFormatting", func(t *testing.T) { testDateFormatting(t, srv, b) })
	t.Run("EveryMonthMatchesTimeline", func(t *testing.T) { testEveryMonth(t, srv, b) })
	t.Run("PlaybackAsksNothing", func(t *testing.T) { testPlaybackAsksNothing(t, srv, b) })
	t.Run("Boxes", func(t *testing.T) { testBoxes(t, srv, b) })
	// TouchTargets, SteadyPlayback and WorldFillsFrame run in TestBrowserRace, on every provider:
	// more chips, longer counts, and Alibaba alone through the provider filter.
	t.Run("SiteLinkOpensOnTheSite", func(t *testing.T) { testSiteLink(t, srv, b) })
	t.Run("Compare", func(t *testing.T) { testCompare(t, srv, b) })
	t.Run("SiteListAndCountryCounts", func(t *testing.T) { testSiteList(t, srv, b) })
	t.Run("ChartMarks", func(t *testing.T) { testChartMarks(t, srv, b) })
	t.Run("Fullscreen", func(t *testing.T) { testFullscreen(t, srv, b) })
	t.Run("Screenshots", func(t *testing.T) { testScreenshots(t, srv, b) })
	t.Run("LoadTimes", func(t *testing.T) { testLoadTimes(t, srv, b) })
	t.Run("Accessibility", func(t *testing.T) { testAccessibility(t, srv, b) })
}

// browserSuite skips a browser suite under -short or without Chromium, and returns Chromium's path.
func browserSuite(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser suite builds the binary and drives Chromium for minutes: skipped with -short (.ci/run runs it)")
	}
	chromium := os.Getenv("DCATLAS_CHROMIUM")
	if chromium == "" {
		chromium = chromiumPath
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("skipping the browser tests: no Chromium at %s (install chromium, or set DCATLAS_CHROMIUM)", chromium)
	}
	return chromium
}

// --- the server -----------------------------------------------------------------------------------

type server struct {
	base string // http://127.0.0.1:PORT
	host string // 127.0.0.1:PORT
}

// startServer builds the dcatlas binary from the module root and serves on a free port until the
// test ends, when it gets SIGTERM.
func startServer(t *testing.T) *server {
	t.Helper()
	bin := buildServer(t)
	dataDir := t.TempDir()
	alibaba, err := os.ReadFile(filepath.Join("..", "data", "alibaba-cloud.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "alibaba-cloud.yaml"), alibaba, 0o644); err != nil {
		t.Fatal(err)
	}
	return runServer(t, bin, "--data", dataDir)
}

// buildServer builds the dcatlas binary from the module root and returns its path.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dcatlas")
	build := exec.Command("go", "build", "-o", bin, "dcatlas")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runServer serves with the binary bin and the extra arguments on a free port until the test
// ends, when it gets SIGTERM.
func runServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &lockedWriter{w: &stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dcatlas did not stop cleanly: %v\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("dcatlas did not stop within 10s of SIGTERM")
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`^dcatlas serving \d+ sites on http://(\S+)$`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	var host string
	select {
	case host = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatalf("dcatlas did not say where it serves within 30s\n%s", stderr.String())
	}
	s := &server{base: "http://" + host, host: host}
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("dcatlas is not ready after 15s: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// get fetches a path and returns the response with its body read.
func (s *server) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = s.base + path
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", path, res.Status, body)
	}
	return res, body
}

// body is get's body alone.
func (s *server) body(t *testing.T, path string) []byte {
	t.Helper()
	_, b := s.get(t, path)
	return b
}

// json fetches a path and decodes its JSON into v.
func (s *server) json(t *testing.T, path string, v any) {
	t.Helper()
	_, body := s.get(t, path)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type featureCollection struct {
	NumberMatched int    `json:"numberMatched"`
	At            string `json:"at"`
	Features      []struct {
		ID         string `json:"id"`
		Properties struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Events []struct {
				Sources []struct {
					Title string `json:"title"`
					URL   string `json:"url"`
				} `json:"sources"`
			} `json:"events"`
		} `json:"properties"`
	} `json:"features"`
}

// items fetches the sites for a query.
func (s *server) items(t *testing.T, query string) featureCollection {
	t.Helper()
	var fc featureCollection
	s.json(t, "/collections/sites/items?limit=1000&"+query, &fc)
	return fc
}

type counts struct {
	Date      string `json:"date"`
	Announced int    `json:"announced"`
	Active    int    `json:"active"`
	Closing   int    `json:"closing"`
	Closed    int    `json:"closed"`
}

type timeline struct {
	Until   string   `json:"until"`
	Changes []counts `json:"changes"`
}

// at returns the counts on a day: those of the last change on or before it.
func (tl timeline) at(day string) counts {
	c := counts{Date: day}
	for _, ch := range tl.Changes {
		if ch.Date > day {
			break
		}
		c = ch
		c.Date = day
	}
	return c
}

// countsAt returns the dataset's counts on a day, from /timeline.
func (s *server) countsAt(t *testing.T, day string) (counts, string) {
	t.Helper()
	var tl timeline
	s.json(t, "/timeline", &tl)
	return tl.at(day), tl.Until
}

// --- the browser ----------------------------------------------------------------------------------

type browser struct {
	ctx context.Context
}

func startBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return &browser{ctx: ctx}
}

// page is one tab on the viewer. It records every request the page makes, console errors and
// uncaught exceptions, and checks them when the test ends; off keeps what it asks of other hosts.
type page struct {
	t    *testing.T
	srv  *server
	ctx  context.Context
	off  *nginxtest.Offsite
	mu   sync.Mutex
	reqs []string
	errs []string
}

type viewport struct {
	w, h  int64
	scale float64
}

var desktop = viewport{1280, 800, 1}

// open loads a path of the server in a new tab and waits until the viewer is idle; setup actions
// (emulation, throttling) run before the page loads.
func (b *browser) open(t *testing.T, srv *server, path string, vp viewport, setup ...chromedp.Action[chromedp.Void]) *page {
	t.Helper()
	p := &page{t: t, srv: srv, off: nginxtest.NewOffsite(srv.base)}
	tab, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithListener(p.listen))
	if err := p.off.Watch(tab); err != nil {
		cancelTab()
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	p.ctx = ctx
	t.Cleanup(func() {
		cancel()
		cancelTab()
		p.check()
	})
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(vp.w, vp.h, chromedp.EmulateScale(vp.scale))}, setup...)
	if err := chromedp.Do(ctx, append(steps, chromedp.Navigate(srv.base+path))...); err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	p.waitIdle()
	return p
}

func (p *page) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.reqs = append(p.reqs, e.Request.URL)
	case *runtime.EventExceptionThrown:
		msg := e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		p.errs = append(p.errs, "exception: "+msg)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			p.errs = append(p.errs, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
		}
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			p.errs = append(p.errs, fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	}
}

// check fails the test on a request to another host (named by p.off), an uncaught exception, a
// console error or a content-security-policy violation.
func (p *page) check() {
	p.off.Check(p.t)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errs {
		p.t.Errorf("the page reported: %s", e)
	}
}

// eval evaluates JavaScript (awaiting a promise) and decodes its result into T.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// do runs actions, failing the test on an error.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// waitFor waits until a JavaScript expression is true, for at most 15 seconds.
func (p *page) waitFor(expr string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		var state string
		if s, err2 := chromedp.Run(p.ctx, chromedp.Evaluate[string](`JSON.stringify({url: location.href, busy: window.dcatlas?.busy, rendered: window.dcatlas?.rendered, message: document.getElementById('map-message')?.textContent, active: document.activeElement?.outerHTML?.slice(0, 160), popup: !!document.querySelector('.site-popup')})`)); err2 == nil {
			state = s
		}
		p.t.Fatalf("waiting for %s: %v (page: %s)", expr, err, state)
	}
}

// waitIdle waits until the viewer has loaded and has nothing in flight.
func (p *page) waitIdle() {
	p.t.Helper()
	p.waitFor(`window.dcatlas !== undefined && window.dcatlas.idle()`)
}

// waitRendered waits until the viewer shows a date and is idle.
func (p *page) waitRendered(day string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf(`window.dcatlas !== undefined && window.dcatlas.idle() && window.dcatlas.rendered === %q`, day))
}

// shownCounts reads the counts beside the slider.
func (p *page) shownCounts() counts {
	p.t.Helper()
	return eval[counts](p, `(() => {
		const c = {};
		for (const el of document.querySelectorAll('#counts [data-status]')) c[el.dataset.status] = Number(el.dataset.count);
		return c;
	})()`)
}

// waitTiles waits until every base-map tile in view has loaded and faded in.
func (p *page) waitTiles() {
	p.t.Helper()
	p.waitFor(`(() => {
		const tiles = [...document.querySelectorAll('img.leaflet-tile')];
		return tiles.length > 0 && tiles.every((i) => i.classList.contains('leaflet-tile-loaded') && getComputedStyle(i).opacity === '1');
	})()`)
}

// screenshot saves a PNG of the page, once its tiles are in, as a test artifact: in
// $DCATLAS_ARTIFACTS when set.
func (p *page) screenshot(name string) {
	p.t.Helper()
	// A picture to look at, not a check (testBaseMapTiles checks the tiles): after 15 s, take it
	// with what has loaded and say what has not.
	const tilesIn = `[...document.querySelectorAll('img.leaflet-tile')].every((i) => i.classList.contains('leaflet-tile-loaded') && getComputedStyle(i).opacity === '1')`
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](tilesIn, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.t.Logf("screenshot %s: not every tile is in: %v", name, eval[[]string](p, `[...document.querySelectorAll('img.leaflet-tile:not(.leaflet-tile-loaded)')].map((i) => i.src)`))
	}
	buf, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("DCATLAS_ARTIFACTS")
	if dir == "" {
		dir = p.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// setSlider moves the slider to the position of a day, as a drag would, and waits for the result.
func (p *page) setSlider(day string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => {
		const s = document.getElementById('slider');
		const [y, m] = %q.split('-').map(Number);
		const first = window.dcatlas.sliderStart();
		const [fy, fm] = first.split('-').map(Number);
		s.value = String((y - fy) * 12 + (m - fm));
		s.dispatchEvent(new Event('input', { bubbles: true }));
		s.dispatchEvent(new Event('change', { bubbles: true }));
		return true;
	})()`, day))
}

// --- the checks -----------------------------------------------------------------------------------

var tilePath = regexp.MustCompile(`/tiles/basemap/(\d+)/(\d+)/(\d+)(@2x)?\.png$`)

type tileInfo struct {
	Src    string `json:"src"`
	Width  int    `json:"w"`
	Loaded bool   `json:"loaded"`
}

func loadedTiles(p *page) []tileInfo {
	p.waitFor(`document.querySelectorAll('img.leaflet-tile-loaded').length > 0 && document.querySelectorAll('img.leaflet-tile:not(.leaflet-tile-loaded)').length === 0`)
	return eval[[]tileInfo](p, `[...document.querySelectorAll('img.leaflet-tile')].map((i) => ({src: i.src, w: i.naturalWidth, loaded: i.complete && i.classList.contains('leaflet-tile-loaded')}))`)
}

func testBaseMapTiles(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", desktop)
	tiles := loadedTiles(p)
	for _, tl := range tiles {
		m := tilePath.FindStringSubmatch(tl.Src)
		if m == nil || m[4] != "" {
			t.Errorf("tile %s: want a built-in 1x base-map tile", tl.Src)
		}
		if !tl.Loaded || tl.Width != 256 {
			t.Errorf("tile %s: loaded %v, naturalWidth %d; want a 256-pixel image", tl.Src, tl.Loaded, tl.Width)
		}
	}
	t.Logf("%d base-map tiles loaded", len(tiles))
	// Page-load figures, for the record (the first page of the run: cold server and browser caches).
	type loadInfo struct {
		DOMContentLoaded float64 `json:"dcl"`
		Ready            float64 `json:"ready"`
		Tiles            float64 `json:"tiles"`
		Requests         int     `json:"requests"`
		Bytes            int     `json:"bytes"`
	}
	li := eval[loadInfo](p, `(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const res = performance.getEntriesByType('resource');
		const tiles = res.filter((r) => r.name.includes('/tiles/'));
		return { dcl: nav.domContentLoadedEventEnd, ready: window.dcatlas.readyAt,
			tiles: Math.max(...tiles.map((r) => r.responseEnd)),
			requests: res.length + 1, bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0) };
	})()`)
	t.Logf("page load: DOMContentLoaded %.0f ms, markers shown %.0f ms, tiles in %.0f ms; %d requests, %d kB transferred",
		li.DOMContentLoaded, li.Ready, li.Tiles, li.Requests, li.Bytes/1024)
	attribution := eval[string](p, `document.querySelector('.leaflet-control-attribution').textContent`)
	for _, want := range []string{"Natural Earth", "dcatlas"} {
		if !strings.Contains(attribution, want) {
			t.Errorf("attribution %q lacks %q", attribution, want)
		}
	}
}

func testRetinaTiles(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", viewport{900, 600, 2})
	for _, tl := range loadedTiles(p) {
		m := tilePath.FindStringSubmatch(tl.Src)
		if m == nil || m[4] != "@2x" {
			t.Errorf("tile %s on a 2x screen: want an @2x.png tile", tl.Src)
		}
		if tl.Width != 512 {
			t.Errorf("tile %s: naturalWidth %d, want 512", tl.Src, tl.Width)
		}
	}
}

func testMarkersForDate(t *testing.T, srv *server, b *browser) {
	const day = "2018-09-01"
	p := b.open(t, srv, "/map?at="+day, desktop)
	p.waitRendered(day)
	want := srv.items(t, "at="+day)
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != want.NumberMatched {
		t.Errorf("markers on %s: got %d, want numberMatched %d", day, got, want.NumberMatched)
	}
	// Clusters hold some of them: the sum of what is drawn must be the same.
	drawn := eval[int](p, `(() => {
		let n = 0;
		for (const el of document.querySelectorAll('.site-marker')) n++;
		for (const el of document.querySelectorAll('.site-group text')) n += Number(el.textContent);
		return n;
	})()`)
	if drawn != want.NumberMatched {
		t.Errorf("markers and cluster counts drawn on %s: %d, want %d", day, drawn, want.NumberMatched)
	}
	if got := eval[string](p, `document.getElementById('date-label').textContent`); got != "1 September 2018" {
		t.Errorf("date label: got %q, want 1 September 2018", got)
	}
	p.screenshot("viewer-2018-09-01.png")
}

func checkCounts(t *testing.T, p *page, srv *server, day string) {
	t.Helper()
	want, _ := srv.countsAt(t, day)
	got := p.shownCounts()
	got.Date = day
	if got != want {
		t.Errorf("counts on %s: got %+v, want %+v (from /timeline)", day, got, want)
	}
	fc := srv.items(t, "at="+day)
	if n := eval[int](p, `window.dcatlas.markerCount()`); n != fc.NumberMatched {
		t.Errorf("markers on %s: got %d, want %d", day, n, fc.NumberMatched)
	}
}

func testSliderCounts(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2012-06-01", desktop)
	p.waitRendered("2012-06-01")
	p.setSlider("2016-01-01")
	p.waitRendered("2016-01-01")
	checkCounts(t, p, srv, "2016-01-01")
	if got := eval[string](p, `new URL(location.href).searchParams.get('at')`); got != "2016-01-01" {
		t.Errorf("URL at= after moving the slider: %q, want 2016-01-01", got)
	}
	// The End key goes to today, the right end of the slider.
	_, today := srv.countsAt(t, "2016-01-01")
	p.do("pressing End on the slider", chromedp.Focus(chromedp.ID("slider")), chromedp.KeyEvent(kb.End))
	p.waitRendered(today)
	checkCounts(t, p, srv, today)
	// The arrow keys step a month: from today to the first of its month, then a month before.
	wantDay := addMonths(today, 0)
	if wantDay == today {
		wantDay = addMonths(today, -1)
	}
	wantDay = addMonths(wantDay, -1)
	p.do("pressing ArrowLeft twice", chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
	p.waitRendered(wantDay)
	checkCounts(t, p, srv, wantDay)
	// A click on the chart moves the slider to the month under the pointer.
	x := eval[float64](p, `(() => { const r = document.getElementById('chart').getBoundingClientRect(); return r.left + 9 + (r.width - 18) * 0.5; })()`)
	y := eval[float64](p, `(() => { const r = document.getElementById('chart').getBoundingClientRect(); return r.top + r.height / 2; })()`)
	before := eval[string](p, `window.dcatlas.rendered`)
	p.do("clicking the chart", chromedp.MouseClickXY(x, y))
	p.waitFor(fmt.Sprintf(`window.dcatlas.idle() && window.dcatlas.rendered !== %q`, before))
	day := eval[string](p, `window.dcatlas.rendered`)
	if !strings.HasSuffix(day, "-01") {
		t.Errorf("a click on the chart chose %s, want the first of a month", day)
	}
	checkCounts(t, p, srv, day)
}

// addMonths returns the first day of the month n months after the month of day (YYYY-MM-DD).
func addMonths(day string, n int) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func testPlay(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2015-01-01", desktop)
	p.waitRendered("2015-01-01")
	p.do("clicking play", chromedp.Click(chromedp.ID("play")))
	p.waitFor(`window.dcatlas.playing() && window.dcatlas.rendered >= '2015-03-01'`)
	p.do("clicking pause", chromedp.Click(chromedp.ID("play")))
	t.Logf("after the pause click: playing %v, label %q", eval[bool](p, `window.dcatlas.playing()`), eval[string](p, `document.getElementById('play').getAttribute('aria-label')`))
	p.waitFor(`!window.dcatlas.playing() && window.dcatlas.idle()`)
	day := eval[string](p, `window.dcatlas.rendered`)
	if day <= "2015-01-01" {
		t.Errorf("after playing, the date is %s; want it later than 2015-01-01", day)
	}
	checkCounts(t, p, srv, day)
	if got := eval[string](p, `new URL(location.href).searchParams.get('at')`); got != day {
		t.Errorf("URL at= after playing: %q, want %s", got, day)
	}
	if got := eval[string](p, `document.getElementById('play').getAttribute('aria-pressed')`); got != "false" {
		t.Errorf("play button aria-pressed after pause: %q", got)
	}
	// Space on the focused slider plays and pauses.
	p.do("pressing space on the slider", chromedp.Focus(chromedp.ID("slider")), chromedp.KeyEvent(" "))
	p.waitFor(`window.dcatlas.playing()`)
	p.do("pressing space again", chromedp.KeyEvent(" "))
	p.waitFor(`!window.dcatlas.playing() && window.dcatlas.idle()`)
}

func testFilterAndHistory(t *testing.T, srv *server, b *browser) {
	const day = "2020-06-01"
	p := b.open(t, srv, "/map?at="+day, desktop)
	p.waitRendered(day)
	all := eval[int](p, `window.dcatlas.markerCount()`)

	p.do("choosing China", chromedp.SetValue(chromedp.ID("country"), "CN"))
	eval[bool](p, `document.getElementById('country').dispatchEvent(new Event('change', {bubbles: true}))`)
	p.waitIdle()
	cn := srv.items(t, "at="+day+"&country=CN")
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != cn.NumberMatched {
		t.Errorf("markers with country=CN: got %d, want %d", got, cn.NumberMatched)
	}
	if cn.NumberMatched == 0 || cn.NumberMatched == all {
		t.Errorf("the country filter should change the markers: %d of %d", cn.NumberMatched, all)
	}

	// Hide the active sites: a status filter, in the browser.
	p.do("unchecking active", chromedp.Click(chromedp.CSS(`#status-list input[value="active"]`)))
	p.waitIdle()
	rest := srv.items(t, "at="+day+"&country=CN&status=announced,closing,closed")
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != rest.NumberMatched {
		t.Errorf("markers with country=CN and active hidden: got %d, want %d", got, rest.NumberMatched)
	}
	q := eval[string](p, `location.search`)
	for _, want := range []string{"at=" + day, "status=announced,closing,closed", "country=CN"} {
		if !strings.Contains(q, want) {
			t.Errorf("URL %q lacks %q", q, want)
		}
	}
	// Back undoes the status filter, then the country filter; forward redoes.
	eval[bool](p, `(history.back(), true)`)
	p.waitFor(`window.dcatlas.idle() && document.querySelector('#status-list input[value="active"]').checked`)
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != cn.NumberMatched {
		t.Errorf("after back: %d markers, want %d (country=CN)", got, cn.NumberMatched)
	}
	eval[bool](p, `(history.back(), true)`)
	p.waitFor(`window.dcatlas.idle() && document.getElementById('country').value === ''`)
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != all {
		t.Errorf("after back twice: %d markers, want %d", got, all)
	}
	eval[bool](p, `(history.forward(), true)`)
	p.waitFor(`window.dcatlas.idle() && document.getElementById('country').value === 'CN'`)
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != cn.NumberMatched {
		t.Errorf("after forward: %d markers, want %d", got, cn.NumberMatched)
	}
}

func testSearchPopupPermalink(t *testing.T, srv *server, b *browser) {
	const day = "2018-09-01"
	p := b.open(t, srv, "/map?at="+day, desktop)
	p.waitRendered(day)
	var site featureCollection
	srv.json(t, "/collections/sites/items?at="+day+"&q=frankfurt", &site)
	if len(site.Features) != 1 {
		t.Fatalf("the API finds %d sites for frankfurt, want 1", len(site.Features))
	}
	want := site.Features[0]

	p.do("searching for Frankfurt", chromedp.SendKeys(chromedp.ID("search"), "frankfurt"), chromedp.KeyEvent(kb.Enter))
	p.waitFor(`!!document.querySelector('.site-popup .sources a') && window.dcatlas.idle()`)
	if got := eval[string](p, `document.querySelector('.site-popup h2').textContent`); got != want.Properties.Name {
		t.Errorf("popup title: got %q, want %q", got, want.Properties.Name)
	}
	if got := eval[string](p, `new URL(location.href).searchParams.get('site')`); got != want.ID {
		t.Errorf("URL site=: got %q, want %q", got, want.ID)
	}
	links := eval[[]string](p, `[...document.querySelectorAll('.site-popup .sources a')].map((a) => a.href)`)
	var sources []string
	for _, e := range want.Properties.Events {
		for _, s := range e.Sources {
			if s.URL != "" {
				sources = append(sources, s.URL)
			}
		}
	}
	for _, s := range sources {
		if !slices.Contains(links, s) {
			t.Errorf("the popup does not link the source %s (it links %v)", s, links)
		}
	}
	text := eval[string](p, `document.querySelector('.site-popup').textContent`)
	for _, s := range []string{"eu-central-1", "Frankfurt", "Germany", "Active", "History"} {
		if !strings.Contains(text, s) {
			t.Errorf("the popup lacks %q", s)
		}
	}

	// The same URL in a fresh tab shows the same view.
	type view struct {
		State  string  `json:"state"`
		Zoom   float64 `json:"zoom"`
		Lat    float64 `json:"lat"`
		Lng    float64 `json:"lng"`
		Count  int     `json:"count"`
		Popup  string  `json:"popup"`
		Counts string  `json:"counts"`
	}
	const read = `(() => { const c = window.dcatlas.map.getCenter(); const s = window.dcatlas.state(); delete s.view; return {
		state: JSON.stringify(s), zoom: window.dcatlas.map.getZoom(), lat: c.lat, lng: c.lng,
		count: window.dcatlas.markerCount(), popup: document.querySelector('.site-popup h2')?.textContent ?? '',
		counts: JSON.stringify(window.dcatlas.counts()) }; })()`
	p.waitFor(`new URL(location.href).searchParams.has('view') && window.dcatlas.viewSynced()`)
	before := eval[view](p, read)
	permalink := eval[string](p, `location.href`)
	q := eval[struct{ At, Site, View string }](p, `(() => { const q = new URL(location.href).searchParams; return {At: q.get('at'), Site: q.get('site'), View: q.get('view')}; })()`)
	if q.At != day || q.Site != want.ID || q.View == "" {
		t.Errorf("permalink %s: want at, site and view", permalink)
	}
	p2 := b.open(t, srv, strings.TrimPrefix(permalink, srv.base), desktop)
	p2.waitRendered(day)
	p2.waitFor(`!!document.querySelector('.site-popup .sources a') && window.dcatlas.viewSynced()`)
	after := eval[view](p2, read)
	if after.State != before.State || after.Count != before.Count || after.Popup != before.Popup || after.Counts != before.Counts {
		t.Errorf("the permalink restores\n%+v\nwant\n%+v", after, before)
	}
	// The URL keeps 3 to 6 decimals, enough for the zoom.
	if after.Zoom != before.Zoom || abs(after.Lat-before.Lat) > 0.002 || abs(after.Lng-before.Lng) > 0.002 {
		t.Errorf("the permalink restores the view %v/%v/%v, want %v/%v/%v", after.Zoom, after.Lat, after.Lng, before.Zoom, before.Lat, before.Lng)
	}
	if got := eval[string](p2, `window.location.href`); got != permalink {
		t.Errorf("loading the permalink changed the URL to %s", got)
	}

	// Closing the popup clears the selection; a site that is not there yet says when it will be.
	p2.do("closing the popup", chromedp.Click(chromedp.CSS(".site-popup .leaflet-popup-close-button")))
	p2.waitFor(`!new URL(location.href).searchParams.has('site')`)
	p2.do("searching for Riyadh", chromedp.SendKeys(chromedp.ID("search"), "me-central-1"), chromedp.KeyEvent(kb.Enter))
	p2.waitFor(`document.getElementById('map-message').textContent.includes('first')`)
	msg := eval[string](p2, `document.getElementById('map-message').textContent`)
	if !strings.Contains(msg, "Go to") {
		t.Errorf("message for a site that does not exist yet: %q, want a way to go to its date", msg)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func testKeyboardMarker(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2016-01-01&view=3/30/100", desktop)
	p.waitRendered("2016-01-01")
	// The first site marker in the tab order: Enter opens its popup, with the focus in it.
	p.do("focusing a marker", chromedp.Focus(chromedp.CSS(".site-marker")))
	label := eval[string](p, `document.activeElement.getAttribute('aria-label')`)
	name, _, _ := strings.Cut(label, ":")
	if name == "" || eval[string](p, `document.activeElement.getAttribute('role')`) != "button" {
		t.Fatalf("a focused marker reads %q; want a named button", label)
	}
	p.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	p.waitFor(`!!document.querySelector('.site-popup') && document.activeElement === document.querySelector('.site-popup h2')`)
	if got := eval[string](p, `document.activeElement.textContent`); got != name {
		t.Errorf("the popup is about %q, the marker was %q", got, name)
	}
	p.do("pressing Escape", chromedp.KeyEvent(kb.Escape))
	p.waitFor(`!document.querySelector('.site-popup') && document.activeElement.classList.contains('site-marker')`)
	if got := eval[string](p, `document.activeElement.getAttribute('aria-label')`); got != label {
		t.Errorf("the focus went back to %q, want %q", got, label)
	}
	if eval[bool](p, `new URL(location.href).searchParams.has('site')`) {
		t.Error("the URL keeps site= after the popup closed")
	}
}

func testKeyboardGroup(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2020-06-01&view=2/30/100", desktop)
	p.waitRendered("2020-06-01")
	zoom := eval[float64](p, `window.dcatlas.map.getZoom()`)
	p.do("focusing a group", chromedp.Focus(chromedp.CSS(".site-group")))
	label := eval[string](p, `document.activeElement.getAttribute('aria-label')`)
	if !strings.HasPrefix(label, "Group of ") {
		t.Fatalf("a focused cluster reads %q", label)
	}
	p.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	p.waitFor(fmt.Sprintf(`window.dcatlas.map.getZoom() > %v && window.dcatlas.viewSynced()`, zoom))
}

func testDownloads(t *testing.T, srv *server, b *browser) {
	const day = "2024-07-01"
	p := b.open(t, srv, "/map?at="+day+"&country=CN,HK&status=active,closing", desktop)
	p.waitRendered(day)
	shown := eval[[]string](p, `window.dcatlas.ids()`)
	if len(shown) == 0 {
		t.Fatal("nothing shown")
	}
	geojson := eval[string](p, `document.getElementById('download-geojson').href`)
	csvURL := eval[string](p, `document.getElementById('download-csv').href`)

	res, body := srv.get(t, geojson)
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, day) {
		t.Errorf("GeoJSON download: Content-Disposition %q, want an attachment named for %s", cd, day)
	}
	var fc featureCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, shown) {
		t.Errorf("the GeoJSON download holds %v, the map shows %v", ids, shown)
	}

	res, body = srv.get(t, csvURL)
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.HasSuffix(strings.Trim(cd, `"`), ".csv") {
		t.Errorf("CSV download: Content-Disposition %q", cd)
	}
	ids = csvIDs(t, body)
	if !slices.Equal(ids, shown) {
		t.Errorf("the CSV download holds %v, the map shows %v", ids, shown)
	}
}

func testShareDialog(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2019-03-01&country=CN", desktop)
	p.waitRendered("2019-03-01")
	p.do("opening the share dialog", chromedp.Click(chromedp.ID("share-open")))
	p.waitFor(`document.getElementById('share-dialog').open && document.getElementById('share-link').value !== ''`)
	var api struct {
		Paths map[string]any `json:"paths"`
	}
	srv.json(t, "/api", &api)
	_, hasStatic := api.Paths["/static/map.png"]
	p.waitFor(fmt.Sprintf(`document.getElementById('share-image-field').hidden === %t`, !hasStatic))

	link := eval[string](p, `document.getElementById('share-link').value`)
	u, err := url.Parse(link)
	if err != nil || u.Path != "/map" || u.Query().Get("at") != "2019-03-01" || u.Query().Get("country") != "CN" || u.Query().Get("view") == "" {
		t.Errorf("permalink %q: want /map with at, country and view", link)
	}
	snippet := eval[string](p, `document.getElementById('share-embed').value`)
	m := regexp.MustCompile(`^<iframe src="([^"]+)"[^>]* title="[^"]+"[^>]*></iframe>$`).FindStringSubmatch(snippet)
	if m == nil {
		t.Fatalf("embed snippet %q: want one iframe with a src and a title", snippet)
	}
	eu, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil || eu.Path != "/embed" || eu.Query().Get("at") != "2019-03-01" || eu.Query().Get("country") != "CN" {
		t.Errorf("embed URL %q: want /embed with the same state", m[1])
	}
	if hasStatic {
		img := eval[string](p, `document.getElementById('share-image').value`)
		if !strings.Contains(img, "/static/map.png?") || !strings.Contains(img, "at=2019-03-01") || !strings.Contains(img, "country=CN") {
			t.Errorf("static image URL %q: want /static/map.png with the same state", img)
		}
		if res, _ := srv.get(t, img); res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("static image URL %q: Content-Type %q", img, res.Header.Get("Content-Type"))
		}
	} else {
		t.Log("the API does not list /static/map.png: the static-image field stays hidden")
	}
	p.do("closing the dialog", chromedp.KeyEvent(kb.Escape))
	p.waitFor(`!document.getElementById('share-dialog').open`)
}

func testEmbed(t *testing.T, srv *server, b *browser) {
	const day = "2018-09-01"
	res, _ := srv.get(t, "/embed?at="+day)
	if xfo := res.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("/embed has X-Frame-Options %q; it must be frameable", xfo)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("/embed CSP %q lacks frame-ancestors *", csp)
	}
	p := b.open(t, srv, "/embed?at="+day+"&status=active", viewport{800, 500, 1})
	p.waitRendered(day)
	want := srv.items(t, "at="+day+"&status=active")
	if got := eval[int](p, `window.dcatlas.markerCount()`); got != want.NumberMatched {
		t.Errorf("embed markers: got %d, want %d", got, want.NumberMatched)
	}
	if !eval[bool](p, `document.getElementById('play').hidden`) {
		t.Error("the embed page shows a play button without controls=play")
	}
	for _, sel := range []string{"#panel", "#filters", "#slider", "#search", "#share-open", "#share-dialog", "#download-geojson", "#download-csv"} {
		if eval[bool](p, fmt.Sprintf(`!!document.querySelector(%q)`, sel)) {
			t.Errorf("the embed page has %s", sel)
		}
	}
	for _, sel := range []string{".legend", "#date-label", "#counts", ".leaflet-control-attribution", "#open-full"} {
		if !eval[bool](p, fmt.Sprintf(`!!document.querySelector(%q)`, sel)) {
			t.Errorf("the embed page lacks %s", sel)
		}
	}
	if got := eval[string](p, `document.getElementById('date-label').textContent`); got != "1 September 2018" {
		t.Errorf("embed date: %q", got)
	}
	open := eval[string](p, `document.getElementById('open-full').href`)
	if !strings.Contains(open, "/map?") || !strings.Contains(open, "at="+day) || !strings.Contains(open, "status=active") {
		t.Errorf("open-in-dcatlas link %q: want /map with the same state", open)
	}
	p.screenshot("embed-2018-09-01.png")
}

func testPhone(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2020-06-01", viewport{390, 844, 2})
	p.waitRendered("2020-06-01")
	if eval[bool](p, `getComputedStyle(document.getElementById('panel')).display !== 'none'`) {
		t.Error("on a phone, the filters panel should start collapsed")
	}
	p.screenshot("viewer-phone.png")
	p.do("opening the panel", chromedp.Click(chromedp.ID("panel-toggle")))
	p.waitFor(`getComputedStyle(document.getElementById('panel')).display !== 'none'`)
	if got := eval[string](p, `document.getElementById('panel-toggle').getAttribute('aria-expanded')`); got != "true" {
		t.Errorf("panel toggle aria-expanded = %q after opening", got)
	}
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %dpx wide on a 390px screen", w)
	}
	p.do("choosing a country", chromedp.SetValue(chromedp.ID("country"), "JP"))
	eval[bool](p, `document.getElementById('country').dispatchEvent(new Event('change', {bubbles: true}))`)
	p.do("going back to the map", chromedp.Click(chromedp.ID("panel-close")))
	p.waitFor(`getComputedStyle(document.getElementById('panel')).display === 'none' && window.dcatlas.idle()`)
	if got, want := eval[int](p, `window.dcatlas.markerCount()`), srv.items(t, "at=2020-06-01&country=JP").NumberMatched; got != want {
		t.Errorf("markers in Japan: %d, want %d", got, want)
	}
	if !eval[bool](p, `document.activeElement === document.getElementById('panel-toggle')`) {
		t.Error("closing the panel should put the focus back on its toggle")
	}
}

func testDateFormatting(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", desktop)
	got := eval[map[string]string](p, `import('/web/dates.js').then((d) => ({
		day: d.formatEDTF('2016-11-21'),
		month: d.formatEDTF('2016-12~'),
		year: d.formatEDTF('2017?'),
		range: d.formatEDTF('2017-10-01/2017-11-14'),
		openRange: d.formatEDTF('2009-09/2011'),
		pending: d.pendingPhrase('active', '2017'),
		pendingRange: d.pendingPhrase('active', '2016-11-21/2017-02-13'),
		long: d.formatDay('2018-09-01'),
		month1: d.parseDay('2018-09'),
		bad: String(d.parseDay('2018-02-30')),
	}))`)
	want := map[string]string{
		"day":          "2016-11-21",
		"month":        "2016-12 (approx.)",
		"year":         "2017 (uncertain)",
		"range":        "between 2017-10-01 and 2017-11-14",
		"openRange":    "between 2009-09 and 2011",
		"pending":      "opening sometime in 2017 (date: 2017)",
		"pendingRange": "opening sometime between 2016-11-21 and 2017-02-13 (date: 2016-11-21/2017-02-13)",
		"long":         "1 September 2018",
		"month1":       "2018-09-01",
		"bad":          "null",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
}

// testAccessibility runs axe-core (vendored, injected by the test; the viewer never loads it) and
// fails on serious or critical violations.
func testAccessibility(t *testing.T, srv *server, b *browser) {
	axe, err := os.ReadFile(filepath.Join("vendor", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		vp         viewport
		prepare    func(p *page)
		dark       bool
	}{
		{"map", "/", desktop, nil, false},
		{"popup", "/map?at=2016-12-01&site=alibaba-ap-northeast-1", desktop, func(p *page) {
			p.waitFor(`!!document.querySelector('.site-popup .sources a')`)
		}, false},
		{"share dialog", "/map?at=2018-09-01", desktop, func(p *page) {
			p.do("opening the share dialog", chromedp.Click(chromedp.ID("share-open")))
			p.waitFor(`document.getElementById('share-dialog').open`)
		}, false},
		{"phone with the panel open", "/map", viewport{390, 844, 1}, func(p *page) {
			p.do("opening the panel", chromedp.Click(chromedp.ID("panel-toggle")))
		}, false},
		{"embed", "/embed?at=2018-09-01", viewport{800, 500, 1}, nil, false},
		{"embed with play", "/embed?at=2018-09-01&controls=play", viewport{600, 340, 1}, nil, false},
		{"compare, changes and site list", "/map?at=2020-01-01&compare=2016-01-01", desktop, nil, false},
		{"phone site sheet", "/map?at=2024-01-01&site=alibaba-eu-central-1", viewport{390, 844, 1}, func(p *page) {
			p.waitFor(`!!document.querySelector('#sheet .sources a')`)
		}, false},
		{"group list at the last zoom", "/map?at=2024-01-01&view=10/22.3/114.2", desktop, nil, false},
		{"dark", "/map?at=2020-01-01&compare=2016-01-01", desktop, nil, true},
		{"dark popup", "/map?at=2016-12-01&site=alibaba-ap-northeast-1", desktop, func(p *page) {
			p.waitFor(`!!document.querySelector('.site-popup .sources a')`)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var setup []chromedp.Action[chromedp.Void]
			if tt.dark {
				setup = append(setup, dark())
			}
			p := b.open(t, srv, tt.path, tt.vp, setup...)
			if tt.prepare != nil {
				tt.prepare(p)
			}
			checkAxe(t, p, axe)
		})
	}
}

// checkAxe runs axe-core (its source in axe) on the page and fails the test on a serious or
// critical violation; lesser ones are logged.
func checkAxe(t *testing.T, p *page, axe []byte) {
	t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](string(axe))); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	}
	vs := eval[[]violation](p, `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)
	for _, v := range vs {
		msg := fmt.Sprintf("%s (%s): %s", v.ID, v.Impact, v.Help)
		if len(v.Nodes) > 3 {
			v.Nodes = v.Nodes[:3]
		}
		for _, n := range v.Nodes {
			msg += fmt.Sprintf("\n\t%v %s", n.Target, n.HTML)
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// csvIDs returns the sorted ids of a CSV download (its first column).
func csvIDs(t *testing.T, body []byte) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("the CSV download: %v", err)
	}
	var ids []string
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
	}
	slices.Sort(ids)
	return ids
}
