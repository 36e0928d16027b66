package api

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
)

// Media types of tiles.
const (
	mediaMVT = "application/vnd.mapbox-vector-tile"
	mediaPNG = "image/png"
)

// Tile layers, as named in tile paths.
const (
	layerSites   = "sites"   // site vector tiles
	layerBasemap = "basemap" // base map: raster PNG, or vector tiles of countries
	// basemapVector names the TileJSON of the base map's vector tiles, which are in the basemap layer.
	basemapVector = "basemap-vector"
)

// Tile formats, as named in the problems that reject them.
const (
	formatMVT   = "mvt"
	formatPNG   = "png"
	formatPNG2x = "@2x.png"
)

// Zoom ranges of the tile layers. Sites are points: deep tiles stay cheap and exact. The base map is
// drawn from Natural Earth 1:10m, which has nothing more to show beyond zoom 10; clients overzoom.
const (
	SitesMaxZoom   = 18
	BasemapMaxZoom = 10
)

// Path parameters of tile requests, as problems name them.
const (
	paramLayer  = "layer"
	paramZ      = "z"
	paramX      = "x"
	paramY      = "y"
	paramFormat = "format"
)

// basemapCacheControl is the caching policy of base-map tiles: they never change for a given build.
const basemapCacheControl = "public, max-age=86400"

// tileParams are the query parameters of site tiles and their TileJSON: the filters of the items
// endpoint that make sense for a tile.
func tileParams() []string {
	return []string{paramAt, paramStatus, paramProvider, paramCountry, paramQ}
}

// registerTileRoutes registers the tile and TileJSON endpoints.
func (s *Server) registerTileRoutes() {
	s.get("/tiles/:layer", s.handleTileJSON)
	s.get("/tiles/:layer/:z/:x/:yfmt", s.handleTile)
}

// tileRequest is a parsed, checked tile path.
type tileRequest struct {
	layer  string
	tile   maptile.Tile
	format string // formatMVT, formatPNG or formatPNG2x
}

// path is the request's canonical path, used in cache keys.
func (r tileRequest) path() string {
	ext := "." + r.format
	if r.format == formatPNG2x {
		ext = r.format
	}
	return fmt.Sprintf("/tiles/%s/%d/%d/%d%s", r.layer, r.tile.Z, r.tile.X, r.tile.Y, ext)
}

// notFoundParam is a 404 problem naming the path parameter that names nothing.
func notFoundParam(param, accepted, format string, args ...any) *Problem {
	p := badParam(param, accepted, format, args...)
	p.Title, p.Status = http.StatusText(http.StatusNotFound), http.StatusNotFound
	return p
}

// checkLayer checks that a tile layer exists on this server.
func (s *Server) checkLayer(name string) error {
	accepted := "sites, or basemap"
	if s.opts.Atlas == nil {
		accepted = "sites (this server has no base map)"
	}
	switch {
	case name == layerSites:
	case name == layerBasemap && s.opts.Atlas != nil:
	case name == layerBasemap:
		return notFoundParam(paramLayer, accepted, "this server has no base map")
	default:
		return notFoundParam(paramLayer, accepted, "no tile layer %q", name)
	}
	return nil
}

// parseTileNumber parses a z, x or y path part: decimal digits only.
func parseTileNumber(name, v, accepted string) (uint32, error) {
	if v == "" || len(v) > 10 || strings.Trim(v, "0123456789") != "" {
		return 0, badParam(name, accepted, "%s %q is not a whole number", name, v)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, badParam(name, accepted, "%s %q is out of range", name, v)
	}
	return uint32(n), nil
}

// parseTilePath checks a tile path: the layer, then z, x, y and the format, before any work.
func (s *Server) parseTilePath(layer, zs, xs, yfmt string) (tileRequest, error) {
	r := tileRequest{layer: layer}
	if err := s.checkLayer(layer); err != nil {
		return r, err
	}
	maxZoom := uint32(SitesMaxZoom)
	if layer == layerBasemap {
		maxZoom = BasemapMaxZoom
	}
	acceptedZ := fmt.Sprintf("a whole number from 0 to %d", maxZoom)
	z, err := parseTileNumber(paramZ, zs, acceptedZ)
	if err != nil {
		return r, err
	}
	if z > maxZoom {
		return r, badParam(paramZ, acceptedZ, "zoom %d is beyond the %s layer's maximum, %d", z, layer, maxZoom)
	}
	acceptedXY := fmt.Sprintf("a whole number from 0 to %d (2^z − 1) at zoom %d", uint64(1)<<z-1, z)
	x, err := parseTileNumber(paramX, xs, acceptedXY)
	if err != nil {
		return r, err
	}
	ys, ext, _ := strings.Cut(yfmt, ".")
	ys, scale, hasScale := strings.Cut(ys, "@")
	y, err := parseTileNumber(paramY, ys, acceptedXY)
	if err != nil {
		return r, err
	}
	for _, c := range [...]struct {
		name string
		v    uint32
	}{{paramX, x}, {paramY, y}} {
		if uint64(c.v) >= uint64(1)<<z {
			return r, badParam(c.name, acceptedXY, "%s %d is outside the tile grid of zoom %d", c.name, c.v, z)
		}
	}
	r.tile = maptile.New(x, y, maptile.Zoom(z))
	acceptedFormat := "{y}.mvt"
	if layer == layerBasemap {
		acceptedFormat = "{y}.png, {y}@2x.png (512 pixels) or {y}.mvt"
	}
	switch {
	case !hasScale && ext == "mvt":
		r.format = formatMVT
	case layer == layerBasemap && !hasScale && ext == "png":
		r.format = formatPNG
	case layer == layerBasemap && hasScale && scale == "2x" && ext == "png":
		r.format = formatPNG2x
	default:
		return r, notFoundParam(paramFormat, acceptedFormat, "the %s layer has no tiles named %q", layer, yfmt)
	}
	return r, nil
}

// handleTile serves GET /tiles/sites/{z}/{x}/{y}.mvt (sites at a date, with the items filters) and
// GET /tiles/basemap/{z}/{x}/{y}.png, {y}@2x.png and {y}.mvt (the built-in base map).
func (s *Server) handleTile(c echo.Context) error {
	r, err := s.parseTilePath(c.Param("layer"), c.Param("z"), c.Param("x"), c.Param("yfmt"))
	if err != nil {
		return err
	}
	if r.layer == layerSites {
		return s.sendSiteTile(c, r)
	}
	if err := checkParams(c.QueryParams()); err != nil {
		return err
	}
	mediaType := mediaPNG
	if r.format == formatMVT {
		mediaType = mediaMVT
	}
	if done, err := s.headUncached(c, r.path(), mediaType, basemapCacheControl); done {
		return err
	}
	return s.send(c, r.path(), func() (*response, error) {
		var resp *response
		switch r.format {
		case formatMVT:
			b, err := s.opts.Atlas.MVT(r.tile)
			if err != nil {
				return nil, err
			}
			resp = newResponse(mediaMVT, b)
		default:
			scale := 1
			if r.format == formatPNG2x {
				scale = 2
			}
			b, err := s.opts.Atlas.RenderPNG(r.tile, scale)
			if err != nil {
				return nil, err
			}
			resp = newUncompressedResponse(mediaPNG, b)
		}
		resp.cacheControl = basemapCacheControl
		return resp, nil
	})
}

// sendSiteTile answers with the site vector tile of r, filtered by the request's query.
func (s *Server) sendSiteTile(c echo.Context, r tileRequest) error {
	sq, err := s.parseSiteQuery(c.QueryParams(), tileParams()...)
	if err != nil {
		return err
	}
	key := r.path() + "?" + sq.key() // the key holds whether at was given: it sets Cache-Control
	if done, err := s.headUncached(c, key, mediaMVT, sq.cacheControl()); done {
		return err
	}
	return s.send(c, key, func() (*response, error) {
		b, err := mvt.Marshal(mvt.Layers{s.ds.SiteLayer(r.tile, sq.at, sq.filter)})
		if err != nil {
			return nil, err
		}
		resp := newResponse(mediaMVT, b)
		resp.cacheControl = sq.cacheControl()
		return resp, nil
	})
}

// handleTileJSON serves GET /tiles/{name}.json: TileJSON 3.0.0 for the sites vector tiles, the
// raster base map, or the base map's vector tiles (basemap-vector).
func (s *Server) handleTileJSON(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("layer"), ".json")
	accepted := "sites.json, basemap.json or basemap-vector.json"
	if !ok {
		return notFoundParam(paramLayer, accepted, "no tile document %q; TileJSON is at /tiles/{layer}.json", c.Param("layer"))
	}
	switch name {
	case layerSites:
	case layerBasemap, basemapVector:
		if s.opts.Atlas == nil {
			return notFoundParam(paramLayer, "sites.json (this server has no base map)", "this server has no base map")
		}
	default:
		return notFoundParam(paramLayer, accepted, "no tile layer %q", name)
	}
	base := s.baseURL(c)
	if name != layerSites {
		if err := checkParams(c.QueryParams()); err != nil {
			return err
		}
		return s.sendJSON(c, name+"?"+base, mediaJSON, func() (any, error) { return s.basemapTileJSON(base, name), nil })
	}
	sq, err := s.parseSiteQuery(c.QueryParams(), tileParams()...)
	if err != nil {
		return err
	}
	query := c.QueryParams().Encode()
	key := "/tiles/sites.json?" + base + "&" + query + "&" + sq.key()
	return s.send(c, key, func() (*response, error) {
		b, err := encodeJSON(s.sitesTileJSON(base, query))
		if err != nil {
			return nil, err
		}
		r := newResponse(mediaJSON, b)
		r.cacheControl = sq.cacheControl()
		return r, nil
	})
}

// webMercatorBounds are the bounds of the whole tile grid, in WGS 84.
func webMercatorBounds() [4]float64 { return [4]float64{-180, -85.051129, 180, 85.051129} }

// sitesTileJSON is the TileJSON of the site tiles; query, already validated, is carried into the
// tile URLs.
func (s *Server) sitesTileJSON(base, query string) object {
	tiles := base + "/tiles/sites/{z}/{x}/{y}.mvt"
	if query != "" {
		tiles += "?" + query
	}
	fields := object{}
	for _, f := range geo.SiteFields() {
		fields = append(fields, member{f.Name, f.Type + ": " + f.Description})
	}
	return object{
		{"tilejson", "3.0.0"},
		{"name", "dcatlas sites"},
		{"description", fmt.Sprintf("Data-center sites with their status at a date (at=, default today), as points in the layer \"sites\". Points within %d/%d of a tile's edge are in the neighbouring tile too.", geo.TileBuffer, geo.TileExtent)},
		{"attribution", s.sitesAttribution(base)},
		{"scheme", "xyz"},
		{"tiles", []string{tiles}},
		{"minzoom", 0},
		{"maxzoom", SitesMaxZoom},
		{"bounds", webMercatorBounds()},
		{"vector_layers", []object{{
			{"id", geo.SiteLayerName},
			{"description", "One point per site that exists at the date and passes the filters"},
			{"minzoom", 0},
			{"maxzoom", SitesMaxZoom},
			{"fields", fields},
		}}},
	}
}

// sitesAttribution credits the dataset: its providers and the sources behind each event.
func (s *Server) sitesAttribution(base string) string {
	names := make([]string, len(s.ds.Providers))
	for i, p := range s.ds.Providers {
		names[i] = html.EscapeString(p.Name)
	}
	return fmt.Sprintf(`Sites of %s: <a href="%s/collections/sites">dcatlas</a>, each event with its sources`, strings.Join(names, ", "), html.EscapeString(base))
}

// NaturalEarthAttribution credits the base map, as HTML.
const NaturalEarthAttribution = `<a href="https://www.naturalearthdata.com/">Natural Earth</a>`

// basemapTileJSON is the TileJSON of the raster base map (name basemap) or its vector tiles
// (basemap-vector).
func (s *Server) basemapTileJSON(base, name string) object {
	doc := object{{"tilejson", "3.0.0"}}
	if name == layerBasemap {
		doc = append(doc,
			member{"name", "dcatlas base map"},
			member{"description", "Countries, coasts and borders from Natural Earth, as 256-pixel PNG tiles; {y}@2x.png gives 512-pixel tiles for high-density screens."},
			member{"tiles", []string{base + "/tiles/basemap/{z}/{x}/{y}.png"}},
		)
	} else {
		doc = append(doc,
			member{"name", "dcatlas base map (vector)"},
			member{"description", "Countries from Natural Earth as polygons in the layer \"countries\", simplified per zoom."},
			member{"tiles", []string{base + "/tiles/basemap/{z}/{x}/{y}.mvt"}},
		)
	}
	doc = append(doc,
		member{"attribution", NaturalEarthAttribution},
		member{"scheme", "xyz"},
		member{"minzoom", 0},
		member{"maxzoom", BasemapMaxZoom},
		member{"bounds", webMercatorBounds()},
	)
	if name != layerBasemap {
		doc = append(doc, member{"vector_layers", []object{{
			{"id", basemap.LayerName},
			{"description", "One polygon or multipolygon per country; the feature id is the ISO 3166-1 numeric code when it has one"},
			{"minzoom", 0},
			{"maxzoom", BasemapMaxZoom},
			{"fields", object{
				{"iso2", "String: ISO 3166-1 alpha-2 code, empty for areas without one"},
				{"name", "String: Natural Earth short name"},
			}},
		}}})
	}
	return doc
}

// extraPaths documents the tile endpoints in the OpenAPI document.
func (s *Server) extraPaths() object {
	intParam := func(name, description string, maxZoom int) object {
		schema := object{{"type", "integer"}, {"minimum", 0}}
		if name == paramZ {
			schema = append(schema, member{"maximum", maxZoom})
		}
		return object{{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", schema}}
	}
	zxy := func(maxZoom int) []object {
		return []object{
			intParam(paramZ, fmt.Sprintf("Zoom level, 0 to %d.", maxZoom), maxZoom),
			intParam(paramX, "Column, 0 to 2^z − 1, west to east.", maxZoom),
			intParam(paramY, "Row, 0 to 2^z − 1, north to south.", maxZoom),
		}
	}
	paths := object{
		{"/tiles/sites.json", s.operation("TileJSON 3.0.0 of the site vector tiles; the filters given are carried into the tile URL template", tileParams(), nil, okResponse("TileJSON", mediaJSON))},
		{"/tiles/sites/{z}/{x}/{y}.mvt", s.operation(fmt.Sprintf("Sites at a date as a Mapbox Vector Tile (2.1, layer sites, extent %d, not compressed: ask for gzip with Accept-Encoding), zoom 0 to %d. Points within %d/%d of an edge are in the neighbouring tile too. Dates come as EDTF strings and as integer YYYYMMDD earliest/latest days (opened_from, opened_to, ...) for filtering by time; see vector_layers in /tiles/sites.json.", geo.TileExtent, SitesMaxZoom, geo.TileBuffer, geo.TileExtent), tileParams(), zxy(SitesMaxZoom), okResponse("A vector tile", mediaMVT))},
	}
	paths = append(paths, s.staticPaths()...)
	if s.opts.Atlas == nil {
		return paths
	}
	return append(paths,
		member{"/tiles/basemap.json", s.operation("TileJSON 3.0.0 of the raster base map (Natural Earth)", nil, nil, okResponse("TileJSON", mediaJSON))},
		member{"/tiles/basemap-vector.json", s.operation("TileJSON 3.0.0 of the base map's vector tiles (layer countries)", nil, nil, okResponse("TileJSON", mediaJSON))},
		member{"/tiles/basemap/{z}/{x}/{y}.png", s.operation(fmt.Sprintf("Base map tile (Natural Earth countries), 256×256 PNG, zoom 0 to %d", BasemapMaxZoom), nil, zxy(BasemapMaxZoom), okResponse("A PNG image", mediaPNG))},
		member{"/tiles/basemap/{z}/{x}/{y}@2x.png", s.operation(fmt.Sprintf("Base map tile for high-density screens, 512×512 PNG, zoom 0 to %d", BasemapMaxZoom), nil, zxy(BasemapMaxZoom), okResponse("A PNG image", mediaPNG))},
		member{"/tiles/basemap/{z}/{x}/{y}.mvt", s.operation(fmt.Sprintf("Base map as a Mapbox Vector Tile (layer countries: polygons with iso2 and name), zoom 0 to %d", BasemapMaxZoom), nil, zxy(BasemapMaxZoom), okResponse("A vector tile", mediaMVT))},
	)
}
