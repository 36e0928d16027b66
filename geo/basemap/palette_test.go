package basemap

import (
	"image/color"
	"testing"
)

func TestColor(t *testing.T) {
	tests := []struct {
		c    Color
		hex  string
		rgba color.NRGBA
	}{
		{Sea, "#dfe8ef", color.NRGBA{0xdf, 0xe8, 0xef, 0xff}},
		{Land, "#f5f3ee", color.NRGBA{0xf5, 0xf3, 0xee, 0xff}},
		{Border, "#b9b4aa", color.NRGBA{0xb9, 0xb4, 0xaa, 0xff}},
		{Coast, "#a9a59c", color.NRGBA{0xa9, 0xa5, 0x9c, 0xff}},
		{Color(0x000001), "#000001", color.NRGBA{0, 0, 1, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.hex, func(t *testing.T) {
			if got := tt.c.String(); got != tt.hex {
				t.Errorf("String() = %q, want %q", got, tt.hex)
			}
			if got := tt.c.NRGBA(); got != tt.rgba {
				t.Errorf("NRGBA() = %v, want %v", got, tt.rgba)
			}
			if got, want := color.RGBAModel.Convert(tt.c), color.RGBAModel.Convert(tt.rgba); got != want {
				t.Errorf("as color.Color = %v, want %v", got, want)
			}
		})
	}
}
