package web_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// colorScheme emulates a reader whose system prefers the scheme ("light" or "dark"); run on an
// open page, it is the system changing its mind.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(c, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return chromedp.Void{}, err
	}
}

var darkTilePath = regexp.MustCompile(`/tiles/basemap-dark/(\d+)/(\d+)/(\d+)(@2x)?\.png$`)

// tileLuminance is the mean luma (0–255) of the loaded base-map tiles, read back through a canvas.
const tileLuminance = `(() => {
	const tiles = [...document.querySelectorAll('img.leaflet-tile-loaded')];
	const c = document.createElement('canvas');
	c.width = c.height = 64;
	const g = c.getContext('2d', { willReadFrequently: true });
	let sum = 0, n = 0;
	for (const t of tiles) {
		g.drawImage(t, 0, 0, 64, 64);
		const d = g.getImageData(0, 0, 64, 64).data;
		for (let i = 0; i < d.length; i += 4) { sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]; n++; }
	}
	return n ? sum / n : -1;
})()`

// testDarkBaseMap checks that the viewer follows prefers-color-scheme with the server's dark
// tiles, drawn as they come (no CSS filter), on load and when the system changes, and writes
// screenshots of the dark map at zooms 2 to 6 to look at.
func testDarkBaseMap(t *testing.T, srv *server, b *browser) {
	check := func(p *page, dark bool) {
		t.Helper()
		path := tilePath
		if dark {
			path = darkTilePath
		}
		tiles := loadedTiles(p)
		if len(tiles) == 0 {
			t.Fatal("no base-map tiles")
		}
		for _, tl := range tiles {
			if !path.MatchString(tl.Src) {
				t.Errorf("dark %v: tile %s, want %s", dark, tl.Src, path)
			}
		}
		if f := eval[string](p, `getComputedStyle(document.querySelector('.leaflet-tile-pane')).filter`); f != "none" {
			t.Errorf("dark %v: the tiles are drawn through the filter %q", dark, f)
		}
		l := eval[float64](p, tileLuminance)
		if dark && !(l >= 0 && l < 70) || !dark && l < 180 {
			t.Errorf("dark %v: the tiles' mean luma is %.0f", dark, l)
		}
	}
	p := b.open(t, srv, "/map", desktop, colorScheme("dark"))
	check(p, true)

	// The system changes its mind, and back: the tiles follow without a reload.
	p = b.open(t, srv, "/map", desktop)
	check(p, false)
	p.do("switching the system to dark", colorScheme("dark"))
	p.waitFor(`[...document.querySelectorAll('img.leaflet-tile')].every((i) => i.src.includes('/tiles/basemap-dark/'))`)
	check(p, true)
	p.do("switching it back to light", colorScheme("light"))
	p.waitFor(`[...document.querySelectorAll('img.leaflet-tile')].every((i) => i.src.includes('/tiles/basemap/'))`)
	check(p, false)

	for _, v := range []struct {
		name, view string
	}{
		{"world", "2/25/60"},
		{"asia", "3/30/105"},
		{"europe", "4/50/12"},
		{"china", "5/31/114"},
		{"hong-kong", "6/22.5/114"},
	} {
		for _, scheme := range []string{"dark", "light"} {
			p := b.open(t, srv, "/map?view="+v.view, desktop, colorScheme(scheme))
			check(p, scheme == "dark")
			p.screenshot(fmt.Sprintf("basemap-%s-%s.png", scheme, v.name))
		}
	}
}

// testStaticDarkBaseMap checks that the exported site's viewer shows the exported dark tiles
// (tiles/basemap-dark/, from nginx) to a reader who prefers a dark scheme.
func testStaticDarkBaseMap(t *testing.T, site *server, b *browser) {
	p := b.open(t, site, "/index.html?view=2/25/60", desktop, colorScheme("dark"))
	tiles := loadedTiles(p)
	if len(tiles) == 0 {
		t.Fatal("no base-map tiles")
	}
	for _, tl := range tiles {
		if !darkTilePath.MatchString(tl.Src) || !tl.Loaded || tl.Width != 256 {
			t.Errorf("tile %s: loaded %v, %d px; want a 256-pixel exported dark tile", tl.Src, tl.Loaded, tl.Width)
		}
	}
	if l := eval[float64](p, tileLuminance); !(l >= 0 && l < 70) {
		t.Errorf("the tiles' mean luma is %.0f, want dark", l)
	}
}
