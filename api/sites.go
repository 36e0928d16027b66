package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dcatlas/geo"
	"dcatlas/geo/country"
)

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
	return []string{paramAt, paramStatus, paramProvider, paramCountry, paramQ, paramBbox, paramDatetime}
}

// SiteFilter parses the site filters of a query (at, status, provider, country, q, bbox, datetime)
// exactly as the items endpoint does: the day (today when at is absent) and the filter, or a
// *Problem naming the bad parameter. Commands that take the same filters use it.
func (s *Server) SiteFilter(q url.Values) (geo.Day, geo.Filter, error) {
	sq, err := s.parseSiteQuery(q, filterParams()...)
	return sq.at, sq.filter, err
}

// parseSiteQuery parses the filter parameters of q and whichever of the others are allowed.
func (s *Server) parseSiteQuery(q url.Values, allowed ...string) (siteQuery, error) {
	sq := siteQuery{limit: defaultLimit, format: "geojson", at: s.today()}
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
			sq.filter.Providers, err = s.parseProviders(v)
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

// sortFields are the properties items can be sorted by.
func sortFields() []string {
	return []string{"id", "name", "country", "region", "city", "status", "announced", "opened", "closed"}
}

func parseSortby(v string) ([]string, error) {
	accepted := "a comma-separated list of " + strings.Join(sortFields(), ", ") + ", each optionally prefixed + (ascending) or - (descending)"
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		name := strings.TrimLeft(f, "+-")
		if len(f)-len(name) > 1 || !slices.Contains(sortFields(), name) {
			return nil, badParam(paramSortby, accepted, "cannot sort by %q", f)
		}
		if strings.HasPrefix(f, "+") {
			f = name
		}
		out = append(out, f)
	}
	return out, nil
}

// propertyNames are the properties of a site feature, in output order. Each EDTF date is followed
// by its earliest and latest day as plain dates (see dateBounds).
func propertyNames() []string {
	return []string{"name", "provider", "region", "city", "country", "partner", "zones",
		"status", "status_date", "status_date_earliest", "status_date_latest", "status_precision",
		"pending_status", "pending_date", "pending_date_earliest", "pending_date_latest", "at",
		"announced", "announced_earliest", "announced_latest", "opened", "opened_earliest", "opened_latest",
		"closing", "closing_earliest", "closing_latest", "closed", "closed_earliest", "closed_latest",
		"notes", "events"}
}

// omitWhenEmpty reports whether a property is left out of a feature, rather than null, when it has
// no value: the number and plain-date properties. Their schema gives a single type name, the only
// form GDAL's OAPIF driver reads (it types a field whose type is ["integer", "null"] as text).
func omitWhenEmpty(name string) bool {
	_, _, isBound := dateBounds(name)
	return isBound || name == "zones"
}

// dateBounds splits a property name such as opened_earliest into the EDTF date property it bounds
// (opened) and which end; ok is false for other names.
func dateBounds(name string) (date string, latest, ok bool) {
	if d, found := strings.CutSuffix(name, "_earliest"); found {
		return d, false, true
	}
	if d, found := strings.CutSuffix(name, "_latest"); found {
		return d, true, true
	}
	return "", false, false
}

// siteDate is the EDTF date behind a date property of a site in its state, or nil.
func siteDate(m geo.Match, name string) *geo.Date {
	switch name {
	case "status_date":
		if m.State.Since != nil {
			return &m.State.Since.Date
		}
	case "pending_date":
		if m.State.Pending != nil {
			return &m.State.Pending.Date
		}
	case "announced", "opened", "closing", "closed":
		return firstDate(m.Site, name)
	}
	return nil
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

// key is the normalized query, used for caching and ETags.
func (sq siteQuery) key() string {
	f := sq.filter
	var b strings.Builder
	// Whether at was given changes the caching policy, so it is part of the key.
	fmt.Fprintf(&b, "at=%s&given=%v&s=%v&p=%v&c=%v&q=%s", sq.at, sq.atGiven, f.Statuses, f.Providers, f.Countries, f.Query)
	if f.Bound != nil {
		fmt.Fprintf(&b, "&bbox=%v", *f.Bound)
	}
	if f.During != nil {
		fmt.Fprintf(&b, "&dt=%+v", *f.During)
	}
	fmt.Fprintf(&b, "&l=%d&o=%d&sort=%v&props=%v&sg=%v&f=%s&dl=%v", sq.limit, sq.offset, sq.sortby, sq.properties, sq.skipGeometry, sq.format, sq.download)
	return b.String()
}

// cacheControl is the caching policy: answers that depend on today's date are kept shorter.
func (sq siteQuery) cacheControl() string {
	if sq.atGiven {
		return "public, max-age=3600, stale-while-revalidate=86400"
	}
	return "public, max-age=300, stale-while-revalidate=3600"
}

// sortMatches orders matches by the sortby keys, then by id.
func sortMatches(ms []geo.Match, keys []string) {
	slices.SortStableFunc(ms, func(a, b geo.Match) int {
		for _, k := range keys {
			desc := strings.HasPrefix(k, "-")
			field := strings.TrimPrefix(k, "-")
			if c := compareMissing(a, b, field); c != 0 {
				return c // sites without the date sort last, whatever the direction
			}
			c := compareBy(a, b, field)
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a.Site.ID, b.Site.ID)
	})
}

func compareBy(a, b geo.Match, field string) int {
	switch field {
	case "id":
		return strings.Compare(a.Site.ID, b.Site.ID)
	case "name":
		return strings.Compare(strings.ToLower(a.Site.Name), strings.ToLower(b.Site.Name))
	case "country":
		return strings.Compare(a.Site.Country, b.Site.Country)
	case "region":
		return strings.Compare(a.Site.Region, b.Site.Region)
	case "city":
		return strings.Compare(a.Site.City, b.Site.City)
	case "status":
		order := geo.Statuses()
		return slices.Index(order[:], a.State.Status) - slices.Index(order[:], b.State.Status)
	}
	da, db := firstDate(a.Site, field), firstDate(b.Site, field)
	if da == nil || db == nil {
		return 0
	}
	if c := int(da.Earliest()) - int(db.Earliest()); c != 0 {
		return c
	}
	return int(da.Latest()) - int(db.Latest())
}

// compareMissing orders a site without the date field after one with it.
func compareMissing(a, b geo.Match, field string) int {
	if !slices.Contains([]string{"announced", "opened", "closed"}, field) {
		return 0
	}
	ma, mb := firstDate(a.Site, field) == nil, firstDate(b.Site, field) == nil
	switch {
	case ma && !mb:
		return 1
	case mb && !ma:
		return -1
	}
	return 0
}

// eventStatus maps a date property to the status whose first event gives it.
func eventStatus(field string) geo.Status {
	switch field {
	case "announced":
		return geo.StatusAnnounced
	case "opened":
		return geo.StatusActive
	case "closing":
		return geo.StatusClosing
	}
	return geo.StatusClosed
}

func firstDate(s *geo.Site, field string) *geo.Date {
	if e := s.First(eventStatus(field)); e != nil {
		return &e.Date
	}
	return nil
}

// dateOrNil is an EDTF date for JSON, or null.
func dateOrNil(d *geo.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func orNil[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// eventJSON is an event as the API shows it.
type eventJSON struct {
	Date      string       `json:"date"`
	Earliest  string       `json:"earliest"`
	Latest    string       `json:"latest"`
	Precision string       `json:"precision"`
	Status    geo.Status   `json:"status"`
	Note      string       `json:"note"`
	Sources   []sourceJSON `json:"sources"`
}

type sourceJSON struct {
	Title     string `json:"title"`
	Publisher string `json:"publisher"`
	Date      string `json:"date"`
	URL       string `json:"url,omitempty"`
	Note      string `json:"note,omitempty"`
}

func events(s *geo.Site) []eventJSON {
	out := make([]eventJSON, len(s.Events))
	for i, e := range s.Events {
		out[i] = eventJSON{Date: e.Date.String(), Earliest: e.Date.Earliest().String(), Latest: e.Date.Latest().String(),
			Precision: string(e.Date.Precision()), Status: e.Status, Note: e.Note}
		for _, src := range e.Sources {
			out[i].Sources = append(out[i].Sources, sourceJSON{Title: src.Title, Publisher: src.Publisher, Date: src.Date.String(), URL: src.URL, Note: src.Note})
		}
	}
	return out
}

// property returns the value of a named property of a site in its state at day at, nil when it
// has none.
func property(m geo.Match, at geo.Day, name string) any {
	s, st := m.Site, m.State
	if date, latest, ok := dateBounds(name); ok {
		d := siteDate(m, date)
		switch {
		case d == nil:
			return nil
		case latest:
			return d.Latest().String()
		}
		return d.Earliest().String()
	}
	switch name {
	case "name":
		return s.Name
	case "provider":
		return s.Provider
	case "region":
		return orNil(s.Region)
	case "city":
		return s.City
	case "country":
		return s.Country
	case "partner":
		return orNil(s.Partner)
	case "zones":
		return orNil(s.Zones)
	case "status":
		return st.Status
	case "status_date":
		return st.Since.Date.String()
	case "status_precision":
		return string(st.Since.Date.Precision())
	case "pending_status":
		if st.Pending == nil {
			return nil
		}
		return st.Pending.Status
	case "pending_date":
		if st.Pending == nil {
			return nil
		}
		return st.Pending.Date.String()
	case "at":
		return at.String()
	case "announced", "opened", "closing", "closed":
		return dateOrNil(firstDate(s, name))
	case "notes":
		return orNil(s.Notes)
	case "events":
		return events(s)
	}
	return nil
}

// feature is a site as a GeoJSON feature. A text property without a value is null, as the schema
// allows, because clients that type fields from the first page (QGIS 3.22) drop fields they do not
// see there; a number or plain-date property without a value is left out (see omitWhenEmpty).
func feature(m geo.Match, at geo.Day, props []string, skipGeometry bool) object {
	if props == nil {
		props = propertyNames()
	}
	p := make(object, 0, len(props))
	for _, name := range props {
		if v := property(m, at, name); v != nil || !omitWhenEmpty(name) {
			p = append(p, member{name, v})
		}
	}
	var geom any
	if !skipGeometry {
		geom = object{{"type", "Point"}, {"coordinates", [2]float64{m.Site.Point[0], m.Site.Point[1]}}}
	}
	return object{{"type", "Feature"}, {"id", m.Site.ID}, {"geometry", geom}, {"properties", p}}
}

// csvColumns are the CSV columns after id, lon and lat: the feature's properties, the country's
// name beside its code, and the sources instead of notes and events.
func csvColumns() []string {
	var cols []string
	for _, name := range propertyNames() {
		switch name {
		case "notes":
		case "events":
			cols = append(cols, "events", "sources")
		case "country":
			cols = append(cols, "country", "country_name")
		default:
			cols = append(cols, name)
		}
	}
	return cols
}

// encodeCSV writes one row per site, with lon/lat columns and the status at the date, for
// spreadsheets (see newSpreadsheetCSV). Sources are one URL per line in their cell.
func encodeCSV(ms []geo.Match, at geo.Day) ([]byte, error) {
	buf, w := newSpreadsheetCSV()
	if err := w.Write(append([]string{"id", "lon", "lat"}, csvColumns()...)); err != nil {
		return nil, err
	}
	for _, m := range ms {
		row := []string{m.Site.ID, strconv.FormatFloat(m.Site.Point[0], 'f', -1, 64), strconv.FormatFloat(m.Site.Point[1], 'f', -1, 64)}
		for _, col := range csvColumns() {
			switch col {
			case "events":
				var evs []string
				for _, e := range m.Site.Events {
					evs = append(evs, e.Date.String()+" "+string(e.Status))
				}
				row = append(row, strings.Join(evs, "; "))
			case "sources":
				var urls []string
				for _, e := range m.Site.Events {
					for _, src := range e.Sources {
						if src.URL != "" && !slices.Contains(urls, src.URL) {
							urls = append(urls, src.URL)
						}
					}
				}
				row = append(row, strings.Join(urls, "\n"))
			case "country_name":
				c, _ := country.Lookup(m.Site.Country)
				row = append(row, c.Name)
			default:
				v := property(m, at, col)
				if v == nil {
					row = append(row, "")
				} else {
					row = append(row, fmt.Sprint(v))
				}
			}
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
