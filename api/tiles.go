package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
	"dcatlas/tileset"
)

// basemapCacheControl is the caching policy of base-map tiles: they never change for a given build.
const basemapCacheControl = "public, max-age=86400"

// tileParams are the query parameters of site tiles and their TileJSON: the filters of the items
// endpoint that make sense for a tile.
func tileParams() []string {
	return []string{paramAt, paramStatus, paramProvider, paramKind, paramCountry, paramQ}
}

// registerTileRoutes registers the tile and TileJSON endpoints.
func (s *Server) registerTileRoutes() {
	s.get("/tiles/:layer", s.handleTileJSON)
	s.get("/tiles/:layer/:z/:x/:yfmt", s.handleTile)
}

// tileRequest is a parsed, checked tile path.
type tileRequest struct {
	layer  string // tileset.SitesName, tileset.BasemapName or tileset.BasemapDarkName
	tile   maptile.Tile
	format tileset.Format
	scale  int // 2 for {y}@2x.png
}

// path is the request's canonical path, used in cache keys.
func (r tileRequest) path() string {
	ext := "." + string(r.format)
	if r.scale == 2 {
		ext = "@2x" + ext
	}
	return fmt.Sprintf("/tiles/%s/%d/%d/%d%s", r.layer, r.tile.Z, r.tile.X, r.tile.Y, ext)
}

// basemapSet is the base-map tile set a request asks for: one raster renderer, the palette a
// parameter.
func (s *Server) basemapSet(r tileRequest) *tileset.Set {
	if r.format == tileset.MVT {
		return tileset.BasemapVector(s.opts.Atlas)
	}
	return tileset.Basemap(s.opts.Atlas, r.scale, basemapPalette(r.layer))
}

// basemapPalette is the palette of a raster base-map layer.
func basemapPalette(layer string) basemap.Palette {
	p, _ := tileset.BasemapPalette(layer)
	return p
}

// isBasemap reports whether a tile layer is one of the raster base map's.
func isBasemap(layer string) bool {
	_, ok := tileset.BasemapPalette(layer)
	return ok
}

// notFoundParam is a 404 problem naming the path parameter that names nothing.
func notFoundParam(param, accepted, format string, args ...any) *Problem {
	p := badParam(param, accepted, format, args...)
	p.Title, p.Status = http.StatusText(http.StatusNotFound), http.StatusNotFound
	return p
}

// checkLayer checks that a tile layer exists on this server.
func (s *Server) checkLayer(name string) error {
	accepted := "sites, basemap or basemap-dark"
	if s.opts.Atlas == nil {
		accepted = "sites (this server has no base map)"
	}
	switch {
	case name == tileset.SitesName:
	case isBasemap(name) && s.opts.Atlas != nil:
	case isBasemap(name):
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
	r := tileRequest{layer: layer, scale: 1}
	if err := s.checkLayer(layer); err != nil {
		return r, err
	}
	maxZoom := uint32(tileset.SitesMaxZoom)
	if isBasemap(layer) {
		maxZoom = tileset.BasemapMaxZoom
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
	switch layer {
	case tileset.BasemapName:
		acceptedFormat = "{y}.png, {y}@2x.png (512 pixels) or {y}.mvt"
	case tileset.BasemapDarkName:
		acceptedFormat = "{y}.png or {y}@2x.png (512 pixels); the vector base map is /tiles/basemap/{z}/{x}/{y}.mvt"
	}
	switch {
	case !hasScale && ext == "mvt" && layer != tileset.BasemapDarkName:
		r.format = tileset.MVT
	case isBasemap(layer) && !hasScale && ext == "png":
		r.format = tileset.PNG
	case isBasemap(layer) && hasScale && scale == "2x" && ext == "png":
		r.format, r.scale = tileset.PNG, 2
	default:
		return r, notFoundParam(paramFormat, acceptedFormat, "the %s layer has no tiles named %q", layer, yfmt)
	}
	return r, nil
}

// handleTile serves GET /tiles/sites/{z}/{x}/{y}.mvt (sites at a date, with the items filters),
// GET /tiles/basemap/{z}/{x}/{y}.png, {y}@2x.png and {y}.mvt (the built-in base map) and
// GET /tiles/basemap-dark/{z}/{x}/{y}.png and {y}@2x.png (the same in the dark palette).
func (s *Server) handleTile(c echo.Context) error {
	r, err := s.parseTilePath(c.Param("layer"), c.Param("z"), c.Param("x"), c.Param("yfmt"))
	if err != nil {
		return err
	}
	if r.layer == tileset.SitesName {
		return s.sendSiteTile(c, r)
	}
	if err := checkParams(c.QueryParams()); err != nil {
		return err
	}
	set := s.basemapSet(r)
	cost := vectorTileWork
	if set.Format == tileset.PNG {
		cost = basemapTileWork(basemap.TileSize * r.scale)
	}
	if done, err := s.headUncached(c, keyOf(r.path()), set.MediaType(), basemapCacheControl); done {
		return err
	}
	return s.sendWork(c, keyOf(r.path()), cost, func(ctx context.Context) (*response, error) {
		b, err := set.Render(ctx, r.tile)
		if err != nil {
			return nil, err
		}
		resp := newUncompressedResponse(set.MediaType(), b)
		if set.Format == tileset.MVT {
			resp = newResponse(set.MediaType(), b)
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
	key := keyOf(r.path()).withQuery(sq)
	set := tileset.Sites(s.ds, sq.at, sq.filter)
	if done, err := s.headUncached(c, key, set.MediaType(), sq.cacheControl()); done {
		return err
	}
	return s.sendWork(c, key, vectorTileWork, func(ctx context.Context) (*response, error) {
		b, err := set.Render(ctx, r.tile)
		if err != nil {
			return nil, err
		}
		resp := newResponse(set.MediaType(), b)
		resp.cacheControl = sq.cacheControl()
		return resp, nil
	})
}

// handleTileJSON serves GET /tiles/{name}.json: TileJSON 3.0.0 for the sites vector tiles, the
// raster base map (basemap, basemap-dark), or the base map's vector tiles (basemap-vector).
func (s *Server) handleTileJSON(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("layer"), ".json")
	accepted := "sites.json, basemap.json, basemap-dark.json or basemap-vector.json"
	if !ok {
		return notFoundParam(paramLayer, accepted, "no tile document %q; TileJSON is at /tiles/{layer}.json", c.Param("layer"))
	}
	var set *tileset.Set
	switch name {
	case tileset.SitesName:
	case tileset.BasemapName, tileset.BasemapDarkName, tileset.BasemapVectorName:
		if s.opts.Atlas == nil {
			return notFoundParam(paramLayer, "sites.json (this server has no base map)", "this server has no base map")
		}
		set = tileset.BasemapVector(s.opts.Atlas)
		if isBasemap(name) {
			set = tileset.Basemap(s.opts.Atlas, 1, basemapPalette(name))
		}
	default:
		return notFoundParam(paramLayer, accepted, "no tile layer %q", name)
	}
	base := s.baseURL(c)
	if set != nil {
		if err := checkParams(c.QueryParams()); err != nil {
			return err
		}
		return s.sendJSON(c, keyOf(c.Path()).with("name", name).with("base", base), mediaJSON, func() (any, error) { return set.TileJSON(base, ""), nil })
	}
	sq, err := s.parseSiteQuery(c.QueryParams(), tileParams()...)
	if err != nil {
		return err
	}
	query := c.QueryParams().Encode()
	key := keyOf("/tiles/sites.json").with("base", base).with("query", query).withQuery(sq)
	return s.send(c, key, func() (*response, error) {
		b, err := encodeJSON(tileset.Sites(s.ds, sq.at, sq.filter).TileJSON(base, query))
		if err != nil {
			return nil, err
		}
		r := newResponse(mediaJSON, b)
		r.cacheControl = sq.cacheControl()
		return r, nil
	})
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
		{"/tiles/sites/{z}/{x}/{y}.mvt", s.operation(fmt.Sprintf("Sites at a date as a Mapbox Vector Tile (2.1, layer sites, extent %d, not compressed: ask for gzip with Accept-Encoding), zoom 0 to %d. Points within %d/%d of an edge are in the neighbouring tile too. Dates come as EDTF strings and as integer YYYYMMDD earliest/latest days (opened_from, opened_to, ...) for filtering by time; see vector_layers in /tiles/sites.json.", geo.TileExtent, tileset.SitesMaxZoom, geo.TileBuffer, geo.TileExtent), tileParams(), zxy(tileset.SitesMaxZoom), okResponse("A vector tile", mediaMVT))},
	}
	paths = append(paths, s.staticPaths()...)
	if s.opts.Atlas == nil {
		return paths
	}
	return append(paths,
		member{"/tiles/basemap.json", s.operation("TileJSON 3.0.0 of the raster base map (Natural Earth)", nil, nil, okResponse("TileJSON", mediaJSON))},
		member{"/tiles/basemap-dark.json", s.operation("TileJSON 3.0.0 of the raster base map in the dark palette", nil, nil, okResponse("TileJSON", mediaJSON))},
		member{"/tiles/basemap-vector.json", s.operation("TileJSON 3.0.0 of the base map's vector tiles (layer countries)", nil, nil, okResponse("TileJSON", mediaJSON))},
		member{"/tiles/basemap/{z}/{x}/{y}.png", s.operation(fmt.Sprintf("Base map tile (Natural Earth countries), 256×256 PNG, zoom 0 to %d", tileset.BasemapMaxZoom), nil, zxy(tileset.BasemapMaxZoom), okResponse("A PNG image", mediaPNG))},
		member{"/tiles/basemap/{z}/{x}/{y}@2x.png", s.operation(fmt.Sprintf("Base map tile for high-density screens, 512×512 PNG, zoom 0 to %d", tileset.BasemapMaxZoom), nil, zxy(tileset.BasemapMaxZoom), okResponse("A PNG image", mediaPNG))},
		member{"/tiles/basemap-dark/{z}/{x}/{y}.png", s.operation(fmt.Sprintf("Base map tile in the dark palette, for dark themes, 256×256 PNG, zoom 0 to %d", tileset.BasemapMaxZoom), nil, zxy(tileset.BasemapMaxZoom), okResponse("A PNG image", mediaPNG))},
		member{"/tiles/basemap-dark/{z}/{x}/{y}@2x.png", s.operation(fmt.Sprintf("Base map tile in the dark palette for high-density screens, 512×512 PNG, zoom 0 to %d", tileset.BasemapMaxZoom), nil, zxy(tileset.BasemapMaxZoom), okResponse("A PNG image", mediaPNG))},
		member{"/tiles/basemap/{z}/{x}/{y}.mvt", s.operation(fmt.Sprintf("Base map as a Mapbox Vector Tile (layer countries: polygons with iso2 and name), zoom 0 to %d", tileset.BasemapMaxZoom), nil, zxy(tileset.BasemapMaxZoom), okResponse("A vector tile", mediaMVT))},
	)
}
