package basemap_test

import (
	"math"
	"testing"

	"dcatlas/geo/basemap"
	"dcatlas/geo/render"
)

// providerColors are the colours of data/*.yaml: Alibaba Cloud, AWS, Azure, GCP.
var providerColors = []basemap.Color{0xff6a00, 0x7b3fe4, 0x0078d4, 0x1e8e3e}

// luminance is the WCAG 2 relative luminance of c.
func luminance(c basemap.Color) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	n := c.NRGBA()
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// contrast is the WCAG 2 contrast ratio of a and b, at least 1.
func contrast(a, b basemap.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestDarkPaletteKeepsSymbolsReadable checks the contrast of every symbol colour against the dark
// palette's land and sea, and that land and sea stay apart in both palettes.
func TestDarkPaletteKeepsSymbolsReadable(t *testing.T) {
	symbols := append([]basemap.Color(nil), providerColors...)
	for _, st := range render.LegendOrder() {
		symbols = append(symbols, render.StatusColor(st))
	}
	d := basemap.Dark.Colors()
	for _, c := range symbols {
		if r := contrast(c, d.Land); r < 2.3 {
			t.Errorf("%s on dark land %s: contrast %.2f, want ≥ 2.3", c, d.Land, r)
		}
		if r := contrast(c, d.Sea); r < 2.6 {
			t.Errorf("%s on dark sea %s: contrast %.2f, want ≥ 2.6", c, d.Sea, r)
		}
	}
	for _, p := range basemap.Palettes() {
		c := p.Colors()
		if r := contrast(c.Land, c.Sea); r < 1.1 {
			t.Errorf("%s: land %s and sea %s contrast %.2f, want ≥ 1.1", p, c.Land, c.Sea, r)
		}
		if r := contrast(c.Label, c.Land); r < 2 || r > 4.5 {
			t.Errorf("%s: names %s on land %s contrast %.2f, want 2 to 4.5 (legible, subdued)", p, c.Label, c.Land, r)
		}
	}
	if l, dk := luminance(basemap.Light.Colors().Land), luminance(d.Land); dk >= l/4 {
		t.Errorf("dark land luminance %.3f is not dark beside light land %.3f", dk, l)
	}
}
