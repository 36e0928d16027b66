package basemap

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paulmach/orb"
)

// Errors returned by Decode. Every error wraps one of them.
var (
	// ErrInvalidTopology means the input is not a well-formed TopoJSON
	// Topology: bad JSON, a bad transform, malformed arcs, an arc index out
	// of range or a coordinate outside lon [-180, 180], lat [-90, 90].
	ErrInvalidTopology = errors.New("basemap: invalid topology")
	// ErrNoObject means the topology has no object of the requested name.
	ErrNoObject = errors.New("basemap: no such topology object")
	// ErrUnsupportedGeometry means an object holds a geometry other than
	// Polygon, MultiPolygon or null.
	ErrUnsupportedGeometry = errors.New("basemap: unsupported topology geometry")
)

// Feature is one geometry of a TopoJSON object, resolved to lon/lat polygons.
type Feature struct {
	// ID is the geometry's "id" member, numbers formatted in decimal,
	// or "" when absent.
	ID string
	// Name is the geometry's "name" property, or "" when absent or not a
	// string.
	Name string
	// Shape holds the polygons in lon/lat degrees, each ring closed, as
	// stitched from the arcs: in spherical, not planar, terms (see Decode),
	// with the winding of the topology. Rings collapsed by quantization are
	// padded to four positions. A null geometry has an empty Shape.
	Shape orb.MultiPolygon
}

// Collection is a decoded TopoJSON object: its features, and its arcs split
// by how the features share them, so that borders and coastlines can be
// stroked once each.
type Collection struct {
	// Features holds the object's geometries in input order.
	Features []Feature
	// Borders holds, once each, the arcs used by two or more features: the
	// boundaries between neighbouring countries.
	Borders orb.MultiLineString
	// Coasts holds the arcs used by exactly one feature, exactly once: the
	// outline of the whole collection (for countries, the coastline, and any
	// artificial edge of the data, such as the ring at -89.999° round the
	// South Pole in the 1:50m Antarctica).
	Coasts orb.MultiLineString
}

// transform is the quantization transform of a topology.
type transform struct {
	Scale     []float64 `json:"scale"`
	Translate []float64 `json:"translate"`
}

// geometry is the JSON shape of a TopoJSON geometry object.
type geometry struct {
	Type       *string         `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties map[string]any  `json:"properties"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []geometry      `json:"geometries"`
}

// Decode decodes the object named object of the TopoJSON Topology data:
// a GeometryCollection of Polygon and MultiPolygon geometries (or a single
// such geometry), quantized (delta-encoded arcs with a transform) or not.
// Negative arc indexes refer to reversed arcs (~i).
//
// Positions are kept on the sphere as the topology has them: a ring may
// cross the antimeridian (consecutive longitudes about 360° apart) or go
// round a pole. Use them as planar lon/lat only after cutting them, as
// the Atlas does.
//
// Only the members Decode needs are checked; the other objects of the
// topology are skipped, not validated. Decode never panics: malformed input
// yields an error wrapping ErrInvalidTopology, ErrNoObject or
// ErrUnsupportedGeometry.
func Decode(data []byte, object string) (*Collection, error) {
	var (
		typ, rawTransform, rawArcs, rawObject []byte
		found                                 bool
	)
	s := scanner{data: data}
	err := s.members(func(key string) error {
		var err error
		switch key {
		case "type":
			typ, err = s.skipValue()
		case "transform":
			rawTransform, err = s.skipValue()
		case "arcs":
			rawArcs, err = s.skipValue()
		case "objects":
			err = s.members(func(name string) error {
				v, err := s.skipValue()
				if name == object {
					rawObject, found = v, true
				}
				return err
			})
		default:
			_, err = s.skipValue()
		}
		return err
	})
	if err == nil && !s.atEnd() {
		err = errSyntax
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidTopology, err)
	}
	if string(typ) != `"Topology"` {
		return nil, fmt.Errorf("%w: type %s, want \"Topology\"", ErrInvalidTopology, typ)
	}
	if !found {
		return nil, fmt.Errorf("%w: %q", ErrNoObject, object)
	}
	var obj geometry
	if err := json.Unmarshal(rawObject, &obj); err != nil {
		return nil, fmt.Errorf("%w: object %q: %w", ErrInvalidTopology, object, err)
	}
	q, err := newQuantizer(rawTransform)
	if err != nil {
		return nil, err
	}
	arcs, err := parseArcs(rawArcs, q)
	if err != nil {
		return nil, err
	}

	geoms := []geometry{obj}
	if obj.Type != nil && *obj.Type == "GeometryCollection" {
		geoms = obj.Geometries
	}
	c := &Collection{Features: make([]Feature, 0, len(geoms))}
	use := make([]arcUse, len(arcs))
	for i, g := range geoms {
		f, err := decodeFeature(g, arcs, use, i)
		if err != nil {
			return nil, fmt.Errorf("object %q geometry %d: %w", object, i, err)
		}
		c.Features = append(c.Features, f)
	}
	for i, u := range use {
		switch {
		case u.count == 0:
		case u.shared:
			c.Borders = append(c.Borders, arcs[i])
		case u.count == 1:
			c.Coasts = append(c.Coasts, arcs[i])
		}
	}
	return c, nil
}

// arcUse records how the features of a collection use one arc.
type arcUse struct {
	count  int  // references from all features
	owner  int  // index of the first feature to use it
	shared bool // used by two different features
}

// decodeFeature resolves one geometry, recording arc use for feature index fi.
func decodeFeature(g geometry, arcs []orb.LineString, use []arcUse, fi int) (Feature, error) {
	f := Feature{ID: decodeID(g.ID)}
	if name, ok := g.Properties["name"].(string); ok {
		f.Name = name
	}
	var polys [][][]int
	switch typ := g.Type; {
	case typ == nil:
		return f, nil
	case *typ == "Polygon":
		var p [][]int
		if err := json.Unmarshal(g.Arcs, &p); err != nil {
			return f, fmt.Errorf("%w: polygon arcs: %w", ErrInvalidTopology, err)
		}
		polys = [][][]int{p}
	case *typ == "MultiPolygon":
		if err := json.Unmarshal(g.Arcs, &polys); err != nil {
			return f, fmt.Errorf("%w: multipolygon arcs: %w", ErrInvalidTopology, err)
		}
	default:
		return f, fmt.Errorf("%w: %q", ErrUnsupportedGeometry, *typ)
	}
	for _, p := range polys {
		var poly orb.Polygon
		for ri, refs := range p {
			r, err := stitch(refs, arcs, use, fi)
			if err != nil {
				return f, err
			}
			if len(r) == 0 {
				if ri == 0 {
					break // no exterior: drop the polygon and its holes
				}
				continue
			}
			for len(r) < 4 { // a ring collapsed by quantization, as topojson-client pads it
				r = append(r, r[0])
			}
			poly = append(poly, r)
		}
		if len(poly) > 0 {
			f.Shape = append(f.Shape, poly)
		}
	}
	return f, nil
}

// maxRingPoints bounds the positions of a stitched ring, so that a small
// input repeating a long arc cannot take all memory. The longest ring of
// the 1:10m data has about 23,000.
const maxRingPoints = 1 << 22

// stitch joins the referenced arcs into a closed ring, dropping the point
// each arc shares with the previous one.
func stitch(refs []int, arcs []orb.LineString, use []arcUse, fi int) (orb.Ring, error) {
	n := 0
	for _, ref := range refs {
		i := ref
		if i < 0 {
			i = ^i
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("%w: arc index %d out of range [0, %d)", ErrInvalidTopology, ref, len(arcs))
		}
		if n += len(arcs[i]); n > maxRingPoints {
			return nil, fmt.Errorf("%w: ring of more than %d positions", ErrInvalidTopology, maxRingPoints)
		}
		u := &use[i]
		if u.count == 0 {
			u.owner = fi
		} else if u.owner != fi {
			u.shared = true
		}
		u.count++
	}
	r := make(orb.Ring, 0, n+1)
	for _, ref := range refs {
		i, rev := ref, ref < 0
		if rev {
			i = ^ref
		}
		arc := arcs[i] // in range: checked above
		start := len(r)
		if start > 0 {
			r = r[:start-1] // the arc starts where the ring ends
			start--
		}
		r = append(r, arc...)
		if rev {
			seg := r[start:]
			for a, b := 0, len(seg)-1; a < b; a, b = a+1, b-1 {
				seg[a], seg[b] = seg[b], seg[a]
			}
		}
	}
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	return r, nil
}

// decodeID formats a geometry id, a JSON string or number, as a string.
func decodeID(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// quantizer turns arc positions into lon/lat.
type quantizer struct {
	delta  bool // positions are delta-encoded integers
	sx, sy float64
	tx, ty float64
}

func newQuantizer(raw []byte) (quantizer, error) {
	if raw == nil || string(raw) == "null" {
		return quantizer{sx: 1, sy: 1}, nil
	}
	var t transform
	if err := json.Unmarshal(raw, &t); err != nil {
		return quantizer{}, fmt.Errorf("%w: transform: %w", ErrInvalidTopology, err)
	}
	if len(t.Scale) != 2 || len(t.Translate) != 2 || t.Scale[0] == 0 || t.Scale[1] == 0 {
		return quantizer{}, fmt.Errorf("%w: transform needs two non-zero scales and two translates", ErrInvalidTopology)
	}
	return quantizer{delta: true, sx: t.Scale[0], sy: t.Scale[1], tx: t.Translate[0], ty: t.Translate[1]}, nil
}

// coordSlack is how far past ±180°/±90° a decoded coordinate may fall,
// from rounding in the transform, before it is rejected; it is clamped.
const coordSlack = 1e-6

// parseArcs parses the topology's arcs: an array of arcs, each an array of
// one or more positions, each an array of two or more numbers.
func parseArcs(raw []byte, q quantizer) ([]orb.LineString, error) {
	p := scanner{data: raw}
	arcs, err := p.arcs(q)
	if err == nil && !p.atEnd() {
		err = errSyntax
	}
	if err != nil {
		return nil, fmt.Errorf("%w: arcs: %w", ErrInvalidTopology, err)
	}
	return arcs, nil
}
