package basemap

import (
	"fmt"
	"image/color"
)

// Color is an opaque sRGB colour written 0xRRGGBB. It implements
// color.Color, so the palette constants can be drawn with directly.
type Color uint32

var _ color.Color = Color(0)

// The base map palette: calm and light, so that data drawn over it stands
// out. The static map and its legend use the same constants.
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
