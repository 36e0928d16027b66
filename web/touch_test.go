package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// phones are the phone screens the touch checks run at.
var phones = []viewport{{390, 844, 2}, {360, 640, 2}}

// touch emulates a phone: a mobile viewport of vp's size with a touch screen, so the primary
// pointer is coarse.
func touch(vp viewport) chromedp.Action[chromedp.Void] {
	return func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(c, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: vp.w, Height: vp.h, DeviceScaleFactor: vp.scale, Mobile: true}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(c, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5})
		return chromedp.Void{}, err
	}
}

// fingerTargets lists, as {Name, W, H}, every button a finger presses on the map and the time
// bar (the zoom and full-screen buttons, the legend's summary, the play and step buttons, the
// speed, the provider chips, the card's close button), with the size of its box.
const fingerTargets = `[...document.querySelectorAll('.leaflet-control a[role="button"], .leaflet-control button, .legend summary, #timebar button, #timebar select, .embed-bar button, #sheet:not([hidden]) .sheet-close, .site-popup .leaflet-popup-close-button')]
	.filter((e) => e.getClientRects().length)
	.map((e) => { const r = e.getBoundingClientRect(); return { Name: e.getAttribute('aria-label') || e.title || e.textContent.trim() || e.className, W: r.width, H: r.height }; })`

type target struct {
	Name string
	W, H float64
}

// testTouchTargets checks that on a touch phone every control a finger presses is at least 44 by
// 44 CSS pixels (WCAG 2.5.5), the site card's close button included, and that with a mouse the
// zoom buttons keep their desktop size.
func testTouchTargets(t *testing.T, srv *server, b *browser) {
	for _, vp := range phones {
		t.Run(fmt.Sprintf("%dx%d", vp.w, vp.h), func(t *testing.T) {
			p := b.open(t, srv, "/map?at=2024-01-01", vp, touch(vp))
			if !eval[bool](p, `matchMedia('(pointer: coarse)').matches`) {
				t.Fatal("the emulated phone's pointer is not coarse")
			}
			p.waitFor(`window.dcatlas.laidOut()`)
			checkTargets(t, eval[[]target](p, fingerTargets), 10)
			p.screenshot(fmt.Sprintf("touch-%dx%d.png", vp.w, vp.h))
			// The site card's close button.
			p.do("opening a site", chromedp.SendKeys(chromedp.ID("search"), "eu-central-1\n"))
			p.waitFor(`!!document.querySelector('#sheet:not([hidden]) .site-card')`)
			checkTargets(t, eval[[]target](p, `(`+fingerTargets+`).filter((b) => b.Name === 'Close')`), 1)
			p.screenshot(fmt.Sprintf("touch-%dx%d-site.png", vp.w, vp.h))
		})
	}
	t.Run("embed 800x450", func(t *testing.T) {
		vp := viewport{800, 450, 1}
		p := b.open(t, srv, "/embed?at=2024-01-01&controls=play", vp, touch(vp))
		p.waitFor(`window.dcatlas.laidOut()`)
		checkTargets(t, eval[[]target](p, fingerTargets), 5)
		p.screenshot("touch-embed-800x450.png")
	})
	t.Run("mouse", func(t *testing.T) {
		p := b.open(t, srv, "/map?at=2024-01-01", desktop)
		for _, c := range eval[[]target](p, fingerTargets) {
			if c.Name == "Zoom in" && (c.W != 30 || c.H != 30) {
				t.Errorf("with a mouse the zoom in button is %.0fx%.0f, want 30x30 as before", c.W, c.H)
			}
		}
	})
}

// checkTargets fails for each target smaller than 44x44, and when there are fewer than min.
func checkTargets(t *testing.T, ts []target, min int) {
	t.Helper()
	if len(ts) < min {
		t.Errorf("found %d controls to press, want at least %d: %+v", len(ts), min, ts)
	}
	for _, c := range ts {
		if c.W < 44 || c.H < 44 {
			t.Errorf("%q is %.1fx%.1f CSS px, want at least 44x44 for a finger", c.Name, c.W, c.H)
		}
	}
}

// testSteadyPlayback plays the whole history at the phone, desktop and embed sizes and records
// the map's size at every change (a ResizeObserver on #map): the time bar must keep its height, so
// the map never jumps under the reader's eyes.
func testSteadyPlayback(t *testing.T, srv *server, b *browser) {
	sizes := []struct {
		name, path string
		vp         viewport
		touch      bool
	}{
		{"phone 390x844", "/map", viewport{390, 844, 2}, true},
		{"phone 360x640", "/map", viewport{360, 640, 2}, true},
		{"phone 320x568", "/map", viewport{320, 568, 2}, true},
		{"narrow window 390x844, mouse", "/map", viewport{390, 844, 1}, false},
		{"narrow window 600x800, mouse", "/map", viewport{600, 800, 1}, false},
		{"desktop 1440x900", "/map", viewport{1440, 900, 1}, false},
		{"embed 800x450", "/embed?controls=play", viewport{800, 450, 1}, false},
	}
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			var setup []chromedp.Action[chromedp.Void]
			if sz.touch {
				setup = append(setup, touch(sz.vp))
			}
			p := b.open(t, srv, sz.path, sz.vp, setup...)
			p.waitFor(`window.dcatlas.laidOut()`)
			// Every size #map takes from here on, with the date shown when it took it.
			eval[bool](p, `(() => {
				window.mapSizes = [];
				new ResizeObserver((es) => { for (const e of es) window.mapSizes.push({ Size: e.contentRect.width + 'x' + e.contentRect.height, At: window.dcatlas.rendered }); }).observe(document.getElementById('map'));
				const speed = document.getElementById('speed');
				if (speed) { speed.value = '4'; speed.dispatchEvent(new Event('change')); }
				return true;
			})()`)
			first := eval[string](p, `window.dcatlas.sliderStart()`)
			p.do("pressing play", chromedp.Click(chromedp.ID("play")))
			p.waitFor(fmt.Sprintf(`window.dcatlas.playing() && window.dcatlas.rendered <= %q`, addMonths(first, 1)))
			// A whole play lasts 25 s at 1x, 6 s at 4x.
			if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!window.dcatlas.playing() && window.dcatlas.idle()`, chromedp.WithPollingTimeout(45*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
				t.Fatalf("waiting for the play to end: %v", err)
			}
			// A slow frame skips months; a faster phone would show them: step through every month.
			if months := eval[[]int](p, `new Promise(async (done) => {
				const s = document.getElementById('slider');
				if (!s) return done([0, 0]);
				const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
				let shown = 0;
				for (let pos = 0; pos <= Number(s.max); pos++) {
					s.value = String(pos);
					s.dispatchEvent(new Event('input', { bubbles: true }));
					await frames();
					if (window.dcatlas.rendered === document.getElementById('date-label').dateTime && s.value === String(pos)) shown++;
				}
				done([shown, Number(s.max) + 1]);
			})`); months[0] != months[1] {
				t.Errorf("stepping through every month showed %d of %d", months[0], months[1])
			}
			type size struct{ Size, At string }
			got := eval[[]size](p, `window.mapSizes`)
			steps := eval[int](p, `window.dcatlas.frames().length`)
			if len(got) == 0 {
				t.Fatal("the ResizeObserver on #map never reported")
			}
			for _, s := range got[1:] {
				if s.Size != got[0].Size {
					t.Errorf("the map went from %s to %s at %s", got[0].Size, s.Size, s.At)
				}
			}
			t.Logf("%d frames played; #map's sizes: %+v", steps, got)
		})
	}
}

// frame is where the world's edges fall on the map, and the colours of the map's background and of
// the base map's sea.
type frame struct {
	North, South, Height float64
	Background, Sea      string
}

// readFrame reads the map's frame: the sea's colour is a base-map pixel in the mid-Atlantic (0°N,
// 30°W), read back through a canvas.
const readFrame = `(() => {
	const m = window.dcatlas.map;
	const c = m.getContainer();
	const box = c.getBoundingClientRect();
	const at = m.latLngToContainerPoint([0, -30]);
	let sea = '';
	for (const img of document.querySelectorAll('img.leaflet-tile-loaded')) {
		const r = img.getBoundingClientRect();
		const x = box.left + at.x, y = box.top + at.y;
		if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
		const g = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
		g.canvas.width = img.naturalWidth; g.canvas.height = img.naturalHeight;
		g.drawImage(img, 0, 0);
		const d = g.getImageData(Math.floor((x - r.left) / r.width * img.naturalWidth), Math.floor((y - r.top) / r.height * img.naturalHeight), 1, 1).data;
		sea = 'rgb(' + d[0] + ', ' + d[1] + ', ' + d[2] + ')';
	}
	return { North: m.latLngToContainerPoint([85.0511, 0]).y, South: m.latLngToContainerPoint([-85.0511, 0]).y, Height: m.getSize().y,
		Background: getComputedStyle(c).backgroundColor, Sea: sea };
})()`

// testWorldFillsFrame opens the first view with every provider and with Alibaba alone, light and
// dark, on phones, the embed and the desktop: where the world is shorter than the map, what shows
// beyond it is the sea's colour (not Leaflet's grey), and the world's southern edge (Antarctica,
// land cut straight) meets the map's bottom, the room left over going north, where it is more sea.
func testWorldFillsFrame(t *testing.T, srv *server, b *browser) {
	for _, sz := range []struct {
		name, path string
		vp         viewport
		touch      bool
	}{
		{"phone 390x844", "/map", viewport{390, 844, 2}, true},
		{"phone 360x640", "/map", viewport{360, 640, 2}, true},
		{"embed 800x450", "/embed", viewport{800, 450, 1}, false},
		{"desktop 1440x900", "/map", viewport{1440, 900, 1}, false},
	} {
		for _, query := range []string{"", "provider=alibaba-cloud"} {
			for _, scheme := range []string{"light", "dark"} {
				name := fmt.Sprintf("%s %s %s", sz.name, scheme, map[string]string{"": "all"}[query]+strings.TrimPrefix(query, "provider="))
				t.Run(name, func(t *testing.T) {
					setup := []chromedp.Action[chromedp.Void]{colorScheme(scheme)}
					if sz.touch {
						setup = append(setup, touch(sz.vp))
					}
					path := sz.path
					if query != "" {
						path += "?" + query
					}
					p := b.open(t, srv, path, sz.vp, setup...)
					p.waitFor(`window.dcatlas.laidOut()`)
					p.waitTiles()
					f := eval[frame](p, readFrame)
					if f.Sea == "" {
						t.Fatal("no base-map tile under 0°N 30°W")
					}
					// Two pixels for the fit's rounding and keepClear's pixel grid.
					if f.South < f.Height-2 {
						t.Errorf("the world (y %.0f to %.0f) leaves a band at the bottom of the %.0f px map, above Antarctica's edge", f.North, f.South, f.Height)
					}
					if (f.North > 0.5 || f.South < f.Height-0.5) && f.Background != f.Sea {
						t.Errorf("beyond the world the map shows %s, the sea is %s", f.Background, f.Sea)
					}
					t.Logf("%+v", f)
					p.screenshot(fmt.Sprintf("world-%s.png", strings.NewReplacer(" ", "-", "=", "-").Replace(name)))
				})
			}
		}
	}
}
