package api

import (
	"html"
	"strings"

	"github.com/labstack/echo/v4"

	"dcatlas/geo"
)

// paramDoc documents one query parameter in the OpenAPI document.
type paramDoc struct {
	name, description string
	schema            object
}

func str() object                   { return object{{"type", "string"}} }
func strPattern(p string) object    { return object{{"type", "string"}, {"pattern", p}} }
func strEnum(vals ...string) object { return object{{"type", "string"}, {"enum", vals}} }

// paramDocs describes every query parameter the service accepts.
func (s *Server) paramDocs() map[string]paramDoc {
	providers := make([]string, len(s.ds.Providers))
	for i, p := range s.ds.Providers {
		providers[i] = p.ID
	}
	var kinds []string
	for _, k := range geo.Kinds() {
		kinds = append(kinds, string(k)+" ("+k.Meaning()+")")
	}
	return map[string]paramDoc{
		paramBbox:         {paramBbox, "Only sites inside minLon,minLat,maxLon,maxLat (WGS 84). Reversed or out-of-range boxes are rejected.", object{{"type", "array"}, {"minItems", 4}, {"maxItems", 4}, {"items", object{{"type", "number"}}}}},
		paramDatetime:     {paramDatetime, "Only sites whose lifetime (first certain event to closure) intersects this RFC 3339 instant or interval (A/B, either end .. for open).", str()},
		paramAt:           {paramAt, "The date whose status is shown (YYYY-MM-DD); default today. Only sites that exist by then are returned, closed ones included.", object{{"type", "string"}, {"format", "date"}}},
		paramStatus:       {paramStatus, "Only sites whose status at the date is in this comma-separated list.", str()},
		paramProvider:     {paramProvider, "Only sites of these providers (comma-separated): " + strings.Join(providers, ", ") + ".", str()},
		paramKind:         {paramKind, "Only sites of these kinds (comma-separated): " + strings.Join(kinds, ", ") + ".", str()},
		paramCountry:      {paramCountry, "Only sites in these countries (comma-separated ISO 3166-1 alpha-2 codes).", str()},
		paramQ:            {paramQ, "Only sites whose name, city, region code or id contains this text, ignoring case (at most 200 characters).", str()},
		paramLimit:        {paramLimit, "Page size, 1 to 1000 (default 100); larger values are served as 1000.", object{{"type", "integer"}, {"minimum", 1}, {"default", defaultLimit}}},
		paramOffset:       {paramOffset, "How many matching sites to skip; the next and prev links carry it.", object{{"type", "integer"}, {"minimum", 0}, {"default", 0}}},
		paramSortby:       {paramSortby, "Sort keys, comma-separated, each optionally prefixed + or -: " + strings.Join(geo.SortFields(), ", ") + ".", str()},
		paramProperties:   {paramProperties, "Only these properties (comma-separated): " + strings.Join(propertyNames(), ", ") + ".", str()},
		paramSkipGeometry: {paramSkipGeometry, "Leave geometry out (null).", object{{"type", "boolean"}, {"default", false}}},
		paramF:            {paramF, "Output format.", strEnum("geojson", "json", "csv")},
		paramDownload:     {paramDownload, "Serve as an attachment with a descriptive file name.", object{{"type", "boolean"}, {"default", false}}},
		paramUntil:        {paramUntil, "The last day of the timeline (YYYY-MM-DD); default today.", object{{"type", "string"}, {"format", "date"}}},
		paramBy:           {paramBy, "Break the timeline down per provider: /timeline adds a timeline per provider; /static/timeline.* draws the race, a line per provider of its sites in service.", strEnum("provider")},
	}
}

// operation documents one GET endpoint.
func (s *Server) operation(summary string, params []string, pathParams []object, responses object) object {
	docs := s.paramDocs()
	var ps []object
	ps = append(ps, pathParams...)
	for _, name := range params {
		d := docs[name]
		p := object{{"name", d.name}, {"in", "query"}, {"description", d.description}, {"required", false}, {"schema", d.schema}}
		if name == paramBbox {
			p = append(p, member{"style", "form"}, member{"explode", false})
		}
		ps = append(ps, p)
	}
	return object{{"get", object{{"summary", summary}, {"parameters", ps}, {"responses", responses}}}}
}

func okResponse(description string, types ...string) object {
	content := object{}
	for _, t := range types {
		content = append(content, member{t, object{}})
	}
	return object{
		{"200", object{{"description", description}, {"content", content}}},
		{"304", object{{"description", "Not modified (If-None-Match matched the ETag)"}}},
		{"400", object{{"description", "A parameter is invalid or unknown; the problem names it"}, {"content", object{{mediaProblem, object{}}}}}},
		{"404", object{{"description", "Not found"}, {"content", object{{mediaProblem, object{}}}}}},
	}
}

// openAPI is the OpenAPI 3.0 document of the service.
func (s *Server) openAPI(base string) object {
	pathParam := func(name, description string, schema object) object {
		return object{{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", schema}}
	}
	collection := pathParam("collection", "The collection; the only one is sites.", strEnum(collectionID))
	paths := object{
		{"/", s.operation("Landing page", []string{paramF}, nil, okResponse("Links to the API's resources", mediaJSON))},
		{"/conformance", s.operation("Conformance classes", []string{paramF}, nil, okResponse("The conformance classes implemented", mediaJSON))},
		{"/api", s.operation("This API definition", nil, nil, okResponse("OpenAPI 3.0", mediaOpenAPI))},
		{"/collections", s.operation("Feature collections", []string{paramF}, nil, okResponse("The collections", mediaJSON))},
		{"/collections/{collection}", s.operation("A feature collection", []string{paramF}, []object{collection}, okResponse("The collection", mediaJSON))},
		{"/collections/{collection}/queryables", s.operation("Queryable properties", []string{paramF}, []object{collection}, okResponse("A JSON Schema", mediaSchemaJSON))},
		{"/collections/{collection}/schema", s.operation("Schema of the features: every property and its type", []string{paramF}, []object{collection}, okResponse("A JSON Schema", mediaSchemaJSON))},
		{"/collections/{collection}/items", s.operation("Sites with their status at a date", itemsParams(), []object{collection}, okResponse("A GeoJSON FeatureCollection, or CSV", mediaGeoJSON, mediaCSV))},
		{"/collections/{collection}/items/{featureId}", s.operation("One site with its full history", []string{paramAt, paramF, paramProperties, paramSkipGeometry}, []object{collection, pathParam("featureId", "The site id, e.g. alibaba-cn-hangzhou.", strPattern("^[a-z0-9]+(-[a-z0-9]+)*$"))}, okResponse("A GeoJSON Feature", mediaGeoJSON))},
		{"/timeline", s.operation("Counts of sites per status over time", timelineParams(), nil, okResponse("Counts at every change and per year", mediaJSON))},
		{"/providers", s.operation("The providers: name, short name, colour, home page, and counts of their sites at a date per status and kind", providersParams(), nil, okResponse("The providers with their counts", mediaJSON))},
		{historyPath, s.operation("The whole history for the web viewer: every site with its dated events (without sources), and the status vocabulary (order, labels, colours)", nil, nil, okResponse("The history", mediaJSON))},
		{"/healthz", object{{"get", object{{"summary", "Liveness"}, {"responses", object{{"200", object{{"description", "The process is up"}}}}}}}}},
		{"/readyz", object{{"get", object{{"summary", "Readiness"}, {"responses", object{{"200", object{{"description", "Ready to serve"}}}, {"503", object{{"description", "Shutting down"}}}}}}}}},
		{"/metrics", object{{"get", object{{"summary", "Prometheus metrics"}, {"responses", object{{"200", object{{"description", "Metrics in the Prometheus text format"}, {"content", object{{"text/plain", object{}}}}}}}}}}}},
	}
	paths = append(paths, s.extraPaths()...)
	paths = append(paths, changesPaths(s)...)
	return object{
		{"openapi", "3.0.3"},
		{"info", object{{"title", "dcatlas"}, {"version", s.ds.Version}, {"description", "Cloud data-center sites over time, as OGC API – Features, tiles and images."}}},
		{"servers", []object{{{"url", base}}}},
		{"paths", paths},
	}
}

// handleOpenAPI serves GET /api.
func (s *Server) handleOpenAPI(c echo.Context) error {
	if err := checkParams(c.QueryParams()); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.sendJSON(c, keyOf(c.Path()).with("base", base), mediaOpenAPI, func() (any, error) { return s.openAPI(base), nil })
}

// handleAPIDoc serves GET /api.html: the API definition as a page for people.
func (s *Server) handleAPIDoc(c echo.Context) error {
	if err := checkParams(c.QueryParams()); err != nil {
		return err
	}
	base := s.baseURL(c)
	return s.send(c, keyOf("/api.html").with("base", base), func() (*response, error) {
		var b strings.Builder
		b.WriteString("<!doctype html><html lang=en><meta charset=utf-8><title>dcatlas API</title><body><h1>dcatlas API</h1><p>Machine-readable definition: <a href=\"" + html.EscapeString(base) + "/api\">/api</a> (OpenAPI 3.0).</p>")
		paths, _ := s.openAPI(base).get("paths").(object)
		for _, p := range paths {
			pathDoc, _ := p.value.(object)
			op, _ := pathDoc.get("get").(object)
			summary, _ := op.get("summary").(string)
			b.WriteString("<h2><code>GET " + html.EscapeString(p.name) + "</code></h2><p>" + html.EscapeString(summary) + "</p>")
			params, _ := op.get("parameters").([]object)
			if len(params) == 0 {
				continue
			}
			b.WriteString("<ul>")
			for _, param := range params {
				name, _ := param.get("name").(string)
				in, _ := param.get("in").(string)
				desc, _ := param.get("description").(string)
				b.WriteString("<li><code>" + html.EscapeString(name) + "</code> (" + html.EscapeString(in) + "): " + html.EscapeString(desc) + "</li>")
			}
			b.WriteString("</ul>")
		}
		b.WriteString("</body></html>\n")
		r := newResponse(mediaHTML, []byte(b.String()))
		return r, nil
	})
}
