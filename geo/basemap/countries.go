// Package basemap draws the built-in base map of dcatlas from Natural Earth
// country boundaries: raster tiles and images in Web Mercator (EPSG:3857),
// Mapbox Vector Tiles, and the distance from a point to a country.
//
// It is pure Go and does no I/O: New receives the TopoJSON bytes (see package
// data for the embedded files). Geometry is in WGS84 lon/lat degrees, as
// orb.Point{lon, lat}, cut at the antimeridian so that it is valid planar
// lon/lat.
package basemap

import (
	"errors"
	"fmt"
	"sync"

	"github.com/paulmach/orb"
	"golang.org/x/image/font/sfnt"

	"dcatlas/geo/country"
)

// Scale is the level of detail of the Natural Earth data.
type Scale int

// The Natural Earth scales, coarse to fine.
const (
	// Scale110m is 1:110 million, for whole-world views.
	Scale110m Scale = iota
	// Scale50m is 1:50 million, for continents.
	Scale50m
	// Scale10m is 1:10 million, for countries and regions.
	Scale10m
)

// numScales is the number of scales.
const numScales = 3

// String returns the Natural Earth name of s: "110m", "50m" or "10m".
func (s Scale) String() string {
	switch s {
	case Scale110m:
		return "110m"
	case Scale50m:
		return "50m"
	case Scale10m:
		return "10m"
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// ScaleForZoom returns the scale to draw at a Web Mercator zoom level
// (256-pixel tiles; add log2 of the pixel ratio for high-DPI output):
// 110m up to z2, 50m for z3 to z5, 10m from z6. The boundaries are where
// the coarser data starts to look angular at 1 px per 256th of a tile.
func ScaleForZoom(zoom float64) Scale {
	switch {
	case zoom < 3:
		return Scale110m
	case zoom < 6:
		return Scale50m
	}
	return Scale10m
}

// ErrUnknownCountry means a topology geometry's id is not an ISO 3166-1
// numeric code.
var ErrUnknownCountry = errors.New("basemap: unknown country code")

// Country is one Natural Earth admin-0 area.
type Country struct {
	// ISO2 is the ISO 3166-1 alpha-2 code, or "" for areas with none
	// (Kosovo, N. Cyprus, Somaliland, ...). Two areas may share a code: at
	// 50m and 10m Ashmore and Cartier Is. is "AU" beside Australia.
	ISO2 string
	// Name is the Natural Earth short name, e.g. "Bosnia and Herz.".
	Name string
	// Shape is the area in planar lon/lat: cut at the antimeridian, exterior
	// rings counter-clockwise and holes clockwise. It is shared: do not
	// modify it.
	Shape orb.MultiPolygon
	// Bound is the bound of Shape. For countries with land on both sides of
	// the antimeridian (Russia, Fiji, the United States, New Zealand,
	// Kiribati) it spans (nearly) all longitudes.
	Bound orb.Bound
}

// Atlas holds the countries of the world at the three Natural Earth scales,
// prepared for drawing. It is immutable after New and safe for concurrent
// use. The Web Mercator geometry for drawing a scale is built on its first
// use (under a sync.Once), which halves the time New takes; the first tile
// at each scale pays for it (about 2, 12 and 60 ms for 110m, 50m and 10m on
// two cores), unless Prepare has run.
type Atlas struct {
	layers [numScales]*layer

	// Country names, built on first use: the font, where each country would
	// be named, and the names placed at each zoom.
	font       func() (*sfnt.Font, error)
	labelCands func() ([]labelCandidate, error)
	placed     [MaxZoom + 1]func([]labelCandidate) []Label
}

// New decodes the Natural Earth countries topologies (world-atlas
// countries-110m.json, countries-50m.json and countries-10m.json) into an
// Atlas. Each must hold a "countries" object whose geometries have an ISO
// 3166-1 numeric id (or none) and a name property. Errors wrap
// ErrInvalidTopology, ErrNoObject or ErrUnsupportedGeometry, or
// ErrUnknownCountry for an id that is not an ISO 3166-1 numeric code.
func New(topo110m, topo50m, topo10m []byte) (*Atlas, error) {
	a := &Atlas{}
	a.labelSetup()
	type result struct {
		l   *layer
		err error
	}
	var results [numScales]chan result
	for i, data := range [numScales][]byte{topo110m, topo50m, topo10m} {
		results[i] = make(chan result, 1)
		go func() {
			l, err := newLayer(data)
			results[i] <- result{l, err}
		}()
	}
	for i := range results {
		r := <-results[i]
		if r.err != nil {
			return nil, fmt.Errorf("countries-%s: %w", Scale(i), r.err)
		}
		a.layers[i] = r.l
	}
	return a, nil
}

// Prepare builds the drawing geometry of every scale and finds where each
// country would be named (about 0.2 s) now rather than on first use, so
// that the first tiles are as fast as the others. Call it in
// a goroutine once the service has started; it is safe to call at any time,
// and more than once.
func (a *Atlas) Prepare() {
	for _, l := range a.layers {
		l.drawing()
	}
	a.labelCands() // an error shows again, and is reported, at the first tile
}

// Countries returns the countries at scale s, in the order of the
// topology; nil for an unknown scale. The slice is the caller's; the shapes
// are shared and must not be modified.
func (a *Atlas) Countries(s Scale) []Country {
	l := a.layer(s)
	if l == nil {
		return nil
	}
	return append([]Country(nil), l.countries...)
}

// Lookup returns the areas with ISO 3166-1 alpha-2 code iso2 at scale s:
// usually one, none for countries too small for the scale, two for "AU" at
// 50m and 10m. The shapes are shared and must not be modified.
func (a *Atlas) Lookup(iso2 string, s Scale) []Country {
	l := a.layer(s)
	if l == nil || iso2 == "" {
		return nil
	}
	var out []Country
	for _, i := range l.byISO[iso2] {
		out = append(out, l.countries[i])
	}
	return out
}

// layer returns the data at scale s, or nil.
func (a *Atlas) layer(s Scale) *layer {
	if s < 0 || s >= numScales {
		return nil
	}
	return a.layers[s]
}

// layer is the atlas at one scale.
type layer struct {
	countries []Country
	byISO     map[string][]int // ISO2 → indexes into countries
	// outerBounds[i][j] is the bound of countries[i].Shape[j]'s exterior ring: DistanceKm tests
	// a point against it before the ring itself.
	outerBounds [][]orb.Bound
	// polygons[i][j] indexes countries[i].Shape[j] for DistanceKm, built on first use.
	indexOnce sync.Once
	polygons  [][]polygonIndex
	// borders and coasts are the arcs of the topology, see Collection.
	borders, coasts orb.MultiLineString

	// world is the geometry for drawing, built on first use: converting
	// every point to Web Mercator is a third of the work of New.
	worldOnce sync.Once
	world     *worldShapes
}

// polygonIndexes returns the indexed polygons of every country, building them on first use.
func (l *layer) polygonIndexes() [][]polygonIndex {
	l.indexOnce.Do(func() {
		l.polygons = make([][]polygonIndex, len(l.countries))
		for i, c := range l.countries {
			l.polygons[i] = make([]polygonIndex, len(c.Shape))
			for j, p := range c.Shape {
				l.polygons[i][j] = newPolygonIndex(p)
			}
		}
		packIndexes(l.polygons)
	})
	return l.polygons
}

// drawing returns the layer's geometry in world coordinates, building it
// on first use.
func (l *layer) drawing() *worldShapes {
	l.worldOnce.Do(func() { l.world = newWorldShapes(l.countries, l.borders, l.coasts) })
	return l.world
}

// newLayer decodes one topology.
func newLayer(data []byte) (*layer, error) {
	c, err := Decode(data, "countries")
	if err != nil {
		return nil, err
	}
	l := &layer{
		countries: make([]Country, 0, len(c.Features)),
		byISO:     make(map[string][]int),
	}
	for i, f := range c.Features {
		var iso2 string
		if f.ID != "" {
			cc, ok := country.ByNumeric(f.ID)
			if !ok {
				return nil, fmt.Errorf("%w: geometry %d (%q) has id %q", ErrUnknownCountry, i, f.Name, f.ID)
			}
			iso2 = cc.Alpha2
			l.byISO[iso2] = append(l.byISO[iso2], len(l.countries))
		}
		shape := planarMultiPolygon(f.Shape)
		var b orb.Bound
		outer := make([]orb.Bound, len(shape))
		for i, p := range shape {
			outer[i] = boundOf(p[0])
			if i == 0 {
				b = outer[i]
			} else {
				b = b.Union(outer[i])
			}
		}
		l.countries = append(l.countries, Country{ISO2: iso2, Name: f.Name, Shape: shape, Bound: b})
		l.outerBounds = append(l.outerBounds, outer)
	}
	l.borders, l.coasts = c.Borders, c.Coasts
	packRings(l.countries)
	return l, nil
}

// packRings moves the points of every ring into one array, so that the garbage collector has one
// object to visit rather than one per ring. A ring's capacity is its length: appending to one
// cannot write over the next.
func packRings(cs []Country) {
	n := 0
	for _, c := range cs {
		for _, p := range c.Shape {
			for _, r := range p {
				n += len(r)
			}
		}
	}
	pts := make([]orb.Point, 0, n)
	for _, c := range cs {
		for _, p := range c.Shape {
			for k, r := range p {
				a := len(pts)
				pts = append(pts, r...)
				p[k] = orb.Ring(pts[a:len(pts):len(pts)])
			}
		}
	}
}
