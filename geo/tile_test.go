package geo

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// tileDataset is the filter test dataset with sites placed on tile edges: at z1, "edge" is 11 units
// right of the edge between x=0 and x=1, and "dateline" is just west of the antimeridian.
func tileDataset(t testing.TB) *Dataset {
	t.Helper()
	d := testDataset(t)
	edge := site(t, "edge", "2015", "active")
	edge.Point = orb.Point{0.5, 10}
	dateline := site(t, "dateline", "2015", "active")
	dateline.Point = orb.Point{179.9, 10}
	d.Sites = append(d.Sites, edge, dateline)
	return d
}

// layerPoints maps feature ids to their tile coordinates.
func layerPoints(t testing.TB, l *mvt.Layer) map[string]orb.Point {
	t.Helper()
	out := map[string]orb.Point{}
	for _, f := range l.Features {
		id, _ := f.Properties["id"].(string)
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			t.Fatalf("%s: geometry %T, want a point", id, f.Geometry)
		}
		out[id] = p
	}
	return out
}

func TestSiteLayer(t *testing.T) {
	d := tileDataset(t)
	tests := []struct {
		name   string
		tile   maptile.Tile
		at     string
		filter Filter
		want   map[string]orb.Point
	}{
		{"z0 holds every site existing at the date", maptile.New(0, 0, 0), "2026-11-01", Filter{},
			map[string]orb.Point{"hangzhou": {3415, 1686}, "hk": {3347, 1787}, "frankfurt": {2146, 1387}, "sydney": {3768, 2457}, "paris": {2074, 1409}, "edge": {2053, 1933}, "dateline": {4094, 1933}}},
		{"z0 before most sites exist", maptile.New(0, 0, 0), "2014-01-01", Filter{},
			map[string]orb.Point{"hangzhou": {3415, 1686}}},
		{"filters apply", maptile.New(0, 0, 0), "2026-11-01", Filter{Countries: []string{"HK", "AU"}},
			map[string]orb.Point{"hk": {3347, 1787}, "sydney": {3768, 2457}}},
		{"status filter at the date", maptile.New(0, 0, 0), "2025-01-01", Filter{Statuses: []Status{StatusClosed}},
			map[string]orb.Point{"sydney": {3768, 2457}}},
		{"points in their own tile", maptile.New(1, 0, 1), "2026-11-01", Filter{},
			map[string]orb.Point{"edge": {11, 3867}, "frankfurt": {197, 2774}, "paris": {53, 2818}, "hangzhou": {2734, 3372}, "hk": {2598, 3574}, "dateline": {4093, 3867}}},
		{"a point near the edge is also in the neighbour", maptile.New(0, 0, 1), "2026-11-01", Filter{},
			map[string]orb.Point{"edge": {4107, 3867}, "paris": {4149, 2818}, "dateline": {-3, 3867}}},
		{"across the antimeridian", maptile.New(1, 0, 1), "2026-11-01", Filter{Query: "dateline"},
			map[string]orb.Point{"dateline": {4093, 3867}}},
		{"far from the edge is not in the neighbour", maptile.New(0, 0, 1), "2026-11-01", Filter{Query: "frankfurt"},
			map[string]orb.Point{}},
		{"empty ocean tile", maptile.New(0, 3, 2), "2026-11-01", Filter{},
			map[string]orb.Point{}},
		{"off the grid", maptile.New(4, 0, 1), "2026-11-01", Filter{},
			map[string]orb.Point{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := d.SiteLayer(tt.tile, mustDay(t, tt.at), tt.filter)
			if l.Name != SiteLayerName || l.Extent != TileExtent || l.Version != 2 {
				t.Errorf("layer %q extent %d version %d", l.Name, l.Extent, l.Version)
			}
			got := layerPoints(t, l)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestSiteLayerProperties(t *testing.T) {
	d := tileDataset(t)
	tests := []struct {
		name string
		at   string
		want string
	}{
		{"announced with opening pending", "2016-12-01",
			"map[announced:2016-11-21 announced_from:20161121 announced_to:20161121 city:sydney closed:2024-09-30 closed_from:20240930 closed_to:20240930 closing:2024-06-27 closing_from:20240627 closing_to:20240627 country:AU events:20161121-20161121 announced,20161201-20161231 active,20240627-20240627 closing,20240930-20240930 closed id:sydney kind:public name:Region sydney opened:2016-12~ opened_from:20161201 opened_to:20161231 pending_date:2016-12~ pending_status:active provider:a status:announced status_date:2016-11-21]"},
		{"closed", "2025-01-01",
			"map[announced:2016-11-21 announced_from:20161121 announced_to:20161121 city:sydney closed:2024-09-30 closed_from:20240930 closed_to:20240930 closing:2024-06-27 closing_from:20240627 closing_to:20240627 country:AU events:20161121-20161121 announced,20161201-20161231 active,20240627-20240627 closing,20240930-20240930 closed id:sydney kind:public name:Region sydney opened:2016-12~ opened_from:20161201 opened_to:20161231 provider:a status:closed status_date:2024-09-30]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := d.SiteLayer(maptile.New(0, 0, 0), mustDay(t, tt.at), Filter{Query: "sydney"})
			if len(l.Features) != 1 {
				t.Fatalf("got %d features, want 1", len(l.Features))
			}
			f := l.Features[0]
			if got := fmt.Sprint(map[string]any(f.Properties)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if got, want := f.ID, SiteFeatureID("sydney"); got != want {
				t.Errorf("id %v, want %v", got, want)
			}
		})
	}
}

// TestSiteLayerRoundTrip encodes a tile and decodes it: the layer survives MVT encoding, and every
// property is one SiteFields documents, with the type it documents.
func TestSiteLayerRoundTrip(t *testing.T) {
	d := tileDataset(t)
	b, err := mvt.Marshal(mvt.Layers{d.SiteLayer(maptile.New(0, 0, 0), mustDay(t, "2016-12-01"), Filter{})})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].Name != SiteLayerName || ls[0].Extent != TileExtent {
		t.Fatalf("got layers %v", ls)
	}
	types := map[string]string{}
	for _, f := range SiteFields() {
		types[f.Name] = f.Type
	}
	var ids []string
	for _, f := range ls[0].Features {
		ids = append(ids, f.Properties["id"].(string))
		if got, want := f.ID, float64(SiteFeatureID(f.Properties["id"].(string))); got != want {
			t.Errorf("feature id %v, want %v", got, want)
		}
		for k, v := range f.Properties {
			typ, ok := types[k]
			switch {
			case !ok:
				t.Errorf("property %q is not in SiteFields", k)
			case typ == "String":
				if _, ok := v.(string); !ok {
					t.Errorf("property %q is %T, want a string", k, v)
				}
			case typ == "Number":
				if _, ok := v.(float64); !ok {
					t.Errorf("property %q is %T, want a number", k, v)
				}
			}
		}
	}
	if want := []string{"hangzhou", "hk", "frankfurt", "sydney", "edge", "dateline"}; !slices.Equal(ids, want) {
		t.Errorf("got %v, want %v", ids, want)
	}
}

// TestSiteLayerMatchesOrb checks the tile coordinates against orb's own projection of the sites in
// each tile (those not taken across the antimeridian).
func TestSiteLayerMatchesOrb(t *testing.T) {
	d := tileDataset(t)
	at := mustDay(t, "2026-11-01")
	compared := 0
	for _, tile := range []maptile.Tile{maptile.New(0, 0, 0), maptile.New(1, 0, 1), maptile.New(0, 0, 1), maptile.New(26, 13, 5), maptile.At(orb.Point{114.17, 22.32}, 14)} {
		got := layerPoints(t, d.SiteLayer(tile, at, Filter{}))
		for id, p := range got {
			compared++
			s, _ := d.Site(id)
			l := &mvt.Layer{Extent: TileExtent, Features: []*geojson.Feature{geojson.NewFeature(s.Point)}}
			l.ProjectToTile(tile)
			if want := l.Features[0].Geometry.(orb.Point); p != want && math.Abs(p[0]-want[0]) < TileExtent {
				t.Errorf("tile %v: %s at %v, orb projects it to %v", tile, id, p, want)
			}
		}
	}
	if compared < 15 {
		t.Errorf("compared %d points, want at least 15", compared)
	}
}

// TestSiteTiles checks SiteTiles against every tile of the low zooms: it lists exactly the tiles
// whose layer is not empty.
func TestSiteTiles(t *testing.T) {
	d := tileDataset(t)
	for _, at := range []string{"2014-01-01", "2026-11-01"} {
		for z := maptile.Zoom(0); z <= 5; z++ {
			var want []maptile.Tile
			for x := uint32(0); x < 1<<z; x++ {
				for y := uint32(0); y < 1<<z; y++ {
					if tile := maptile.New(x, y, z); len(d.SiteLayer(tile, mustDay(t, at), Filter{}).Features) > 0 {
						want = append(want, tile)
					}
				}
			}
			if got := d.SiteTiles(z, mustDay(t, at), Filter{}); !slices.Equal(got, want) {
				t.Errorf("at %s, zoom %d: got %v, want %v", at, z, got, want)
			}
		}
	}
	if got := d.SiteTiles(1, mustDay(t, "2026-11-01"), Filter{Query: "dateline"}); !slices.Equal(got, []maptile.Tile{maptile.New(0, 0, 1), maptile.New(1, 0, 1)}) {
		t.Errorf("the dateline site is in %v, want 1/0/0 (wrapped) and 1/1/0", got)
	}
}

func TestSiteFeatureID(t *testing.T) {
	a, b := SiteFeatureID("alibaba-cn-hangzhou"), SiteFeatureID("alibaba-cn-qingdao")
	if a == b || a >= 1<<53 || b >= 1<<53 {
		t.Errorf("ids %d and %d: want distinct and below 2^53", a, b)
	}
	if a != SiteFeatureID("alibaba-cn-hangzhou") {
		t.Error("id is not stable")
	}
}

func BenchmarkTileSites(b *testing.B) {
	d := tileDataset(b)
	at := mustDay(b, "2026-11-01")
	for _, tile := range []maptile.Tile{maptile.New(0, 0, 0), maptile.New(26, 14, 5), maptile.New(13398, 7150, 14)} {
		b.Run(fmt.Sprintf("z%d", tile.Z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mvt.Marshal(mvt.Layers{d.SiteLayer(tile, at, Filter{})}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The sites of a dataset as a vector tile: select them at a date, keep those in the tile, encode.
func ExampleDataset_SiteLayer() {
	opened, _ := ParseDate("2016-11-21/2016-11-30")
	d := &Dataset{Sites: []Site{{
		ID: "frankfurt", Name: "Germany (Frankfurt)", Provider: "example", City: "Frankfurt", Country: "DE",
		Point:  orb.Point{8.6821, 50.1109},
		Events: []Event{{Date: opened, Status: StatusActive}},
	}}}
	at, _ := ParseDay("2018-09-01")
	l := d.SiteLayer(maptile.At(orb.Point{8.6821, 50.1109}, 3), at, Filter{})
	f := l.Features[0]
	fmt.Println(l.Name, f.Geometry, f.Properties["status"], f.Properties["opened"], f.Properties["opened_to"])
	b, _ := mvt.Marshal(mvt.Layers{l})
	fmt.Println(len(b) > 0)
	// Output:
	// sites [790 2905] active 2016-11-21/2016-11-30 20161130
	// true
}
