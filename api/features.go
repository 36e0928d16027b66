package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dcatlas/geo"
)

func (s *Server) registerFeatureRoutes() {
	s.get("/", s.handleLanding)
	s.get("/conformance", s.handleConformance)
	s.get("/api", s.handleOpenAPI)
	s.get("/api.html", s.handleAPIDoc)
	s.get("/collections", s.handleCollections)
	s.get("/collections/:collection", s.handleCollection)
	s.get("/collections/:collection/queryables", s.handleQueryables)
	s.get("/collections/:collection/schema", s.handleSchema)
	s.get("/collections/:collection/items", s.handleItems)
	s.get("/collections/:collection/items/:id", s.handleItem)
}

// get registers a read-only route for GET and HEAD.
func (s *Server) get(path string, h echo.HandlerFunc) {
	s.echo.Match([]string{http.MethodGet, http.MethodHead}, path, h)
}

// sendJSON answers with v encoded as JSON, cached under key.
func (s *Server) sendJSON(c echo.Context, key cacheKey, contentType string, build func() (any, error)) error {
	return s.send(c, key, func() (*response, error) {
		v, err := build()
		if err != nil {
			return nil, err
		}
		return jsonResponse(contentType, v)
	})
}

// jsonResponse encodes v as a response of the JSON media type contentType.
func jsonResponse(contentType string, v any) (*response, error) {
	b, err := encodeJSON(v)
	if err != nil {
		return nil, err
	}
	return newResponse(contentType, b), nil
}

// onlyJSON accepts no parameter but f=json.
func onlyJSON(q url.Values) error {
	if err := checkParams(q, paramF); err != nil {
		return err
	}
	if f := q.Get(paramF); f != "" && f != "json" {
		return badParam(paramF, "json", "unknown format %q", f)
	}
	return nil
}

// handleLanding serves GET /: the OGC API landing page, or the viewer to a browser that asks for HTML.
func (s *Server) handleLanding(c echo.Context) error {
	if prefersHTML(c.Request().Header.Get("Accept")) && !c.QueryParams().Has(paramF) {
		return s.serveViewer(c)
	}
	if err := onlyJSON(c.QueryParams()); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderVary, "Accept") // the same URL serves the viewer to browsers
	base := s.baseURL(c)
	return s.sendJSON(c, keyOf(c.Path()).with("base", base), mediaJSON, func() (any, error) {
		return object{
			{"title", "dcatlas"},
			{"description", "Cloud data-center sites over time: where each region is, when it was announced, opened and closed, with sources."},
			{"links", []link{
				{Href: base + "/", Rel: relSelf, Type: mediaJSON, Title: "This document"},
				{Href: base + "/map", Rel: relAlternate, Type: "text/html", Title: "The map viewer"},
				{Href: base + "/api", Rel: relServiceDesc, Type: mediaOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
				{Href: base + "/api.html", Rel: relServiceDoc, Type: "text/html", Title: "The API documentation"},
				{Href: base + "/conformance", Rel: relConformance, Type: mediaJSON, Title: "Conformance classes"},
				{Href: base + "/collections", Rel: relData, Type: mediaJSON, Title: "Feature collections"},
				{Href: base + "/timeline", Rel: "related", Type: mediaJSON, Title: "Counts of sites per status over time"},
				{Href: base + "/providers", Rel: "related", Type: mediaJSON, Title: "The providers: names, colours, home pages and counts of sites"},
				{Href: base + "/changes", Rel: "related", Type: mediaGeoJSON, Title: "What opened, closed or was announced: one feature per event"},
				{Href: base + "/changes.atom", Rel: relAlternate, Type: mediaAtom, Title: "The changes as an Atom feed"},
				{Href: base + "/tiles/sites.json", Rel: "related", Type: mediaJSON, Title: "Site vector tiles (TileJSON)"},
				{Href: base + "/tiles/basemap.json", Rel: "related", Type: mediaJSON, Title: "Built-in base map raster tiles (TileJSON)"},
				{Href: base + "/tiles/basemap-vector.json", Rel: "related", Type: mediaJSON, Title: "Built-in base map vector tiles (TileJSON)"},
				{Href: base + "/metrics", Rel: "related", Type: "text/plain", Title: "Prometheus metrics"},
			}},
		}, nil
	})
}

// handleConformance serves GET /conformance.
func (s *Server) handleConformance(c echo.Context) error {
	if err := onlyJSON(c.QueryParams()); err != nil {
		return err
	}
	return s.sendJSON(c, keyOf(c.Path()), mediaJSON, func() (any, error) {
		return map[string][]string{"conformsTo": conformance()}, nil
	})
}

// collectionDoc describes the sites collection.
func (s *Server) collectionDoc(base string) object {
	first, _ := s.ds.TimeExtent()
	b := s.ds.Bound()
	items := base + "/collections/" + collectionID + "/items"
	return object{
		{"id", collectionID},
		{"title", "Data-center sites"},
		{"description", "Cloud regions and data-center sites with their dated, sourced history. Each feature's status is as of the date given by at= (default: today)."},
		{"itemType", "feature"},
		{"crs", []string{"http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
		{"extent", object{
			{"spatial", object{{"bbox", [][4]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}}, {"crs", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}},
			{"temporal", object{{"interval", [][2]any{{first.Time().Format("2006-01-02T15:04:05Z"), nil}}}, {"trs", "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}}},
		}},
		{"links", []link{
			{Href: base + "/collections/" + collectionID, Rel: relSelf, Type: mediaJSON, Title: "This collection"},
			{Href: items, Rel: relItems, Type: mediaGeoJSON, Title: "Sites as GeoJSON"},
			{Href: items + "?f=csv", Rel: relItems, Type: mediaCSV, Title: "Sites as CSV"},
			{Href: base + "/providers", Rel: "related", Type: mediaJSON, Title: "The providers of the sites, with their counts"},
			{Href: base + "/collections/" + collectionID + "/queryables", Rel: relQueryables, Type: mediaSchemaJSON, Title: "Queryable properties"},
			// The JSON Schema of a feature, under both spellings of describedby: GDAL 3.6 follows only
			// "describedBy", and without a schema it guesses field types from the first page (and
			// drops EDTF dates that do not fit a guessed Date).
			{Href: base + "/collections/" + collectionID + "/schema", Rel: "describedby", Type: mediaSchemaJSON, Title: "Schema of the features"},
			{Href: base + "/collections/" + collectionID + "/schema", Rel: relDescribedBy, Type: mediaSchemaJSON, Title: "Schema of the features"},
			// OGC API – Features Part 5's relation, which newer QGIS follows to type its fields.
			{Href: base + "/collections/" + collectionID + "/schema", Rel: relSchema, Type: mediaSchemaJSON, Title: "Schema of the features"},
		}},
	}
}

// handleCollections serves GET /collections.
func (s *Server) handleCollections(c echo.Context) error {
	if err := onlyJSON(c.QueryParams()); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.sendJSON(c, keyOf(c.Path()).with("base", base), mediaJSON, func() (any, error) {
		return object{
			{"links", []link{{Href: base + "/collections", Rel: relSelf, Type: mediaJSON, Title: "This document"}}},
			{"collections", []object{s.collectionDoc(base)}},
		}, nil
	})
}

func checkCollection(c echo.Context) error {
	if id := c.Param("collection"); id != collectionID {
		return problemf(http.StatusNotFound, "no collection %q; the only collection is %q", id, collectionID)
	}
	return nil
}

// handleCollection serves GET /collections/sites.
func (s *Server) handleCollection(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	if err := onlyJSON(c.QueryParams()); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.sendJSON(c, keyOf(c.Path()).with("base", base), mediaJSON, func() (any, error) { return s.collectionDoc(base), nil })
}

// handleQueryables serves GET /collections/sites/queryables: a JSON Schema of what can be filtered.
func (s *Server) handleQueryables(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	if err := onlyJSON(c.QueryParams()); err != nil {
		return err
	}
	base := s.baseURL(c)
	providers := make([]string, len(s.ds.Providers))
	for i, p := range s.ds.Providers {
		providers[i] = p.ID
	}
	return s.sendJSON(c, keyOf(c.Path()).with("base", base), mediaSchemaJSON, func() (any, error) {
		str := func(title string) object { return object{{"title", title}, {"type", "string"}} }
		return object{
			{"$schema", "https://json-schema.org/draft/2019-09/schema"},
			{"$id", base + "/collections/" + collectionID + "/queryables"},
			{"type", "object"},
			{"title", "Data-center sites"},
			{"properties", object{
				{"geometry", object{{"$ref", "https://geojson.org/schema/Point.json"}}},
				{"id", str("Site id")},
				{"name", str("Name")},
				{"provider", object{{"title", "Provider"}, {"type", "string"}, {"enum", providers}}},
				{"kind", object{{"title", "Kind: who the site serves and who runs it"}, {"type", "string"}, {"enum", geo.Kinds()}}},
				{"region", str("Provider's region code")},
				{"city", str("City")},
				{"country", object{{"title", "Country (ISO 3166-1 alpha-2)"}, {"type", "string"}, {"pattern", "^[A-Z]{2}$"}}},
				{"status", object{{"title", "Status at the date"}, {"type", "string"}, {"enum", geo.Statuses()}}},
			}},
			{"additionalProperties", false},
		}, nil
	})
}

// propertySchema is the JSON Schema of each feature property, by name.
func propertySchema(name string) object {
	sch := basePropertySchema(name)
	switch name {
	case "name", "provider", "kind", "city", "country", "at", "events":
		return sch // always there
	}
	if omitWhenEmpty(name) {
		return sch // left out when empty, never null
	}
	// Other members are null when the site has no value, and say so.
	for i := range sch {
		switch sch[i].name {
		case "type":
			sch[i].value = []any{sch[i].value, "null"}
		case "enum":
			statuses := geo.Statuses()
			sch[i].value = []any{statuses[0], statuses[1], statuses[2], statuses[3], nil}
		}
	}
	return sch
}

// basePropertySchema is the JSON Schema of a property's values, null aside.
func basePropertySchema(name string) object {
	str := func(title string) object { return object{{"title", title}, {"type", "string"}} }
	edtf := func(title string) object {
		return object{{"title", title + " (EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, ~ ? % qualifiers, or a range A/B)"}, {"type", "string"}}
	}
	if date, latest, ok := dateBounds(name); ok {
		end := "Earliest"
		if latest {
			end = "Latest"
		}
		return object{{"title", end + " day " + date + " can mean, as a plain date (from the EDTF text beside it; left out when there is none)"}, {"type", "string"}, {"format", "date"}}
	}
	switch name {
	case "zones":
		return object{{"title", "Availability zones (a sourced count; left out when unknown)"}, {"type", "integer"}}
	case "at":
		return object{{"title", "The date the status is for"}, {"type", "string"}, {"format", "date"}}
	case "kind":
		return object{{"title", "Kind: who the site serves and who runs it"}, {"type", "string"}, {"enum", geo.Kinds()}}
	case "status", "pending_status":
		return object{{"title", "Status (" + name + ")"}, {"type", "string"}, {"enum", geo.Statuses()}}
	case "status_date":
		return edtf("Date of the event that set the status")
	case "pending_date":
		return edtf("Date window of the pending event")
	case "announced", "opened", "closing", "closed":
		return edtf("First " + name + " event")
	case "events":
		return object{{"title", "Every event with its date, status, note and sources"}, {"type", "array"}, {"items", object{{"type", "object"}}}}
	}
	return str(name)
}

// pointSchema is the JSON Schema of a feature's geometry: a GeoJSON Point, or null with
// skipGeometry. It is inline so that validators need no network.
func pointSchema() object {
	point := object{
		{"type", "object"},
		{"required", []string{"type", "coordinates"}},
		{"properties", object{
			{"type", object{{"type", "string"}, {"enum", []string{"Point"}}}},
			{"coordinates", object{{"type", "array"}, {"minItems", 2}, {"maxItems", 3}, {"items", object{{"type", "number"}}}}},
		}},
	}
	return object{{"oneOf", []object{point, {{"type", "null"}}}}}
}

// handleSchema serves GET /collections/sites/schema: the JSON Schema of a site feature.
func (s *Server) handleSchema(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	if err := onlyJSON(c.QueryParams()); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.sendJSON(c, keyOf(c.Path()).with("base", base), mediaSchemaJSON, func() (any, error) {
		props := object{}
		for _, name := range propertyNames() {
			props = append(props, member{name, propertySchema(name)})
		}
		return object{
			{"$schema", "https://json-schema.org/draft/2020-12/schema"},
			{"$id", base + "/collections/" + collectionID + "/schema"},
			{"title", "A data-center site (GeoJSON Feature)"},
			{"type", "object"},
			{"required", []string{"type", "id", "geometry", "properties"}},
			{"properties", object{
				{"type", object{{"type", "string"}, {"enum", []string{"Feature"}}}},
				{"id", object{{"title", "Site id"}, {"type", "string"}}},
				{"geometry", pointSchema()},
				{"properties", object{{"type", "object"}, {"properties", props}, {"additionalProperties", false}}},
				{"links", object{{"type", "array"}, {"items", object{{"type", "object"}}}}},
			}},
		}, nil
	})
}

// itemsParams are the parameters the items endpoint accepts.
func itemsParams() []string {
	return append(filterParams(), paramLimit, paramOffset, paramSortby, paramProperties, paramSkipGeometry, paramF, paramDownload)
}

// handleItems serves GET /collections/sites/items: the sites at a date, filtered, paged.
func (s *Server) handleItems(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	sq, err := s.parseSiteQuery(c.QueryParams(), itemsParams()...)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	// The links repeat the query as written, so it is part of the key beside its normal form.
	key := keyOf(c.Path()).with("base", base).withQuery(sq).with("query", c.QueryParams().Encode())
	return s.sendWork(c, key, documentWork, func(context.Context) (*response, error) {
		ms := s.ds.Select(sq.at, sq.filter)
		geo.SortMatches(ms, sq.sortby)
		matched := len(ms)
		page := ms[min(sq.offset, matched):min(sq.offset+sq.limit, matched)]
		var r *response
		if sq.format == "csv" {
			b, err := encodeCSV(page, sq.at)
			if err != nil {
				return nil, err
			}
			r = newResponse(mediaCSV, b)
		} else {
			features := make([]object, len(page))
			for i, m := range page {
				features[i] = feature(m, sq.at, sq.properties, sq.skipGeometry)
			}
			doc := object{
				{"type", "FeatureCollection"},
				{"numberMatched", matched},
				{"numberReturned", len(page)},
				{"at", sq.at.String()},
			}
			if !s.fileOnly() {
				doc = append(doc, member{"links", s.itemsLinks(base, c.QueryParams(), sq, matched)})
			}
			doc = append(doc, member{"features", features})
			b, err := encodeJSON(doc)
			if err != nil {
				return nil, err
			}
			r = newResponse(mediaGeoJSON, b)
		}
		r.cacheControl = sq.cacheControl()
		if sq.download {
			r.disposition = fmt.Sprintf(`attachment; filename="%s"`, s.downloadName(sq))
		}
		return r, nil
	})
}

// downloadName is a descriptive file name such as alibaba-cloud-sites-2018-09-01.geojson.
func (s *Server) downloadName(sq siteQuery) string {
	prefix := filePrefix(s.ds, sq.filter)
	ext := "geojson"
	if sq.format == "csv" {
		ext = "csv"
	}
	return fmt.Sprintf("%s-sites-%s.%s", prefix, sq.at, ext)
}

// filePrefix starts the name of a downloaded file: the provider shown, when there is one.
func filePrefix(ds *geo.Dataset, f geo.Filter) string {
	switch {
	case len(f.Providers) == 1:
		return f.Providers[0]
	case len(ds.Providers) == 1:
		return ds.Providers[0].ID
	}
	return "dcatlas"
}

// itemsLinks are the self, alternate, collection and paging links of an items page.
func (s *Server) itemsLinks(base string, q url.Values, sq siteQuery, matched int) []link {
	href := func(change map[string]string) string {
		v := url.Values{}
		for k, vals := range q {
			v[k] = slices.Clone(vals)
		}
		for k, val := range change {
			if val == "" {
				v.Del(k)
			} else {
				v.Set(k, val)
			}
		}
		u := base + "/collections/" + collectionID + "/items"
		if enc := v.Encode(); enc != "" {
			u += "?" + enc
		}
		return u
	}
	links := []link{
		{Href: href(nil), Rel: relSelf, Type: mediaGeoJSON, Title: "This page"},
		{Href: href(map[string]string{paramF: "csv"}), Rel: relAlternate, Type: mediaCSV, Title: "This page as CSV"},
		{Href: base + "/collections/" + collectionID, Rel: relCollection, Type: mediaJSON, Title: "The collection"},
	}
	if next := sq.offset + sq.limit; next < matched {
		links = append(links, link{Href: href(map[string]string{paramOffset: strconv.Itoa(next), paramLimit: strconv.Itoa(sq.limit)}), Rel: relNext, Type: mediaGeoJSON, Title: "Next page"})
	}
	if sq.offset > 0 {
		prev := max(0, sq.offset-sq.limit)
		off := strconv.Itoa(prev)
		if prev == 0 {
			off = ""
		}
		links = append(links, link{Href: href(map[string]string{paramOffset: off, paramLimit: strconv.Itoa(sq.limit)}), Rel: relPrev, Type: mediaGeoJSON, Title: "Previous page"})
	}
	return links
}

// handleItem serves GET /collections/sites/items/{id}: one site with its status at a date.
func (s *Server) handleItem(c echo.Context) error {
	if err := checkCollection(c); err != nil {
		return err
	}
	id := c.Param("id")
	if !geo.ValidID(id) {
		return badParam("id", "lowercase letters, digits and hyphens, at most 64, e.g. alibaba-cn-hangzhou", "malformed site id %q", id)
	}
	sq, err := s.parseSiteQuery(c.QueryParams(), paramAt, paramF, paramProperties, paramSkipGeometry)
	if err != nil {
		return err
	}
	if sq.format != "geojson" {
		return badParam(paramF, "geojson or json", "a single site is served as GeoJSON only")
	}
	site, ok := s.ds.Site(id)
	if !ok {
		if renamed, ok := s.ds.Renamed(id); ok {
			// A site's former id keeps its links working: it moves permanently to the new one.
			u := *c.Request().URL
			u.Path = strings.TrimSuffix(u.Path, id) + renamed.ID
			u.RawPath = ""
			return c.Redirect(http.StatusMovedPermanently, u.RequestURI())
		}
		return problemf(http.StatusNotFound, "no site %q", id)
	}
	base := s.baseURL(c)
	key := keyOf(c.Path()).with("base", base).with("id", id).withQuery(sq)
	return s.send(c, key, func() (*response, error) {
		m := geo.Match{Site: site, State: site.At(sq.at)}
		var doc object
		if m.State.Exists() {
			doc = feature(m, sq.at, sq.properties, sq.skipGeometry)
		} else {
			// The site exists later: show it with no status rather than hide it.
			doc = feature(geo.Match{Site: site, State: site.At(site.Events[len(site.Events)-1].Date.Latest())}, sq.at, sq.properties, sq.skipGeometry)
			props, _ := doc.get("properties").(object)
			kept := props[:0]
			for _, m := range props {
				if n := m.name; n == "status" || strings.HasPrefix(n, "status_") || strings.HasPrefix(n, "pending_") {
					if omitWhenEmpty(n) {
						continue
					}
					m.value = nil
				}
				kept = append(kept, m)
			}
			for i := range doc {
				if doc[i].name == "properties" {
					doc[i].value = kept
				}
			}
		}
		if !s.fileOnly() {
			self := base + "/collections/" + collectionID + "/items/" + id
			doc = append(doc, member{"links", []link{
				{Href: self, Rel: relSelf, Type: mediaGeoJSON, Title: "This site"},
				{Href: base + "/collections/" + collectionID, Rel: relCollection, Type: mediaJSON, Title: "The collection"},
			}})
		}
		b, err := encodeJSON(doc)
		if err != nil {
			return nil, err
		}
		r := newResponse(mediaGeoJSON, b)
		r.cacheControl = sq.cacheControl()
		return r, nil
	})
}
