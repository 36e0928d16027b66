package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dcatlas/geo"
	"dcatlas/geo/country"
)

func (s *Server) registerChangeRoutes() {
	s.get("/changes", s.handleChanges)
	s.get("/changes.atom", s.handleChangesAtom)
}

// changesQuery is a parsed /changes or /changes.atom query.
type changesQuery struct {
	siteQuery
	from, to geo.Day
	// windowGiven says both ends were given, so the answer does not move with today.
	windowGiven bool
}

// changeFilterParams are the filters both changes endpoints accept.
func changeFilterParams() []string {
	return []string{paramFrom, paramTo, paramProvider, paramKind, paramCountry, paramStatus, paramQ}
}

// changesParams are the parameters of GET /changes.
func changesParams() []string {
	return append(changeFilterParams(), paramLimit, paramOffset, paramF, paramDownload)
}

// parseChangesQuery parses the window and filters of a changes query. The window defaults to the
// twelve months up to today; a window given by one end runs twelve months from or to it.
func (s *Server) parseChangesQuery(q url.Values, allowed ...string) (changesQuery, error) {
	sq, err := s.parseSiteQuery(q, allowed...)
	cq := changesQuery{siteQuery: sq}
	if err != nil {
		return cq, err
	}
	var fromGiven, toGiven bool
	if v := q.Get(paramFrom); q.Has(paramFrom) {
		if cq.from, err = parseDayParam(paramFrom, v); err != nil {
			return cq, err
		}
		fromGiven = true
	}
	if v := q.Get(paramTo); q.Has(paramTo) {
		if cq.to, err = parseDayParam(paramTo, v); err != nil {
			return cq, err
		}
		toGiven = true
	}
	switch {
	case !fromGiven && !toGiven:
		cq.to = s.today()
		cq.from = yearBefore(cq.to)
	case !fromGiven:
		cq.from = yearBefore(cq.to)
	case !toGiven:
		cq.to = max(s.today(), cq.from)
	}
	if cq.to < cq.from {
		return cq, badParam(paramFrom, "a day no later than to", "the window is reversed: from %s is after to %s", cq.from, cq.to)
	}
	cq.windowGiven = fromGiven && toGiven
	return cq, nil
}

// yearBefore is the day twelve months before d.
func yearBefore(d geo.Day) geo.Day { return geo.DayFromTime(d.Time().AddDate(-1, 0, 0)) }

// key is the cache key of an answer of route to the query as parsed and, for the links, as written.
func (cq changesQuery) key(route, base string, q url.Values) cacheKey {
	return keyOf(route).with("base", base).with("from", cq.from).with("to", cq.to).with("window", cq.windowGiven).
		withQuery(cq.siteQuery).with("query", q.Encode())
}

// cacheControl keeps answers for a window that moves with today shorter.
func (cq changesQuery) cacheControl() string {
	return siteQuery{atGiven: cq.windowGiven}.cacheControl()
}

// handleChanges serves GET /changes: the events in a window, newest first, as GeoJSON or CSV.
func (s *Server) handleChanges(c echo.Context) error {
	cq, err := s.parseChangesQuery(c.QueryParams(), changesParams()...)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	key := cq.key(c.Path(), base, c.QueryParams())
	m := meta{contentType: mediaGeoJSON, cacheControl: cq.cacheControl()}
	ext := "geojson"
	if cq.format == "csv" {
		m.contentType, ext = mediaCSV, "csv"
	}
	if cq.download {
		m.disposition = fmt.Sprintf(`attachment; filename="%s-changes-%s-to-%s.%s"`, filePrefix(s.ds, cq.filter), cq.from, cq.to, ext)
	}
	if done, err := s.headMeta(c, key, m); done {
		return err
	}
	return s.sendWork(c, key, documentWork, func(context.Context) (*response, error) {
		all := s.ds.Changes(cq.from, cq.to, cq.filter)
		page := all[min(cq.offset, len(all)):min(cq.offset+cq.limit, len(all))]
		if cq.format == "csv" {
			b, err := encodeChangesCSV(page)
			if err != nil {
				return nil, err
			}
			return m.newResponse(b), nil
		}
		features := make([]object, len(page))
		for i, ch := range page {
			features[i] = changeFeature(ch)
		}
		b, err := encodeJSON(object{
			{"type", "FeatureCollection"},
			{"numberMatched", len(all)},
			{"numberReturned", len(page)},
			{"from", cq.from.String()},
			{"to", cq.to.String()},
			{"links", changesLinks(base, c.QueryParams(), cq, len(all))},
			{"features", features},
		})
		if err != nil {
			return nil, err
		}
		return m.newResponse(b), nil
	})
}

// changeFeature is one event as a GeoJSON feature at its site's point. Members without a value
// (the status before a site's first event, an empty note) are left out.
func changeFeature(ch geo.Change) object {
	s, e := ch.Site, ch.Event
	p := object{
		{"site", s.ID},
		{"name", s.Name},
		{"provider", s.Provider},
		{"kind", s.Kind},
		{"country", s.Country},
		{"date", e.Date.String()},
		{"earliest", e.Date.Earliest().String()},
		{"latest", e.Date.Latest().String()},
		{"precision", string(e.Date.Precision())},
	}
	if ch.Before != "" {
		p = append(p, member{"status_before", ch.Before})
	}
	p = append(p, member{"status_after", e.Status})
	if e.Note != "" {
		p = append(p, member{"note", e.Note})
	}
	p = append(p, member{"sources", sourcesJSON(e.Sources)})
	geom := object{{"type", "Point"}, {"coordinates", [2]float64{s.Point[0], s.Point[1]}}}
	return object{{"type", "Feature"}, {"id", ch.ID()}, {"geometry", geom}, {"properties", p}}
}

// sourcesJSON are an event's sources as the API shows them.
func sourcesJSON(srcs []*geo.Source) []sourceJSON {
	out := make([]sourceJSON, 0, len(srcs))
	for _, src := range srcs {
		out = append(out, sourceJSON{Title: src.Title, Publisher: src.Publisher, Date: src.Date.String(), URL: src.URL, Note: src.Note})
	}
	return out
}

// changesLinks are the self, alternate and paging links of a /changes page.
func changesLinks(base string, q url.Values, cq changesQuery, matched int) []link {
	href := func(path string, change map[string]string, drop ...string) string {
		v := url.Values{}
		for k, vals := range q {
			if !slices.Contains(drop, k) {
				v[k] = slices.Clone(vals)
			}
		}
		for k, val := range change {
			if val == "" {
				v.Del(k)
			} else {
				v.Set(k, val)
			}
		}
		if enc := v.Encode(); enc != "" {
			return base + path + "?" + enc
		}
		return base + path
	}
	links := []link{
		{Href: href("/changes", nil), Rel: relSelf, Type: mediaGeoJSON, Title: "This page"},
		{Href: href("/changes", map[string]string{paramF: "csv"}), Rel: relAlternate, Type: mediaCSV, Title: "This page as CSV"},
		{Href: href("/changes.atom", nil, paramLimit, paramOffset, paramF, paramDownload), Rel: relAlternate, Type: mediaAtom, Title: "These changes as an Atom feed"},
	}
	if next := cq.offset + cq.limit; next < matched {
		links = append(links, link{Href: href("/changes", map[string]string{paramOffset: strconv.Itoa(next), paramLimit: strconv.Itoa(cq.limit)}), Rel: relNext, Type: mediaGeoJSON, Title: "Next page"})
	}
	if cq.offset > 0 {
		off := ""
		if prev := max(0, cq.offset-cq.limit); prev > 0 {
			off = strconv.Itoa(prev)
		}
		links = append(links, link{Href: href("/changes", map[string]string{paramOffset: off, paramLimit: strconv.Itoa(cq.limit)}), Rel: relPrev, Type: mediaGeoJSON, Title: "Previous page"})
	}
	return links
}

// changesCSVColumns are the columns of /changes?f=csv.
func changesCSVColumns() []string {
	return []string{"id", "site", "name", "provider", "kind", "country", "country_name", "lon", "lat",
		"date", "earliest", "latest", "precision", "status_before", "status_after", "note", "sources"}
}

// encodeChangesCSV writes one row per event, for spreadsheets (see newSpreadsheetCSV).
func encodeChangesCSV(chs []geo.Change) ([]byte, error) {
	buf, w := newSpreadsheetCSV()
	if err := w.Write(changesCSVColumns()); err != nil {
		return nil, err
	}
	for _, ch := range chs {
		s, e := ch.Site, ch.Event
		name, _ := country.Lookup(s.Country)
		row := []string{ch.ID(), s.ID, s.Name, s.Provider, string(s.Kind), s.Country, name.Name,
			strconv.FormatFloat(s.Point[0], 'f', -1, 64), strconv.FormatFloat(s.Point[1], 'f', -1, 64),
			e.Date.String(), e.Date.Earliest().String(), e.Date.Latest().String(), string(e.Date.Precision()),
			string(ch.Before), string(e.Status), e.Note, sourceLines(e.Sources)}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// sourceLines is a CSV cell with one source per line: title (publisher, date) URL.
func sourceLines(srcs []*geo.Source) string {
	lines := make([]string, 0, len(srcs))
	for _, src := range srcs {
		line := fmt.Sprintf("%s (%s, %s)", src.Title, src.Publisher, src.Date)
		if src.URL != "" {
			line += " " + src.URL
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// changesPaths documents the changes endpoints in the OpenAPI document.
func changesPaths(s *Server) object {
	docs := s.paramDocs()
	own := map[string]paramDoc{
		paramFrom:   {paramFrom, "First day of the window (YYYY-MM-DD); default twelve months before to. An event belongs to the window when its latest day (the day it is certain) falls inside it.", object{{"type", "string"}, {"format", "date"}}},
		paramTo:     {paramTo, "Last day of the window (YYYY-MM-DD); default today. Must not be before from.", object{{"type", "string"}, {"format", "date"}}},
		paramStatus: {paramStatus, "Only events that move a site to one of these statuses (comma-separated: announced, active, closing, closed).", str()},
		paramOffset: {paramOffset, "How many matching events to skip; the next and prev links carry it.", object{{"type", "integer"}, {"minimum", 0}, {"default", 0}}},
		paramF:      {paramF, "Output format: GeoJSON or CSV (UTF-8 with a byte order mark, sources one per line in their cell).", strEnum("geojson", "json", "csv")},
	}
	params := func(names []string) []object {
		var ps []object
		for _, name := range names {
			d, ok := own[name]
			if !ok {
				d = docs[name]
			}
			ps = append(ps, object{{"name", d.name}, {"in", "query"}, {"description", d.description}, {"required", false}, {"schema", d.schema}})
		}
		return ps
	}
	op := func(summary string, names []string, responses object) object {
		return object{{"get", object{{"summary", summary}, {"parameters", params(names)}, {"responses", responses}}}}
	}
	return object{
		{"/changes", op("Events in a window, newest first: one GeoJSON feature per event at its site, with the date as written, its earliest and latest day and precision, the status before and after, the note and the sources", changesParams(), okResponse("A GeoJSON FeatureCollection with next/prev links, or CSV", mediaGeoJSON, mediaCSV))},
		{"/changes.atom", op("The same events as an Atom 1.0 feed (RFC 4287): entry ids are tag: URIs of the site id and event, updated is the dataset's date (the first day of its newest source), each entry links the viewer at the site on the event's latest day and gives the site's kind (public, government, sovereign or partner) as its category, in the scheme of the queryables' kind, and in its content", changeFilterParams(), okResponse("An Atom feed", mediaAtom))},
	}
}
