package basemap

import (
	"errors"
	"fmt"
	"math"
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
			if len(layers) != 2 || layers[0].Name != LayerName || layers[1].Name != LabelLayerName {
				t.Fatalf("layers = %+v, want %q and %q", layers, LayerName, LabelLayerName)
			}
			for _, l := range layers {
				if l.Extent != Extent || l.Version != 2 {
					t.Errorf("layer %s: extent %d, version %d; want %d, 2", l.Name, l.Extent, l.Version, Extent)
				}
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
			if ls := a.Layers(tile); len(ls) != 2 || len(ls[0].Features) != 0 || len(ls[1].Features) != 0 {
				t.Errorf("Layers() = %+v, want two empty layers", ls)
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

// TestMVTLabels reads the name points back from encoded tiles: each name
// placed at the zoom is in exactly one tile of it, at its label point, with
// its properties.
func TestMVTLabels(t *testing.T) {
	a := testAtlas(t)
	for _, z := range []maptile.Zoom{0, 2, 3} {
		t.Run(fmt.Sprintf("z%d", z), func(t *testing.T) {
			want, err := a.Labels(int(z))
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]Label{}
			for _, l := range want {
				byName[l.Name] = l
			}
			seen := map[string]bool{}
			n := uint32(1) << z
			for x := range n {
				for y := range n {
					tile := maptile.New(x, y, z)
					data, err := a.MVT(tile)
					if err != nil {
						t.Fatal(err)
					}
					layers, err := mvt.Unmarshal(data)
					if err != nil {
						t.Fatal(err)
					}
					layers.ProjectToWGS84(tile)
					for _, f := range layers[1].Features {
						name, _ := f.Properties["name"].(string)
						l, ok := byName[name]
						if !ok || seen[name] {
							t.Errorf("tile %v: name %q unknown or seen before", tile, name)
							continue
						}
						seen[name] = true
						p, ok := f.Geometry.(orb.Point)
						// A tile unit is 360/(4096·2^z) degrees of longitude.
						tol := 360 / (Extent * math.Ldexp(1, int(z))) * 1.5
						if !ok || math.Abs(p[0]-l.Point[0]) > tol || math.Abs(p[1]-l.Point[1]) > tol*1.5 {
							t.Errorf("%s at %v, want %v", name, f.Geometry, l.Point)
						}
						if f.Properties["iso2"] != l.ISO2 || f.Properties["rank"] != float64(l.Rank) || f.Properties["min_zoom"] != float64(l.MinZoom) {
							t.Errorf("%s: properties %v, want iso2 %q, rank %d, min_zoom %d", name, f.Properties, l.ISO2, l.Rank, l.MinZoom)
						}
					}
				}
			}
			if len(seen) != len(want) {
				t.Errorf("%d names in the tiles, want %d", len(seen), len(want))
			}
		})
	}
}
