package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"dcatlas/geo"
	"dcatlas/geo/basemap"
	"dcatlas/geo/render"
)

// Static images: maps of the sites at a date and charts of their timeline, as PNG or SVG, drawn by
// package render. GET /static/{map,timeline}.{png,svg}; DrawStaticImage gives the command line
// the same parameters, checks and drawing.

// svgPolicy is the Content-Security-Policy of SVG images: they hold no script, style element or
// external reference, so they need nothing; an SVG opened on its own may run nothing.
const svgPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

// Defaults and limits of the static images.
const (
	defaultMapWidth       = 1200
	defaultMapHeight      = 800
	defaultTimelineWidth  = 1200
	defaultTimelineHeight = 400
	maxTitleLen           = 120 // characters
)

// The credits written on the images.
const (
	mapAttribution      = "Base map: Natural Earth · Data: dcatlas, sources in each site's history"
	timelineAttribution = "Data: dcatlas, sources in each site's history"
	raceAttribution     = "Data: dcatlas"
	// raceSources says where the race's dates come from.
	raceSources = "Sources: the providers' announcements and blogs, news of record, SDK region lists as upper bounds; each date cited in the site's history"
)

// highlightProvider is the provider the race highlights: dcatlas follows Alibaba Cloud against
// the leaders.
const highlightProvider = "alibaba-cloud"

// staticKind is what a static image shows.
type staticKind string

const (
	kindMap      staticKind = "map"
	kindTimeline staticKind = "timeline"
)

// staticImage is one of the images under /static/.
type staticImage struct {
	kind   staticKind
	format render.Format
}

// staticImages are the images under /static/, by file name.
func staticImages() map[string]staticImage {
	return map[string]staticImage{
		"map.png":      {kindMap, render.PNG},
		"map.svg":      {kindMap, render.SVG},
		"timeline.png": {kindTimeline, render.PNG},
		"timeline.svg": {kindTimeline, render.SVG},
	}
}

// name is the image's file name under /static/.
func (im staticImage) name() string { return string(im.kind) + "." + im.format.String() }

// mediaType is the image's Content-Type.
func (im staticImage) mediaType() string {
	if im.format == render.SVG {
		return mediaSVG
	}
	return mediaPNG
}

// params are the query parameters the image accepts.
func (im staticImage) params() []string {
	var ps []string
	if im.kind == kindMap {
		ps = []string{paramAt, paramStatus, paramProvider, paramKind, paramCountry, paramQ, paramBbox, paramCenter, paramZoom,
			paramWidth, paramHeight, paramScale, paramLegend, paramLabels, paramTitle, paramDownload}
	} else {
		ps = []string{paramUntil, paramStatus, paramProvider, paramKind, paramCountry, paramQ, paramBbox, paramBy,
			paramWidth, paramHeight, paramScale, paramTitle, paramDownload}
	}
	if im.format == render.SVG {
		ps = slices.DeleteFunc(ps, func(p string) bool { return p == paramScale })
	}
	return ps
}

// registerStaticRoutes registers the static images. Maps need the base map: without one only the
// timeline charts are served. Drawing is bounded by the work limiter (see work.go): the largest
// image a request can ask for (2048×2048 CSS pixels at scale 2, zoom 6, labels) allocates about
// 220 MB and takes about 1 s of CPU (BenchmarkStaticLargest).
func (s *Server) registerStaticRoutes() {
	for name, im := range staticImages() {
		if im.kind == kindMap && s.opts.Atlas == nil {
			continue
		}
		s.get("/static/"+name, func(c echo.Context) error { return s.handleStatic(c, im) })
	}
}

// handleStatic serves GET /static/map.png, map.svg, timeline.png and timeline.svg.
func (s *Server) handleStatic(c echo.Context, im staticImage) error {
	r, err := parseStatic(im, c.QueryParams(), s.ds, s.today())
	if err != nil {
		return err
	}
	key := r.cacheKey()
	m := meta{contentType: im.mediaType(), cacheControl: r.sq.cacheControl()}
	if im.format == render.SVG {
		m.csp = svgPolicy
	}
	if r.download {
		m.disposition = fmt.Sprintf(`attachment; filename="%s"`, staticFileName(s.ds, r))
	}
	if done, err := s.headMeta(c, key, m); done {
		return err
	}
	return s.sendWork(c, key, r.work(), func(ctx context.Context) (*response, error) {
		body, err := drawStatic(ctx, s.ds, s.opts.Atlas, r, s.canvases)
		if err != nil {
			return nil, err
		}
		if im.format == render.PNG {
			resp := newUncompressedResponse(m.contentType, body) // PNG is compressed already
			resp.cacheControl, resp.disposition = m.cacheControl, m.disposition
			return resp, nil
		}
		return m.newResponse(body), nil
	})
}

// DrawStaticImage draws the static image name ("map.png", "map.svg", "timeline.png" or
// "timeline.svg") of the dataset for the query q exactly as GET /static/{name} does: the same
// parameters, checks and drawing, with today the day when the query gives none. atlas is the base
// map, nil for none. It returns the image and a descriptive file name for it, such as
// alibaba-cloud-map-2018-09-01.png. Bad input is a *Problem naming the parameter; an unknown
// image, or a map without a base map, is a 404 *Problem.
func DrawStaticImage(ctx context.Context, ds *geo.Dataset, atlas *basemap.Atlas, today geo.Day, name string, q url.Values) (body []byte, fileName string, err error) {
	im, ok := staticImages()[name]
	if !ok {
		return nil, "", problemf(http.StatusNotFound, "no static image %q; there are map.png, map.svg, timeline.png and timeline.svg", name)
	}
	if im.kind == kindMap && atlas == nil {
		return nil, "", problemf(http.StatusNotFound, "no base map to draw maps on")
	}
	r, err := parseStatic(im, q, ds, today)
	if err != nil {
		return nil, "", err
	}
	body, err = drawStatic(ctx, ds, atlas, r, nil)
	if err != nil {
		return nil, "", err
	}
	return body, staticFileName(ds, r), nil
}

// staticRequest is a parsed, checked static image query.
type staticRequest struct {
	image staticImage
	// sq holds the date (at for maps, until for the timeline) and the filters; for a map, bbox is
	// the extent, not a filter.
	sq            siteQuery
	bbox          *orb.Bound
	center        *orb.Point
	zoom          float64
	width, height int
	scale         int
	legend        bool
	labels        bool
	title         string
	download      bool
	// byProvider draws the timeline as the race: a line per provider of its sites in service.
	byProvider bool
}

// work is what drawing the image costs (see work.go): PNG by its pixels; an SVG map by its area,
// for the base map's outlines it clips; an SVG chart is a small document.
func (r staticRequest) work() work {
	switch {
	case r.image.format == render.PNG:
		return rasterWork(r.width*r.scale, r.height*r.scale)
	case r.image.kind == kindMap:
		return vectorMapWork(r.width, r.height)
	}
	return documentWork
}

// cacheKey is the normalized request, for caching and ETags.
func (r staticRequest) cacheKey() cacheKey {
	k := keyOf("/static/" + r.image.name()).withQuery(r.sq)
	if r.bbox != nil {
		k = k.with("extent", *r.bbox)
	}
	if r.center != nil {
		k = k.with("center", *r.center).with("zoom", r.zoom)
	}
	return k.with("size", fmt.Sprintf("%dx%d@%d", r.width, r.height, r.scale)).with("legend", r.legend).
		with("labels", r.labels).with("dl", r.download).with("title", fmt.Sprintf("%q", r.title)).with("by", r.byProvider)
}

const (
	acceptedCenter = "two comma-separated numbers lon,lat in WGS 84, longitude in -180..180 and latitude in -85.05..85.05 (Web Mercator's range)"
	acceptedZoom   = "a number from 0 to 18 (Web Mercator zoom level of 256-pixel tiles)"
	acceptedScale  = "1 or 2 (device pixels per CSS pixel)"
	acceptedTitle  = "text of at most 120 characters, without control characters"
)

// acceptedSize is the accepted form of width and height.
var acceptedSize = fmt.Sprintf("a whole number of CSS pixels from %d to %d", render.MinSize, render.MaxSize)

// parseStatic parses and checks the query of a static image; today is the day when it gives none.
func parseStatic(im staticImage, q url.Values, ds *geo.Dataset, today geo.Day) (staticRequest, error) {
	r := staticRequest{image: im, width: defaultMapWidth, height: defaultMapHeight, scale: 1, legend: true}
	if im.kind == kindTimeline {
		r.width, r.height = defaultTimelineWidth, defaultTimelineHeight
		if q.Has(paramAt) {
			return r, badParam(paramAt, "until=YYYY-MM-DD", "the timeline takes until, not at")
		}
	} else if q.Has(paramUntil) {
		return r, badParam(paramUntil, "at=YYYY-MM-DD", "a map takes at, not until")
	}
	if im.format == render.SVG && q.Has(paramScale) {
		return r, badParam(paramScale, "no scale: an SVG is drawn at any size", "scale applies to PNG images only")
	}
	if err := checkParams(q, im.params()...); err != nil {
		return r, err
	}
	// The filters, parsed as the items endpoint does. A map's bbox is its extent, parsed below.
	filters := []string{paramAt, paramStatus, paramProvider, paramKind, paramCountry, paramQ}
	if im.kind == kindTimeline {
		filters = []string{paramStatus, paramProvider, paramKind, paramCountry, paramQ, paramBbox}
	}
	sq, err := parseSiteQuery(pick(q, filters...), ds, today, filters...)
	if err != nil {
		return r, err
	}
	r.sq = sq
	if im.kind == kindTimeline && q.Has(paramUntil) {
		if r.sq.at, err = parseUntil(q.Get(paramUntil)); err != nil {
			return r, err
		}
		r.sq.atGiven = true
	}
	for name, vals := range q {
		v := vals[0]
		switch name {
		case paramBbox:
			if im.kind == kindMap {
				b, e := parseBbox(v)
				r.bbox, err = &b, e
			}
		case paramCenter:
			var c orb.Point
			c, err = parseCenter(v)
			r.center = &c
		case paramZoom:
			r.zoom, err = parseZoom(v)
		case paramWidth:
			r.width, err = parseSize(paramWidth, v)
		case paramHeight:
			r.height, err = parseSize(paramHeight, v)
		case paramScale:
			r.scale, err = parseScale(v)
		case paramLegend:
			r.legend, err = parseBool(paramLegend, v)
		case paramLabels:
			r.labels, err = parseBool(paramLabels, v)
		case paramTitle:
			r.title, err = parseTitle(v)
		case paramDownload:
			r.download, err = parseBool(paramDownload, v)
		case paramBy:
			r.byProvider, err = parseBy(v)
		}
		if err != nil {
			return r, err
		}
	}
	switch {
	case r.bbox != nil && r.center != nil:
		return r, badParam(paramCenter, "bbox, or center with zoom, not both", "bbox and center both give the map's extent")
	case r.center != nil && !q.Has(paramZoom):
		return r, badParam(paramZoom, acceptedZoom, "center needs a zoom level")
	case r.center == nil && q.Has(paramZoom):
		return r, badParam(paramCenter, acceptedCenter, "zoom needs a center")
	}
	return r, nil
}

func parseCenter(v string) (orb.Point, error) {
	n, _, ok := parseNumbers(v)
	switch {
	case !ok || len(n) != 2:
		return orb.Point{}, badParam(paramCenter, acceptedCenter, "center %q is not two numbers", v)
	case n[0] < -180 || n[0] > 180:
		return orb.Point{}, badParam(paramCenter, acceptedCenter, "center longitude %v is out of range", n[0])
	case n[1] < -geo.MercatorMaxLat || n[1] > geo.MercatorMaxLat:
		return orb.Point{}, badParam(paramCenter, acceptedCenter, "center latitude %v is out of range", n[1])
	}
	return orb.Point{n[0], n[1]}, nil
}

func parseZoom(v string) (float64, error) {
	n, _, ok := parseNumbers(v)
	if !ok || len(n) != 1 {
		return 0, badParam(paramZoom, acceptedZoom, "zoom %q is not a number", v)
	}
	if n[0] < 0 || n[0] > render.MaxZoom {
		return 0, badParam(paramZoom, acceptedZoom, "zoom %v is out of range", n[0])
	}
	return n[0], nil
}

// parseSize parses a width or height: decimal digits only.
func parseSize(name, v string) (int, error) {
	if v == "" || len(v) > 5 || strings.Trim(v, "0123456789") != "" {
		return 0, badParam(name, acceptedSize, "%s %q is not a whole number", name, v)
	}
	n, _ := strconv.Atoi(v)
	if n < render.MinSize || n > render.MaxSize {
		return 0, badParam(name, acceptedSize, "%s %d is out of range", name, n)
	}
	return n, nil
}

func parseScale(v string) (int, error) {
	switch v {
	case "1":
		return 1, nil
	case "2":
		return 2, nil
	}
	return 0, badParam(paramScale, acceptedScale, "scale %q is not 1 or 2", v)
}

func parseTitle(v string) (string, error) {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n > maxTitleLen {
		return "", badParam(paramTitle, acceptedTitle, "title is %d characters long", n)
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "", badParam(paramTitle, acceptedTitle, "title holds a control character")
	}
	return v, nil
}

// providerNames are the names of the providers a filter selects: all of them when it names none.
func providerNames(ds *geo.Dataset, f geo.Filter) string {
	var names []string
	for _, p := range ds.Providers {
		if len(f.Providers) == 0 || slices.Contains(f.Providers, p.ID) {
			names = append(names, p.Name)
		}
	}
	return strings.Join(names, ", ")
}

// filterWords describes the filters beyond the date and the providers, for the stamp.
func filterWords(f geo.Filter) string {
	var parts []string
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		parts = append(parts, strings.Join(st, ", ")+" only")
	}
	if len(f.Kinds) > 0 {
		ks := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ks[i] = string(k)
		}
		parts = append(parts, strings.Join(ks, ", ")+" regions")
	}
	if len(f.Countries) > 0 {
		parts = append(parts, "in "+strings.Join(f.Countries, ", "))
	}
	if f.Query != "" {
		parts = append(parts, "matching “"+f.Query+"”")
	}
	if f.Bound != nil {
		b := *f.Bound
		parts = append(parts, fmt.Sprintf("within %g,%g,%g,%g", b.Min[0], b.Min[1], b.Max[0], b.Max[1]))
	}
	if len(parts) == 0 {
		return ""
	}
	return " · " + strings.Join(parts, ", ")
}

// drawStatic draws a parsed request, stopping early when ctx ends; canvases lends a PNG's pixels
// (nil allocates them).
func drawStatic(ctx context.Context, ds *geo.Dataset, atlas *basemap.Atlas, r staticRequest, canvases *render.Canvases) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if r.image.kind == kindTimeline && r.byProvider {
		spec := raceSpec(ds, r)
		spec.Canvases = canvases
		err = render.Race(ctx, &buf, spec, r.image.format)
	} else if r.image.kind == kindTimeline {
		spec := render.TimelineSpec{
			Width: r.width, Height: r.height, Scale: r.scale,
			Timeline:    ds.Timeline(r.sq.filter, r.sq.at),
			Until:       r.sq.at,
			Title:       r.title,
			Stamp:       fmt.Sprintf("%s regions by status, until %s%s", providerNames(ds, r.sq.filter), r.sq.at, filterWords(r.sq.filter)),
			Attribution: timelineAttribution,
			Canvases:    canvases,
		}
		err = render.Timeline(ctx, &buf, spec, r.image.format)
	} else {
		ms := ds.Select(r.sq.at, r.sq.filter)
		spec := render.MapSpec{
			Width: r.width, Height: r.height, Scale: r.scale,
			Markers:     render.MarkersOf(ms),
			Providers:   mapProviders(ds, r.sq.filter),
			Legend:      r.legend,
			Labels:      r.labels,
			Title:       r.title,
			Stamp:       fmt.Sprintf("%s regions as of %s%s", providerNames(ds, r.sq.filter), r.sq.at, filterWords(r.sq.filter)),
			Attribution: mapAttribution,
			Canvases:    canvases,
		}
		switch {
		case r.bbox != nil:
			spec.Extent = render.BoundExtent(*r.bbox)
		case r.center != nil:
			spec.Extent = render.CenterExtent(*r.center, r.zoom)
		default:
			pts := make([]orb.Point, len(ms))
			for i, m := range ms {
				pts[i] = m.Site.Point
			}
			spec.Extent = render.SitesExtent(pts)
		}
		err = render.Map(ctx, &buf, atlas, spec, r.image.format)
	}
	if err != nil {
		return nil, fmt.Errorf("drawing %s: %w", r.image.name(), err)
	}
	return buf.Bytes(), nil
}

// staticFileName is a descriptive file name such as alibaba-cloud-map-2018-09-01.png, or
// alibaba-cloud-timeline-2025-09-24@2x.png.
func staticFileName(ds *geo.Dataset, r staticRequest) string {
	prefix := filePrefix(ds, r.sq.filter)
	suffix := ""
	if r.scale == 2 {
		suffix = "@2x"
	}
	kind := string(r.image.kind)
	if r.byProvider {
		kind = "race"
	}
	return fmt.Sprintf("%s-%s-%s%s.%s", prefix, kind, r.sq.at, suffix, r.image.format)
}

// mapProviders are the providers a filter selects, with their colours: on a map of more than
// one, markers take their provider's colour and the legend counts each provider.
func mapProviders(ds *geo.Dataset, f geo.Filter) []render.MapProvider {
	var out []render.MapProvider
	for _, p := range ds.Providers {
		if len(f.Providers) > 0 && !slices.Contains(f.Providers, p.ID) {
			continue
		}
		c, ok := render.HexColor(p.Colour)
		if !ok {
			c = render.Ink
		}
		name := p.ShortName
		if name == "" {
			name = p.Name
		}
		out = append(out, render.MapProvider{ID: p.ID, Name: name, Color: c})
	}
	return out
}

// raceSpec is the race of the providers a timeline request selects: a line per provider of its
// sites in service, in the provider's colour, Alibaba Cloud highlighted.
func raceSpec(ds *geo.Dataset, r staticRequest) render.RaceSpec {
	spec := render.RaceSpec{
		Width: r.width, Height: r.height, Scale: r.scale,
		Until:       r.sq.at,
		Title:       r.title,
		Stamp:       fmt.Sprintf("Regions in service (active or closing) per provider, until %s%s", r.sq.at, filterWords(r.sq.filter)),
		Sources:     raceSources,
		Attribution: raceAttribution,
	}
	timelines := map[string]geo.Timeline{}
	for i, tl := range ds.ProviderTimelines(r.sq.filter, r.sq.at) {
		timelines[ds.Providers[i].ID] = tl
	}
	for _, p := range mapProviders(ds, r.sq.filter) {
		spec.Lines = append(spec.Lines, render.RaceLine{Name: p.Name, Color: p.Color, Highlight: p.ID == highlightProvider,
			Changes: timelines[p.ID].Changes})
	}
	return spec
}

// staticParamDocs describes the parameters of the static images that the items endpoint does not
// have, and bbox as a map's extent.
func staticParamDocs() map[string]paramDoc {
	num := object{{"type", "number"}}
	size := func(name string, def int) paramDoc {
		return paramDoc{name, fmt.Sprintf("Image %s in CSS pixels, %d to %d (default %d).", name, render.MinSize, render.MaxSize, def),
			object{{"type", "integer"}, {"minimum", render.MinSize}, {"maximum", render.MaxSize}, {"default", def}}}
	}
	return map[string]paramDoc{
		paramBbox:   {paramBbox, "The map's extent, minLon,minLat,maxLon,maxLat (WGS 84), widened on its short side to the image's aspect in Web Mercator; a map is never wider than the world. Default: the matching sites with a margin. Not with center.", object{{"type", "array"}, {"minItems", 4}, {"maxItems", 4}, {"items", num}}},
		paramCenter: {paramCenter, "The map's centre, lon,lat (WGS 84, latitude within ±85.05); needs zoom. Not with bbox.", object{{"type", "array"}, {"minItems", 2}, {"maxItems", 2}, {"items", num}}},
		paramZoom:   {paramZoom, "Web Mercator zoom level (256-pixel tiles), 0 to 18, with center.", object{{"type", "number"}, {"minimum", 0}, {"maximum", render.MaxZoom}}},
		paramWidth:  size(paramWidth, defaultMapWidth),
		paramHeight: size(paramHeight, defaultMapHeight),
		paramScale:  {paramScale, "Device pixels per CSS pixel: 2 doubles the PNG's width and height, for high-density screens and print.", object{{"type", "integer"}, {"enum", []int{1, 2}}, {"default", 1}}},
		paramLegend: {paramLegend, "Draw the legend: each status's symbol and the number of sites on the map in it.", object{{"type", "boolean"}, {"default", true}}},
		paramLabels: {paramLabels, "Write the sites' names beside their symbols, where they fit without overlapping.", object{{"type", "boolean"}, {"default", false}}},
		paramTitle:  {paramTitle, "A title written at the top left, at most 120 characters.", object{{"type", "string"}, {"maxLength", maxTitleLen}}},
	}
}

// staticPaths documents the static images in the OpenAPI document.
func (s *Server) staticPaths() object {
	docs := s.paramDocs()
	mapDocs := staticParamDocs()
	timelineDocs := staticParamDocs()
	timelineDocs[paramHeight] = paramDoc{paramHeight, fmt.Sprintf("Image height in CSS pixels, %d to %d (default %d).", render.MinSize, render.MaxSize, defaultTimelineHeight),
		object{{"type", "integer"}, {"minimum", render.MinSize}, {"maximum", render.MaxSize}, {"default", defaultTimelineHeight}}}
	delete(timelineDocs, paramBbox) // the timeline's bbox is the items endpoint's filter
	operation := func(im staticImage, summary string) object {
		extra := mapDocs
		if im.kind == kindTimeline {
			extra = timelineDocs
		}
		var ps []object
		for _, name := range im.params() {
			d, ok := extra[name]
			if !ok {
				d = docs[name]
			}
			p := object{{"name", d.name}, {"in", "query"}, {"description", d.description}, {"required", false}, {"schema", d.schema}}
			if name == paramBbox || name == paramCenter {
				p = append(p, member{"style", "form"}, member{"explode", false})
			}
			ps = append(ps, p)
		}
		responses := okResponse(summary, im.mediaType())
		return object{{"get", object{{"summary", summary}, {"parameters", ps}, {"responses", responses}}}}
	}
	var paths object
	if s.opts.Atlas != nil {
		paths = append(paths,
			member{"/static/map.png", operation(staticImage{kindMap, render.PNG}, "Map of the sites at a date over the built-in base map, with legend, date stamp and attribution, as PNG (scale=2 for twice the pixels)")},
			member{"/static/map.svg", operation(staticImage{kindMap, render.SVG}, "The same map as SVG, with real vector paths and text")},
		)
	}
	return append(paths,
		member{"/static/timeline.png", operation(staticImage{kindTimeline, render.PNG}, "Chart of the number of sites in each status over time (stacked steps), as PNG; with by=provider, the race: a line per provider of its sites in service, in its colour, labelled at its end")},
		member{"/static/timeline.svg", operation(staticImage{kindTimeline, render.SVG}, "The same chart as SVG")},
	)
}
