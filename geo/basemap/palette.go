package basemap

import (
	"fmt"
	"image/color"
)

// Color is an opaque sRGB colour written 0xRRGGBB. It implements
// color.Color, so the palette constants can be drawn with directly.
type Color uint32

var _ color.Color = Color(0)

// The light palette's colours: calm and light, so that data drawn over it
// stands out. The static map and its legend use the same constants.
const (
	// Sea fills the oceans and everything outside the land: a soft blue-grey.
	Sea Color = 0xdfe8ef
	// Land fills the countries: a warm light grey.
	Land Color = 0xf5f3ee
	// Border strokes the boundaries between countries: a mid grey.
	Border Color = 0xb9b4aa
	// Coast strokes the coastlines, a shade darker than Border.
	Coast Color = 0xa9a59c
)

// Line widths in pixels at a pixel ratio of 1; they scale with it.
const (
	// BorderWidth is the width of country borders.
	BorderWidth = 0.6
	// CoastWidth is the width of coastlines.
	CoastWidth = 0.7
)

// Palette names the colours the base map is drawn in. Its zero value is
// Light.
type Palette uint8

// The palettes.
const (
	// Light is the default: Sea, Land, Border and Coast, with names in a
	// warm mid grey.
	Light Palette = iota
	// Dark is for dark themes: slate land on a deeper blue-grey sea, dark
	// enough that the provider and status colours of the site symbols
	// (orange, purple, blue, green, grey) keep a contrast of 2.3:1 or more
	// against the land and 2.6:1 against the sea, and light names.
	Dark
)

// Palettes lists every palette, Light first.
func Palettes() []Palette { return []Palette{Light, Dark} }

// String returns "light" or "dark".
func (p Palette) String() string {
	switch p {
	case Light:
		return "light"
	case Dark:
		return "dark"
	}
	return fmt.Sprintf("Palette(%d)", uint8(p))
}

// Colors are the colours of one palette.
type Colors struct {
	Sea, Land, Border, Coast Color
	// Label is the colour of country names; Halo rings them, so that they
	// read over borders and coastlines.
	Label, Halo Color
}

// Colors returns the colours of p; an unknown palette is drawn as Light.
func (p Palette) Colors() Colors {
	if p == Dark {
		return Colors{
			Sea:    0x1b2733, // the viewer's dark --sea, so the map's edges do not show
			Land:   0x2a3038,
			Border: 0x4b545e,
			Coast:  0x56616c,
			Label:  0x8a949e,
			Halo:   0x2a3038,
		}
	}
	return Colors{Sea: Sea, Land: Land, Border: Border, Coast: Coast, Label: 0x8f8a80, Halo: Land}
}

// RGBA implements color.Color.
func (c Color) RGBA() (r, g, b, a uint32) {
	return c.NRGBA().RGBA()
}

// NRGBA returns c as a color.NRGBA, alpha 255.
func (c Color) NRGBA() color.NRGBA {
	return color.NRGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xff}
}

// String returns c in CSS hex form, e.g. "#dfe8ef".
func (c Color) String() string {
	return fmt.Sprintf("#%06x", uint32(c)&0xffffff)
}
