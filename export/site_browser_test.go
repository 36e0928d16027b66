package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"dcatlas/api"
	"dcatlas/data"
)

// TestStaticSiteInBrowser exports the atlas with dcatlas export site, serves it with nginx, and
// opens a permalink (a date and a site) in headless Chromium with every other host unreachable:
// the viewer shows that date with the counts the server gives, and opens the site with its
// sources, from the files alone. It needs Chromium and nginx, and is skipped without them.
func TestStaticSiteInBrowser(t *testing.T) {
	chromium, nginx := browserTools(t)
	root, err := os.MkdirTemp("", "dcatlas-site-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	www := filepath.Join(root, "www")
	var stdout, stderr bytes.Buffer
	if err := Site(context.Background(), []string{"site", "--basemap-maxzoom", "2", www}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	base, accessLog := startNginx(t, nginx, root, www)

	// What the server says: active sites on the day, and a site to open.
	atlas, err := data.Atlas()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadDir("", atlas)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	api.New(ds, api.Options{Atlas: atlas}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/collections/sites/items?at=2018-09-01&status=active&limit=1000", nil))
	var items struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &items); err != nil || len(items.Features) == 0 {
		t.Fatalf("items: %v, %d features", err, len(items.Features))
	}
	site := items.Features[0].ID

	ctx := newBrowser(t, chromium, 1200, 800)

	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/index.html?at=2018-09-01&site=%s", base, site))); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.dcatlas !== undefined && window.dcatlas.idle() && window.dcatlas.rendered === '2018-09-01'`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('map-message')?.textContent || ''`))
		t.Fatalf("waiting for the viewer: %v (message: %q)", err, msg)
	}
	active, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#counts [data-status="active"]')?.dataset.count || ''`))
	if err != nil {
		t.Fatal(err)
	}
	if active != fmt.Sprint(items.NumberMatched) {
		t.Errorf("the static viewer counts %q active sites on 2018-09-01; the server %d", active, items.NumberMatched)
	}
	// The opened site's history, with its sources, came from its file.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.site-history a[href^="http"]').length > 0`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("the site's sources did not show: %v", err)
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		shot := filepath.Join(os.TempDir(), "dcatlas-static-site.png")
		if os.WriteFile(shot, png, 0o644) == nil {
			t.Logf("screenshot: %s", shot)
		}
	}
	// A reader whose system turns dark gets the exported dark tiles (nginx answers them below).
	var darkScheme chromedp.Action[chromedp.Void] = func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(c, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return chromedp.Void{}, err
	}
	if err := chromedp.Do(ctx, darkScheme); err != nil {
		t.Fatal(err)
	}
	const darkTilesIn = `(() => { const ts = [...document.querySelectorAll('img.leaflet-tile')]; return ts.length > 0 && ts.every((i) => i.src.includes('/tiles/basemap-dark/') && i.classList.contains('leaflet-tile-loaded')); })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](darkTilesIn, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("the dark base map did not load: %v", err)
	}
	logged, err := os.ReadFile(accessLog)
	if err != nil {
		t.Fatal(err)
	}
	var sawSite, sawHistory, sawDark bool
	for _, line := range strings.Split(strings.TrimSpace(string(logged)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if f[1] != "200" && f[1] != "304" {
			t.Errorf("nginx answered %s", line)
		}
		sawSite = sawSite || f[0] == "/sites/"+site+".json"
		sawHistory = sawHistory || f[0] == "/history.json"
		sawDark = sawDark || strings.HasPrefix(f[0], "/tiles/basemap-dark/")
	}
	if !sawDark {
		t.Errorf("no dark tile was asked for\n%s", logged)
	}
	if !sawSite || !sawHistory {
		t.Errorf("history.json read: %t, sites/%s.json read: %t\n%s", sawHistory, site, sawSite, logged)
	}
}
