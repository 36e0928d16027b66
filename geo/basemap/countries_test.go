package basemap

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestAtlasCounts(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		scale Scale
		want  int      // country geometries in world-atlas 2.0.2
		noISO []string // the areas without an ISO 3166-1 code
	}{
		{Scale110m, 177, []string{"Kosovo", "N. Cyprus", "Somaliland"}},
		{Scale50m, 241, []string{"Indian Ocean Ter.", "Kosovo", "N. Cyprus", "Siachen Glacier", "Somaliland"}},
		{Scale10m, 255, []string{
			"Akrotiri", "Baikonur", "Bajo Nuevo Bank", "Clipperton I.", "Coral Sea Is.",
			"Cyprus U.N. Buffer Zone", "Dhekelia", "Indian Ocean Ter.", "Kosovo", "N. Cyprus",
			"Scarborough Reef", "Serranilla Bank", "Siachen Glacier", "Somaliland", "Spratly Is.",
			"USNB Guantanamo Bay",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.scale.String(), func(t *testing.T) {
			cs := a.Countries(tt.scale)
			if got := len(cs); got != tt.want {
				t.Errorf("len(Countries) = %d, want %d", got, tt.want)
			}
			var noISO []string
			for _, c := range cs {
				if c.ISO2 == "" {
					noISO = append(noISO, c.Name)
				}
				if len(c.Shape) == 0 {
					t.Errorf("%s (%q) has no shape", c.Name, c.ISO2)
				}
			}
			if got, want := strings.Join(sorted(noISO), ", "), strings.Join(tt.noISO, ", "); got != want {
				t.Errorf("areas without ISO code = %s, want %s", got, want)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAtlasContains(t *testing.T) {
	a := testAtlas(t)
	paris, london := orb.Point{2.3522, 48.8566}, orb.Point{-0.1276, 51.5072}
	tests := []struct {
		name  string
		iso2  string
		point orb.Point
		want  bool
	}{
		{"Paris in France", "FR", paris, true},
		{"London not in France", "FR", london, false},
		{"London in the UK", "GB", london, true},
		{"Cayenne in France (French Guiana)", "FR", orb.Point{-52.33, 4.92}, true},
		{"Maseru in Lesotho", "LS", orb.Point{27.48, -29.31}, true},
		{"Maseru not in South Africa (hole)", "ZA", orb.Point{27.48, -29.31}, false},
		{"Chukotka east of 180° in Russia", "RU", orb.Point{-175, 66.5}, true},
		{"Chukotka west of 180° in Russia", "RU", orb.Point{177, 65}, true},
		{"Alaska not in Russia", "RU", orb.Point{-150, 65}, false},
		{"Vanua Levu in Fiji", "FJ", orb.Point{179.3, -16.5}, true},
		{"Taveuni, across the antimeridian, in Fiji", "FJ", orb.Point{-179.95, -16.8}, true},
		{"Viti Levu in Fiji", "FJ", orb.Point{178.0, -17.8}, true},
		{"Tonga not in Fiji", "FJ", orb.Point{-175.2, -21.13}, false},
		{"Chatham Islands in New Zealand", "NZ", orb.Point{-176.55, -43.85}, true},
		{"South Pole in Antarctica", "AQ", orb.Point{0, -89.5}, true},
	}
	for _, s := range []Scale{Scale50m, Scale10m} {
		for _, tt := range tests {
			t.Run(s.String()+"/"+tt.name, func(t *testing.T) {
				cs := a.Lookup(tt.iso2, s)
				if len(cs) == 0 {
					t.Fatalf("Lookup(%q) found nothing", tt.iso2)
				}
				got := false
				for _, c := range cs {
					got = got || planar.MultiPolygonContains(c.Shape, tt.point)
				}
				if got != tt.want {
					t.Errorf("%s contains %v = %v, want %v", tt.iso2, tt.point, got, tt.want)
				}
			})
		}
	}
}

func TestAtlasShapesPlanar(t *testing.T) {
	a := testAtlas(t)
	for s := Scale110m; s <= Scale10m; s++ {
		for _, c := range a.Countries(s) {
			for _, p := range c.Shape {
				for i, r := range p {
					if b := boundOf(r); !world.Contains(b.Min) || !world.Contains(b.Max) {
						t.Errorf("%s %s: ring outside the world: %v", s, c.Name, b)
					}
					for j := 1; j < len(r); j++ {
						alongPole := math.Abs(r[j][1]) == 90 && r[j][1] == r[j-1][1]
						if d := r[j][0] - r[j-1][0]; (d > 180 || d < -180) && !alongPole {
							t.Errorf("%s %s: ring %d jumps %v → %v", s, c.Name, i, r[j-1], r[j])
							break
						}
					}
					if o := r.Orientation(); o != 0 && (o == orb.CCW) != (i == 0) {
						t.Errorf("%s %s: ring %d wound %v", s, c.Name, i, o)
					}
				}
			}
		}
	}
}

func TestAtlasLookup(t *testing.T) {
	a := testAtlas(t)
	tests := []struct {
		iso2  string
		scale Scale
		want  []string
	}{
		{"AU", Scale110m, []string{"Australia"}},
		{"AU", Scale50m, []string{"Australia", "Ashmore and Cartier Is."}},
		{"HK", Scale110m, nil},
		{"HK", Scale50m, []string{"Hong Kong"}},
		{"SG", Scale10m, []string{"Singapore"}},
		{"GF", Scale10m, nil},
		{"", Scale10m, nil},
		{"FR", Scale(7), nil},
	}
	for _, tt := range tests {
		t.Run(tt.iso2+"/"+tt.scale.String(), func(t *testing.T) {
			var got []string
			for _, c := range a.Lookup(tt.iso2, tt.scale) {
				got = append(got, c.Name)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Lookup = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCountriesIsACopy(t *testing.T) {
	a := testAtlas(t)
	cs := a.Countries(Scale110m)
	cs[0].Name = "changed"
	if got := a.Countries(Scale110m)[0].Name; got == "changed" {
		t.Error("Countries returned the atlas's own slice")
	}
}

func TestScaleForZoom(t *testing.T) {
	tests := []struct {
		zoom float64
		want Scale
	}{
		{0, Scale110m}, {2, Scale110m}, {2.9, Scale110m},
		{3, Scale50m}, {5, Scale50m},
		{6, Scale10m}, {12, Scale10m},
		{-1, Scale110m},
	}
	for _, tt := range tests {
		if got := ScaleForZoom(tt.zoom); got != tt.want {
			t.Errorf("ScaleForZoom(%v) = %v, want %v", tt.zoom, got, tt.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	good := readTopology(t, Scale110m)
	unknownID := `{"type":"Topology","arcs":[[[0,0],[1,0],[1,1],[0,0]]],"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Polygon","id":"999","arcs":[[0]]}]}}}`
	tests := []struct {
		name              string
		t110, t50, t10    []byte
		want              error
		wantMessagePrefix string
	}{
		{"bad 10m", good, good, []byte("{"), ErrInvalidTopology, "countries-10m: basemap: invalid topology"},
		{"no countries object", good, []byte(`{"type":"Topology","arcs":[],"objects":{}}`), good, ErrNoObject, "countries-50m: basemap: no such topology object"},
		{"unknown id", []byte(unknownID), good, good, ErrUnknownCountry, "countries-110m: basemap: unknown country code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.t110, tt.t50, tt.t10)
			if !errors.Is(err, tt.want) || a != nil {
				t.Fatalf("New() = %v, %v; want nil, %v", a, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.wantMessagePrefix) {
				t.Errorf("error %q does not start with %q", err, tt.wantMessagePrefix)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	t110, t50, t10 := readTopology(b, Scale110m), readTopology(b, Scale50m), readTopology(b, Scale10m)
	for b.Loop() {
		if _, err := New(t110, t50, t10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDrawing measures building a scale's drawing geometry, which
// the first tile at that scale pays for.
func BenchmarkDrawing(b *testing.B) {
	for s := Scale110m; s <= Scale10m; s++ {
		l, err := newLayer(readTopology(b, s))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s.String(), func(b *testing.B) {
			for b.Loop() {
				newWorldShapes(l.countries, l.borders, l.coasts)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for s := Scale110m; s <= Scale10m; s++ {
		data := readTopology(b, s)
		b.Run(s.String(), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := newLayer(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
