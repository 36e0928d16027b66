package basemap

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func TestMVT(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		name string
		tile maptile.Tile
		want string // the iso2 properties of the features, sorted, "-" for an area without one
	}{
		// Kosovo has no code ("-"); Monaco and the Vatican are below a
		// pixel at z4 and simplified away.
		{"europe", maptile.New(8, 5, 4), "- AD AL AT BA BE BG CH CZ DE DK ES FR GB GR HR HU IT LI LT LU ME MK NL PL RO RS RU SE SI SK SM UA"},
		{"hong kong", maptile.At(orb.Point{114.1694, 22.3193}, 9), "CN HK"},
		{"world", maptile.New(0, 0, 0), ""}, // checked by count below
		{"south atlantic", southAtlantic, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := a.MVT(tt.tile)
			if err != nil {
				t.Fatal(err)
			}
			layers, err := mvt.Unmarshal(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(layers) != 1 || layers[0].Name != LayerName || layers[0].Extent != Extent || layers[0].Version != 2 {
				t.Fatalf("layers = %+v, want one %q layer, extent %d, version 2", layers, LayerName, Extent)
			}
			var codes []string
			for _, f := range layers[0].Features {
				iso2, _ := f.Properties["iso2"].(string)
				name, _ := f.Properties["name"].(string)
				if name == "" {
					t.Errorf("feature %q has no name", iso2)
				}
				if iso2 == "" {
					iso2 = "-"
				}
				codes = append(codes, iso2)
				switch g := f.Geometry.(type) {
				case orb.Polygon, orb.MultiPolygon:
					if b := g.Bound(); b.Min[0] < -TileBuffer || b.Max[0] > Extent+TileBuffer ||
						b.Min[1] < -TileBuffer || b.Max[1] > Extent+TileBuffer {
						t.Errorf("%s: geometry %v beyond the buffered tile", iso2, b)
					}
				default:
					t.Errorf("%s: geometry %T, want polygons", iso2, g)
				}
			}
			sort.Strings(codes)
			got := strings.Join(codes, " ")
			switch {
			case tt.name == "world":
				if n := len(codes); n < 160 { // 177 less the islands below a pixel
					t.Errorf("z0 tile has %d features, want 160 or more", n)
				}
			case got != tt.want:
				t.Errorf("features\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLayersFeature(t *testing.T) {
	a := testAtlas(t)
	tile := maptile.At(orb.Point{2.35, 48.86}, 6) // Paris
	ls := a.Layers(tile)
	for _, f := range ls[0].Features {
		if f.Properties["iso2"] != "FR" {
			continue
		}
		if got, want := f.ID, 250; got != want {
			t.Errorf("France id = %v, want %v", got, want)
		}
		if got, want := f.Properties["name"], "France"; got != want {
			t.Errorf("France name = %v, want %v", got, want)
		}
		// Paris, in tile coordinates, is inside France's exterior ring.
		var rings []orb.Ring
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			rings = append(rings, g[0])
		case orb.MultiPolygon:
			for _, p := range g {
				rings = append(rings, p[0])
			}
		}
		for _, r := range rings {
			if r.Orientation() != orb.CCW {
				t.Errorf("exterior ring has orientation %v, want positive area (clockwise, y down)", r.Orientation())
			}
		}
		return
	}
	t.Errorf("no France in tile %v", tile)
}

func TestMVTErrors(t *testing.T) {
	a := testAtlas(t)
	for _, tile := range []maptile.Tile{maptile.New(1, 0, 0), maptile.New(0, 0, MaxZoom+1)} {
		t.Run(fmt.Sprint(tile), func(t *testing.T) {
			if data, err := a.MVT(tile); !errors.Is(err, ErrInvalidTile) || data != nil {
				t.Errorf("MVT() = %d bytes, %v; want %v", len(data), err, ErrInvalidTile)
			}
			if ls := a.Layers(tile); len(ls) != 1 || len(ls[0].Features) != 0 {
				t.Errorf("Layers() = %+v, want one empty layer", ls)
			}
		})
	}
}

func BenchmarkMVT(b *testing.B) {
	a := testAtlas(b)
	frankfurt := orb.Point{8.6821, 50.1109}
	for _, z := range []maptile.Zoom{0, 3, 6} {
		tile := maptile.At(frankfurt, z)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			a.MVT(tile)
			for b.Loop() {
				if _, err := a.MVT(tile); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
