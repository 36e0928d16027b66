package basemap

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// square is a quantized topology of two unit squares side by side sharing
// arc 1 (both use it reversed), the left one a Polygon with a hole, the right
// one a MultiPolygon.
const square = `{
  "type": "Topology",
  "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
  "arcs": [
    [[2, 0], [-2, 0], [0, 4], [2, 0]],
    [[2, 0], [0, 4]],
    [[2, 0], [2, 0], [0, 4], [-2, 0]],
    [[0, 1], [1, 0], [0, 1], [-1, 0], [0, -1]]
  ],
  "objects": {
    "countries": {"type": "GeometryCollection", "geometries": [
      {"type": "Polygon", "id": "036", "properties": {"name": "Left"}, "arcs": [[0, -2], [3]]},
      {"type": "MultiPolygon", "id": 250, "properties": {"name": "Right"}, "arcs": [[[2, -2]]]},
      {"type": null, "properties": {"name": 7}}
    ]}
  }
}`

func TestDecode(t *testing.T) {
	c, err := Decode([]byte(square), "countries")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Features), 3; got != want {
		t.Fatalf("len(Features) = %d, want %d", got, want)
	}
	tests := []struct {
		name      string
		got, want Feature
	}{
		{"polygon with hole", c.Features[0], Feature{ID: "036", Name: "Left", Shape: orb.MultiPolygon{{
			{{11, 20}, {10, 20}, {10, 21}, {11, 21}, {11, 20}},
			{{10, 20.25}, {10.5, 20.25}, {10.5, 20.5}, {10, 20.5}, {10, 20.25}},
		}}}},
		{"multipolygon, reversed arc, numeric id", c.Features[1], Feature{ID: "250", Name: "Right", Shape: orb.MultiPolygon{{
			{{11, 20}, {12, 20}, {12, 21}, {11, 21}, {11, 20}},
		}}}},
		{"null geometry, non-string name", c.Features[2], Feature{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.ID != tt.want.ID || tt.got.Name != tt.want.Name || !tt.got.Shape.Equal(tt.want.Shape) {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
	t.Run("borders", func(t *testing.T) {
		want := orb.MultiLineString{{{11, 20}, {11, 21}}}
		if got := c.Borders; !got.Equal(want) {
			t.Errorf("Borders = %v, want %v", got, want)
		}
	})
	t.Run("coasts", func(t *testing.T) {
		if got, want := len(c.Coasts), 3; got != want {
			t.Errorf("len(Coasts) = %d, want %d", got, want)
		}
	})
}

func TestDecodeUnquantized(t *testing.T) {
	const topo = `{"type":"Topology","arcs":[[[-179.5,-10],[179.5,-10],[179.5,-11],[-179.5,-11]]],
		"objects":{"fiji":{"type":"Polygon","arcs":[[0]]}}}`
	c, err := Decode([]byte(topo), "fiji")
	if err != nil {
		t.Fatal(err)
	}
	got := c.Features[0].Shape
	want := orb.MultiPolygon{{{{-179.5, -10}, {179.5, -10}, {179.5, -11}, {-179.5, -11}, {-179.5, -10}}}}
	if !got.Equal(want) {
		t.Errorf("Shape = %v, want %v", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		topo   string
		object string
		want   error
	}{
		{"not json", `{"type":`, "countries", ErrInvalidTopology},
		{"empty", ``, "countries", ErrInvalidTopology},
		{"array", `[]`, "countries", ErrInvalidTopology},
		{"trailing data", `{"type":"Topology","arcs":[],"objects":{"a":{"type":null}}} x`, "a", ErrInvalidTopology},
		{"not a topology", `{"type":"FeatureCollection","arcs":[],"objects":{}}`, "countries", ErrInvalidTopology},
		{"no object", `{"type":"Topology","arcs":[],"objects":{"land":{"type":null}}}`, "countries", ErrNoObject},
		{"no objects", `{"type":"Topology","arcs":[]}`, "countries", ErrNoObject},
		{"bad object", `{"type":"Topology","arcs":[],"objects":{"a":{"type":3}}}`, "a", ErrInvalidTopology},
		{"missing arcs", `{"type":"Topology","objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"arcs not nested", `{"type":"Topology","arcs":[1,2],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"empty arc", `{"type":"Topology","arcs":[[]],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"one-number position", `{"type":"Topology","arcs":[[[1]]],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"string position", `{"type":"Topology","arcs":[[["1","2"]]],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"latitude out of range", `{"type":"Topology","arcs":[[[0,91]]],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"delta overflow", `{"type":"Topology","transform":{"scale":[1,1],"translate":[0,0]},"arcs":[[[100,0],[100,0]]],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"zero scale", `{"type":"Topology","transform":{"scale":[0,1],"translate":[0,0]},"arcs":[],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"short transform", `{"type":"Topology","transform":{"scale":[1]},"arcs":[],"objects":{"a":{"type":null}}}`, "a", ErrInvalidTopology},
		{"arc index out of range", `{"type":"Topology","arcs":[[[0,0],[1,1]]],"objects":{"a":{"type":"Polygon","arcs":[[1]]}}}`, "a", ErrInvalidTopology},
		{"reversed arc index out of range", `{"type":"Topology","arcs":[[[0,0],[1,1]]],"objects":{"a":{"type":"Polygon","arcs":[[-2]]}}}`, "a", ErrInvalidTopology},
		{"polygon arcs too shallow", `{"type":"Topology","arcs":[[[0,0],[1,1]]],"objects":{"a":{"type":"Polygon","arcs":[0]}}}`, "a", ErrInvalidTopology},
		{"unsupported geometry", `{"type":"Topology","arcs":[[[0,0],[1,1]]],"objects":{"a":{"type":"LineString","arcs":[0]}}}`, "a", ErrUnsupportedGeometry},
		{"nested collection", `{"type":"Topology","arcs":[],"objects":{"a":{"type":"GeometryCollection","geometries":[{"type":"GeometryCollection","geometries":[]}]}}}`, "a", ErrUnsupportedGeometry},
		{"unbalanced brackets", `{"type":"Topology","arcs":[[[0,0]]],"objects":{"a":{"type":null]}}`, "a", ErrInvalidTopology},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode([]byte(tt.topo), tt.object)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decode() error = %v, want %v", err, tt.want)
			}
			if c != nil {
				t.Errorf("Decode() = %+v, want nil", c)
			}
		})
	}
}

func TestDecodeDegenerateRing(t *testing.T) {
	// The Vatican collapses to a two-point ring at 1:10m; it is kept,
	// padded to four positions, so that the country can still be located.
	const topo = `{"type":"Topology","arcs":[[[12,41],[12.001,41]]],"objects":{"a":{"type":"Polygon","id":"336","arcs":[[0]]}}}`
	c, err := Decode([]byte(topo), "a")
	if err != nil {
		t.Fatal(err)
	}
	got := c.Features[0].Shape
	want := orb.MultiPolygon{{{{12, 41}, {12.001, 41}, {12, 41}, {12, 41}}}}
	if !got.Equal(want) {
		t.Errorf("Shape = %v, want %v", got, want)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(square), "countries")
	f.Add([]byte(`{"type":"Topology","arcs":[[[-179.5,-10],[179.5,-10],[179.5,-11],[-179.5,-11]]],"objects":{"a":{"type":"Polygon","arcs":[[0]]}}}`), "a")
	f.Fuzz(func(t *testing.T, data []byte, object string) {
		c, err := Decode(data, object)
		if err != nil {
			if c != nil {
				t.Fatalf("Decode returned %v and error %v", c, err)
			}
			return
		}
		for _, feat := range c.Features {
			for _, p := range feat.Shape {
				for _, r := range p {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("ring not closed or short: %v", r)
					}
				}
			}
			// Cutting at the antimeridian must keep everything on the map.
			for _, p := range planarMultiPolygon(feat.Shape) {
				for _, r := range p {
					if b := boundOf(r); !world.Contains(b.Min) || !world.Contains(b.Max) {
						t.Fatalf("cut ring outside the world: %v", b)
					}
				}
			}
		}
		for _, ls := range append(c.Borders, c.Coasts...) {
			for _, part := range planarLines(ls) {
				if b := boundOf(part); !world.Contains(b.Min) || !world.Contains(b.Max) {
					t.Fatalf("cut line outside the world: %v", b)
				}
			}
		}
	})
}

func TestDecodeRingTooLong(t *testing.T) {
	// One arc of 1,000 positions referenced 5,000 times: 5 million positions
	// from 25 kB of input.
	var b strings.Builder
	b.WriteString(`{"type":"Topology","arcs":[[[0,0]`)
	for range 999 {
		b.WriteString(`,[0,0]`)
	}
	b.WriteString(`]],"objects":{"a":{"type":"Polygon","arcs":[[0`)
	for range 4999 {
		b.WriteString(`,0`)
	}
	b.WriteString(`]]}}}`)
	if _, err := Decode([]byte(b.String()), "a"); !errors.Is(err, ErrInvalidTopology) {
		t.Errorf("Decode() error = %v, want %v", err, ErrInvalidTopology)
	}
}
