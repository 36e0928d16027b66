package web_test

import (
	"context"
	"fmt"
	"testing"

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
