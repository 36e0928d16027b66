// Package tileset holds the tile sets dcatlas serves and exports: the sites as vector tiles, and
// the built-in base map as PNG (256 or 512 pixels) and as vector tiles. A Set knows its name,
// format, zoom range and bounds, describes itself as TileJSON and as export metadata, lists its
// tiles and draws any of them. The server (package api) and the exports (package export) both
// use it, so a layer is defined once.
package tileset

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"iter"
	"math"
	"strings"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Names of the tile sets, as in /tiles/{name}.json and the export's --layer.
const (
	SitesName         = "sites"
	BasemapName       = "basemap"
	BasemapDarkName   = "basemap-dark"
	BasemapVectorName = "basemap-vector"
)

// Zoom ranges of the tile sets. Sites are points: deep tiles stay cheap and exact. The base map is
// drawn from Natural Earth 1:10m, which has nothing more to show beyond zoom 10; clients overzoom.
const (
	SitesMaxZoom   = 18
	BasemapMaxZoom = 10
)

// Format is how a tile is encoded.
type Format string

// The tile formats.
const (
	MVT Format = "mvt" // Mapbox Vector Tile 2.1, not compressed
	PNG Format = "png"
)

// Media types of the formats.
const (
	MediaMVT = "application/vnd.mapbox-vector-tile"
	MediaPNG = "image/png"
)

// NaturalEarthAttribution credits the base map, as HTML.
const NaturalEarthAttribution = `<a href="https://www.naturalearthdata.com/">Natural Earth</a>`

// VectorLayer describes a layer of a vector tile set.
type VectorLayer struct {
	ID          string
	Description string
	Geometry    string // Point or Polygon, as tippecanoe's tilestats name it
	Fields      []geo.TileField
}

// Set is one tile set: one layer in one format, with how to draw each tile.
type Set struct {
	// Name is the set's name (SitesName, BasemapName, BasemapDarkName, BasemapVectorName);
	// PathLayer is the layer in tile paths, /tiles/{layer}/{z}/{x}/{y}{ext}, where the light raster
	// and the vector base map are both "basemap".
	Name, PathLayer string
	Format          Format
	Scale           int // pixels per 256 of a PNG tile: 1, or 2 for @2x
	MaxZoom         int
	Title           string
	Description     string
	Vectors         []VectorLayer // the layers of a vector set, in tile order; nil for raster sets

	providers []string // for the sites' attribution
	exportAs  string   // the title of an export
	render    func(context.Context, maptile.Tile) ([]byte, error)
	zoomTiles func(maptile.Zoom) []maptile.Tile // nil: every tile of the zoom
}

// Sites is the set of site vector tiles of ds at day at, filtered by f.
func Sites(ds *geo.Dataset, at geo.Day, f geo.Filter) *Set {
	names := make([]string, len(ds.Providers))
	for i, p := range ds.Providers {
		names[i] = p.Name
	}
	return &Set{
		Name: SitesName, PathLayer: SitesName, Format: MVT, Scale: 1, MaxZoom: SitesMaxZoom,
		Title:       "dcatlas sites",
		Description: fmt.Sprintf("Data-center sites with their status at a date (at=, default today), as points in the layer \"sites\". Points within %d/%d of a tile's edge are in the neighbouring tile too.", geo.TileBuffer, geo.TileExtent),
		Vectors: []VectorLayer{{ID: geo.SiteLayerName, Geometry: "Point", Fields: geo.SiteFields(),
			Description: "One point per site that exists at the date and passes the filters"}},
		providers: names,
		exportAs:  "dcatlas sites at " + at.String(),
		render: func(_ context.Context, t maptile.Tile) ([]byte, error) {
			return mvt.Marshal(mvt.Layers{ds.SiteLayer(t, at, f)})
		},
		zoomTiles: func(z maptile.Zoom) []maptile.Tile { return ds.SiteTiles(z, at, f) },
	}
}

// Basemap is the raster base map drawn from atlas in palette p, in tiles of 256·scale pixels
// (scale 1 or 2): BasemapName for basemap.Light, BasemapDarkName for basemap.Dark.
func Basemap(atlas *basemap.Atlas, scale int, p basemap.Palette) *Set {
	name, title := BasemapName, "dcatlas base map"
	if p == basemap.Dark {
		name, title = BasemapDarkName, "dcatlas base map (dark)"
	}
	return &Set{
		Name: name, PathLayer: name, Format: PNG, Scale: scale, MaxZoom: BasemapMaxZoom,
		Title: title,
		Description: fmt.Sprintf("Countries, coasts, borders and country names from Natural Earth in the %s palette, as 256-pixel PNG tiles; {y}@2x.png gives 512-pixel tiles for high-density screens. "+
			"Names are placed once per zoom for the whole world, from the zoom where they fit their country, so a name cut by a tile edge lines up across it.", p),
		exportAs: title,
		render: func(ctx context.Context, t maptile.Tile) ([]byte, error) {
			return atlas.RenderPNG(ctx, t, scale, p)
		},
	}
}

// BasemapPalette returns the palette of the raster base-map set named name (BasemapName or
// BasemapDarkName), and whether name is one.
func BasemapPalette(name string) (basemap.Palette, bool) {
	switch name {
	case BasemapName:
		return basemap.Light, true
	case BasemapDarkName:
		return basemap.Dark, true
	}
	return basemap.Light, false
}

// BasemapVector is the base map drawn from atlas as vector tiles of countries.
func BasemapVector(atlas *basemap.Atlas) *Set {
	return &Set{
		Name: BasemapVectorName, PathLayer: BasemapName, Format: MVT, Scale: 1, MaxZoom: BasemapMaxZoom,
		Title:       "dcatlas base map (vector)",
		Description: "Countries from Natural Earth as polygons in the layer \"countries\", simplified per zoom, and their names as points in the layer \"country_labels\".",
		Vectors: []VectorLayer{
			{ID: basemap.LayerName, Geometry: "Polygon",
				Description: "One polygon or multipolygon per country; the feature id is the ISO 3166-1 numeric code when it has one",
				Fields: []geo.TileField{
					{Name: "iso2", Type: "String", Description: "ISO 3166-1 alpha-2 code, empty for areas without one"},
					{Name: "name", Type: "String", Description: "Natural Earth short name"},
				}},
			{ID: basemap.LabelLayerName, Geometry: "Point",
				Description: "Where to write country names: one point per name that fits its country at the tile's zoom and clears the names of larger countries (as the raster tiles draw them, in Go Regular at 11 px), at the point inside the country's largest polygon farthest from its edges; each point is in one tile only",
				Fields: []geo.TileField{
					{Name: "name", Type: "String", Description: "Natural Earth short name"},
					{Name: "iso2", Type: "String", Description: "ISO 3166-1 alpha-2 code, empty for areas without one"},
					{Name: "rank", Type: "Number", Description: "1 for the country largest on the map, then by area: a symbol-sort-key (smaller first)"},
					{Name: "min_zoom", Type: "Number", Description: "the first zoom at which the name fits its country"},
				}},
		},
		exportAs: "dcatlas base map (vector)",
		render:   func(_ context.Context, t maptile.Tile) ([]byte, error) { return atlas.MVT(t) },
	}
}

// Ext ends the name of a tile file: .mvt, .png or @2x.png.
func (s *Set) Ext() string {
	if s.Scale == 2 {
		return "@2x." + string(s.Format)
	}
	return "." + string(s.Format)
}

// MediaType is the Content-Type of the set's tiles.
func (s *Set) MediaType() string {
	if s.Format == PNG {
		return MediaPNG
	}
	return MediaMVT
}

// TilePath is the path of tile t below the set's root: {z}/{x}/{y}{ext}.
func (s *Set) TilePath(t maptile.Tile) string {
	return fmt.Sprintf("%d/%d/%d%s", t.Z, t.X, t.Y, s.Ext())
}

// Render draws tile t, stopping early with ctx's error when ctx ends.
func (s *Set) Render(ctx context.Context, t maptile.Tile) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.render(ctx, t)
}

// Tiles yields the tiles worth writing from zoom minZoom to maxZoom, zoom by zoom: every tile of
// the base map; for sites, the tiles that hold a site (a missing tile is empty to clients).
func (s *Set) Tiles(minZoom, maxZoom int) iter.Seq[maptile.Tile] {
	return func(yield func(maptile.Tile) bool) {
		for z := minZoom; z <= maxZoom; z++ {
			if s.zoomTiles != nil {
				for _, t := range s.zoomTiles(maptile.Zoom(z)) {
					if !yield(t) {
						return
					}
				}
				continue
			}
			n := uint32(1) << z
			for x := range n {
				for y := range n {
					if !yield(maptile.New(x, y, maptile.Zoom(z))) {
						return
					}
				}
			}
		}
	}
}

// Bounds are the set's bounds, the whole Web Mercator grid, as TileJSON writes them: west, south,
// east, north, to six decimals.
func Bounds() [4]float64 {
	b := geo.MercatorBound()
	round := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	return [4]float64{b.Min[0], round(b.Min[1]), b.Max[0], round(b.Max[1])}
}

// Attribution credits the set's data, as HTML; base is the server's URL, for a link to the sites.
func (s *Set) Attribution(base string) string {
	if s.Name != SitesName {
		return NaturalEarthAttribution
	}
	names := make([]string, len(s.providers))
	for i, n := range s.providers {
		names[i] = html.EscapeString(n)
	}
	return fmt.Sprintf(`Sites of %s: <a href="%s/collections/sites">dcatlas</a>, each event with its sources`, strings.Join(names, ", "), html.EscapeString(base))
}

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string          `json:"tilejson"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	Attribution  string          `json:"attribution"`
	Scheme       string          `json:"scheme"`
	Tiles        []string        `json:"tiles"`
	MinZoom      int             `json:"minzoom"`
	MaxZoom      int             `json:"maxzoom"`
	Bounds       [4]float64      `json:"bounds"`
	VectorLayers []tileJSONLayer `json:"vector_layers,omitempty"`
}

type tileJSONLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"` // name: bare type word (Number, String, Boolean)
}

// TileJSON describes the set as served from base; query, already checked, is carried into the
// tile URL.
func (s *Set) TileJSON(base, query string) TileJSON {
	tiles := base + "/tiles/" + s.PathLayer + "/{z}/{x}/{y}." + string(s.Format)
	if query != "" {
		tiles += "?" + query
	}
	doc := TileJSON{
		TileJSON: "3.0.0", Name: s.Title, Description: s.Description, Attribution: s.Attribution(base),
		Scheme: "xyz", Tiles: []string{tiles}, MaxZoom: s.MaxZoom, Bounds: Bounds(),
	}
	// A field's value is its bare type word, as in the export's metadata: GDAL types a field as a
	// number only when it reads exactly "Number". What each field means goes in the layer's
	// description.
	for _, v := range s.Vectors {
		fields := map[string]string{}
		meanings := make([]string, 0, len(v.Fields))
		for _, f := range v.Fields {
			fields[f.Name] = f.Type
			meanings = append(meanings, f.Name+": "+f.Description)
		}
		description := v.Description + ". Fields: " + strings.Join(meanings, "; ") + "."
		doc.VectorLayers = append(doc.VectorLayers, tileJSONLayer{ID: v.ID, Description: description, MaxZoom: s.MaxZoom, Fields: fields})
	}
	return doc
}

// Metadata is the metadata.json of an export of zooms minZoom to maxZoom, as GDAL's MVT driver and
// tippecanoe write it: MBTiles metadata with the layers, their fields and geometry types in "json".
// Raster sets have none (nil).
func (s *Set) Metadata(minZoom, maxZoom int) map[string]any {
	if s.Vectors == nil {
		return nil
	}
	var vectorLayers, statLayers []map[string]any
	for _, v := range s.Vectors {
		fieldTypes := map[string]string{}
		for _, f := range v.Fields {
			fieldTypes[f.Name] = f.Type
		}
		vectorLayers = append(vectorLayers, map[string]any{"id": v.ID, "minzoom": minZoom, "maxzoom": maxZoom, "fields": fieldTypes})
		statLayers = append(statLayers, map[string]any{"layer": v.ID, "geometry": v.Geometry})
	}
	attribution := NaturalEarthAttribution
	if s.Name == SitesName {
		attribution = "dcatlas"
	}
	layers, _ := json.Marshal(map[string]any{
		"vector_layers": vectorLayers,
		"tilestats":     map[string]any{"layerCount": len(statLayers), "layers": statLayers},
	})
	b := Bounds()
	return map[string]any{
		"name":        s.exportAs,
		"format":      "pbf",
		"type":        "overlay",
		"attribution": attribution,
		"minzoom":     minZoom,
		"maxzoom":     maxZoom,
		"bounds":      fmt.Sprintf("%.1f,%.6f,%.1f,%.6f", b[0], b[1], b[2], b[3]),
		"json":        string(layers),
	}
}
