package api

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"dcatlas/geo"
)

// The one query layer of the service: every endpoint, and every command that takes the same
// filters, parses a query here, cuts it into parts with pick and keys its answer with cacheKey.

// siteQuery is a parsed items, timeline or tile query, with its filters normalized.
type siteQuery struct {
	at           geo.Day
	atGiven      bool
	filter       geo.Filter
	limit        int
	offset       int
	sortby       []string
	properties   []string // nil means all
	skipGeometry bool
	format       string // "geojson" or "csv"
	download     bool
}

// filterParams are the parameters every site query accepts.
func filterParams() []string {
	return []string{paramAt, paramStatus, paramProvider, paramKind, paramCountry, paramQ, paramBbox, paramDatetime}
}

// ParseFilter parses the site filters of a query (at, status, provider, kind, country, q, bbox,
// datetime) exactly as the items endpoint does: the day (today when at is absent) and the filter,
// or a *Problem naming the bad parameter. The dataset gives the provider ids. Commands that take
// the same filters use it.
func ParseFilter(q url.Values, ds *geo.Dataset, today geo.Day) (geo.Day, geo.Filter, error) {
	sq, err := parseSiteQuery(q, ds, today, filterParams()...)
	return sq.at, sq.filter, err
}

// parseSiteQuery parses the query of the server's dataset at the server's today.
func (s *Server) parseSiteQuery(q url.Values, allowed ...string) (siteQuery, error) {
	return parseSiteQuery(q, s.ds, s.today(), allowed...)
}

// parseSiteQuery parses the filter parameters of q and whichever of the others are allowed; at
// defaults to today.
func parseSiteQuery(q url.Values, ds *geo.Dataset, today geo.Day, allowed ...string) (siteQuery, error) {
	sq := siteQuery{limit: defaultLimit, format: "geojson", at: today}
	if err := checkParams(q, allowed...); err != nil {
		return sq, err
	}
	var err error
	for name, vals := range q {
		v := vals[0]
		switch name {
		case paramAt:
			sq.at, err = parseDayParam(paramAt, v)
			sq.atGiven = true
		case paramStatus:
			sq.filter.Statuses, err = parseStatuses(v)
		case paramProvider:
			sq.filter.Providers, err = parseProviders(v, ds.Providers)
		case paramKind:
			sq.filter.Kinds, err = parseKinds(v)
		case paramCountry:
			sq.filter.Countries, err = parseCountries(v)
		case paramQ:
			sq.filter.Query, err = parseQuery(v)
		case paramBbox:
			b, e := parseBbox(v)
			sq.filter.Bound, err = &b, e
		case paramDatetime:
			iv, e := parseDatetime(v)
			sq.filter.During, err = &iv, e
		case paramLimit:
			sq.limit, err = parseLimit(v)
		case paramOffset:
			sq.offset, err = parseOffset(v)
		case paramSortby:
			sq.sortby, err = parseSortby(v)
		case paramProperties:
			sq.properties, err = parseProperties(v)
		case paramSkipGeometry:
			sq.skipGeometry, err = parseBool(paramSkipGeometry, v)
		case paramDownload:
			sq.download, err = parseBool(paramDownload, v)
		case paramF:
			sq.format, err = parseFormat(v)
		}
		if err != nil {
			return sq, err
		}
	}
	return sq, nil
}

// pick returns the part of q under the given names: the one way a query is cut into the parts
// that different parsers read.
func pick(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, k := range names {
		if v, ok := q[k]; ok {
			out[k] = v
		}
	}
	return out
}

const acceptedFormat = "geojson (default), json or csv"

func parseFormat(v string) (string, error) {
	switch strings.ToLower(v) {
	case "geojson", "json":
		return "geojson", nil
	case "csv":
		return "csv", nil
	}
	return "", badParam(paramF, acceptedFormat, "unknown format %q", v)
}

func parseSortby(v string) ([]string, error) {
	fields := geo.SortFields()
	accepted := "a comma-separated list of " + strings.Join(fields, ", ") + ", each optionally prefixed + (ascending) or - (descending)"
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		name := strings.TrimLeft(f, "+-")
		if len(f)-len(name) > 1 || !slices.Contains(fields, name) {
			return nil, badParam(paramSortby, accepted, "cannot sort by %q", f)
		}
		if strings.HasPrefix(f, "+") {
			f = name
		}
		out = append(out, f)
	}
	return out, nil
}

func parseProperties(v string) ([]string, error) {
	accepted := "a comma-separated list of " + strings.Join(propertyNames(), ", ")
	names, err := parseList(paramProperties, v, accepted)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !slices.Contains(propertyNames(), n) {
			return nil, badParam(paramProperties, accepted, "unknown property %q", n)
		}
	}
	return names, nil
}

// cacheKey is the key an answer is cached under: its route, then every input the answer depends
// on, each named. Two requests share an answer exactly when their keys are equal. Build it with
// keyOf and with; a raw request key (see Server.appendRawKey) never starts like one.
type cacheKey string

// keyOf starts the key of an answer of route, such as /tiles/sites/2/3/1.mvt or web:page.
func keyOf(route string) cacheKey { return cacheKey(route) }

// with adds an input to the key.
func (k cacheKey) with(name string, v any) cacheKey {
	return k + cacheKey(fmt.Sprintf("\x00%s=%v", name, v))
}

// withQuery adds the normalized site query to the key. Whether at was given changes the caching
// policy, so it is part of the key.
func (k cacheKey) withQuery(sq siteQuery) cacheKey {
	f := sq.filter
	k = k.with("at", sq.at).with("given", sq.atGiven).with("s", f.Statuses).with("p", f.Providers).with("k", f.Kinds).
		with("c", f.Countries).with("q", f.Query)
	if f.Bound != nil {
		k = k.with("bbox", *f.Bound)
	}
	if f.During != nil {
		k = k.with("dt", fmt.Sprintf("%+v", *f.During))
	}
	return k.with("l", sq.limit).with("o", sq.offset).with("sort", sq.sortby).with("props", sq.properties).
		with("sg", sq.skipGeometry).with("f", sq.format).with("dl", sq.download)
}

// cacheControl is the caching policy: answers that depend on today's date are kept shorter.
func (sq siteQuery) cacheControl() string {
	if sq.atGiven {
		return "public, max-age=3600, stale-while-revalidate=86400"
	}
	return "public, max-age=300, stale-while-revalidate=3600"
}
