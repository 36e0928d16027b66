package basemap

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"dcatlas/geo/country"
)

// The vector tile layout.
const (
	// LayerName is the name of the vector tile layer of countries. Its
	// features are polygons with the properties "iso2" (ISO 3166-1 alpha-2,
	// "" for areas without one) and "name", and the ISO 3166-1 numeric code
	// as feature id when there is one.
	LayerName = "countries"
	// LabelLayerName is the name of the vector tile layer of country names:
	// one point per name placed at the tile's zoom (see Atlas.Labels), with
	// the properties "name", "iso2", "rank" (1 for the largest country) and
	// "min_zoom" (the first zoom where the name fits its country).
	LabelLayerName = "country_labels"
	// Extent is the size of a vector tile in tile coordinates.
	Extent = mvt.DefaultExtent
	// TileBuffer is how far, in tile coordinates, polygons reach beyond the
	// tile edge, so that clients draw no seams.
	TileBuffer = 64
	// simplifyTolerance is the Douglas–Peucker tolerance in tile
	// coordinates: one pixel of a 512-pixel rendering, half of a 256-pixel one.
	simplifyTolerance = Extent / 512
)

// Layers returns the vector tile layers of t, version 2, in tile
// coordinates (0 to Extent, y down) ready for mvt.Marshal: LayerName, with
// one feature per country the tile shows, simplified for its zoom and
// clipped to the tile plus TileBuffer; and LabelLayerName, with a point for
// each country name placed at the tile's zoom whose centre is in the tile
// (names reach across tile edges; the point is in one tile only). A tile
// showing no land, or an invalid one, has layers with no features.
func (a *Atlas) Layers(t maptile.Tile) mvt.Layers {
	if !validTile(t) {
		return mvt.Layers{
			&mvt.Layer{Name: LayerName, Version: 2, Extent: Extent},
			&mvt.Layer{Name: LabelLayerName, Version: 2, Extent: Extent},
		}
	}
	labels, err := a.Labels(int(t.Z))
	if err != nil {
		labels = nil // MVT reports the error
	}
	return mvt.Layers{a.countryLayer(t), labelLayer(t, labels)}
}

// labelLayer is the layer of the names among labels (placed at t's zoom)
// whose centre is in t.
func labelLayer(t maptile.Tile, labels []Label) *mvt.Layer {
	out := &mvt.Layer{Name: LabelLayerName, Version: 2, Extent: Extent}
	k := float64(Extent) / TileSize // tile coordinates per world pixel
	x0, y0 := float64(t.X)*TileSize, float64(t.Y)*TileSize
	for _, l := range labels {
		c := l.Box.Center()
		x, y := math.Floor((c[0]-x0)*k), math.Floor((c[1]-y0)*k)
		if x < 0 || x >= Extent || y < 0 || y >= Extent {
			continue
		}
		f := geojson.NewFeature(orb.Point{x, y})
		f.Properties["name"] = l.Name
		f.Properties["iso2"] = l.ISO2
		f.Properties["rank"] = l.Rank
		f.Properties["min_zoom"] = l.MinZoom
		out.Features = append(out.Features, f)
	}
	return out
}

// countryLayer is the LayerName layer of the valid tile t.
func (a *Atlas) countryLayer(t maptile.Tile) *mvt.Layer {
	out := &mvt.Layer{Name: LayerName, Version: 2, Extent: Extent}
	l := a.layer(ScaleForZoom(float64(t.Z)))
	w := l.drawing()

	scale := Extent * math.Ldexp(1, int(t.Z)) // tile coordinates per world unit
	x0, y0 := float64(t.X)*Extent/scale, float64(t.Y)*Extent/scale
	b := TileBuffer / scale
	vis := orb.Bound{Min: orb.Point{x0 - b, y0 - b}, Max: orb.Point{x0 + Extent/scale + b, y0 + Extent/scale + b}}
	box := orb.Bound{Min: orb.Point{-TileBuffer, -TileBuffer}, Max: orb.Point{Extent + TileBuffer, Extent + TileBuffer}}
	dp := simplify.DouglasPeucker(simplifyTolerance)

	shapes := make(map[int]orb.MultiPolygon)
	var order []int // countries in atlas order, for a stable tile
	var rings []orb.Ring
	for _, wp := range w.polys {
		if !intersects(wp.bound, vis, 0) {
			continue
		}
		var poly orb.Polygon
		rings = w.rings(wp, rings[:0])
		for i, r := range rings {
			tr := make(orb.Ring, len(r))
			for j, p := range r {
				tr[j] = orb.Point{(p[0] - x0) * scale, (p[1] - y0) * scale}
			}
			tr = tileRing(clip.Ring(box, tr), dp, i == 0)
			if tr == nil {
				if i == 0 {
					break
				}
				continue
			}
			poly = append(poly, tr)
		}
		if len(poly) == 0 {
			continue
		}
		if _, ok := shapes[wp.country]; !ok {
			order = append(order, wp.country)
		}
		shapes[wp.country] = append(shapes[wp.country], poly)
	}

	for _, ci := range order {
		c := l.countries[ci]
		var g orb.Geometry = shapes[ci]
		if len(shapes[ci]) == 1 {
			g = shapes[ci][0]
		}
		f := geojson.NewFeature(g)
		f.Properties["iso2"] = c.ISO2
		f.Properties["name"] = c.Name
		if cc, ok := country.Lookup(c.ISO2); ok {
			if id, err := strconv.Atoi(cc.Numeric); err == nil {
				f.ID = id
			}
		}
		out.Features = append(out.Features, f)
	}
	return out
}

// tileRing finishes a ring clipped in tile coordinates: simplified, snapped
// to integers, without repeated points, and wound for MVT (exteriors with
// positive area, y down). It returns nil for rings left without area.
func tileRing(r orb.Ring, dp *simplify.DouglasPeuckerSimplifier, exterior bool) orb.Ring {
	if len(r) < 4 {
		return nil
	}
	r = dp.Ring(r)
	out := r[:0]
	for _, p := range r {
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		out = append(out, p)
	}
	if len(out) < 4 {
		return nil
	}
	switch o := out.Orientation(); {
	case o == 0:
		return nil
	case (o == orb.CCW) != exterior:
		out.Reverse()
	}
	return out
}

// MVT returns the vector tile t, encoded but not compressed. Errors wrap
// ErrInvalidTile.
func (a *Atlas) MVT(t maptile.Tile) ([]byte, error) {
	if !validTile(t) {
		return nil, fmt.Errorf("%w: %d/%d/%d", ErrInvalidTile, t.Z, t.X, t.Y)
	}
	if _, err := a.Labels(int(t.Z)); err != nil {
		return nil, err
	}
	data, err := mvt.Marshal(a.Layers(t))
	if err != nil {
		return nil, fmt.Errorf("basemap: encode vector tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
	}
	return data, nil
}
