package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dcatlas/geo"
	"dcatlas/geo/country"
)

// propertyNames are the properties of a site feature, in output order. Each EDTF date is followed
// by its earliest and latest day as plain dates (see dateBounds).
func propertyNames() []string {
	return []string{"name", "provider", "kind", "region", "city", "country", "partner", "zones",
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
		return m.Site.FirstDate(name)
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
	case "kind":
		return s.Kind
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
		return dateOrNil(s.FirstDate(name))
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

// csvColumns are the CSV columns after id, lon and lat: the properties without the notes, which
// are long prose, with the country's name beside its code, then the sources' addresses.
func csvColumns() []string {
	var cols []string
	for _, name := range propertyNames() {
		switch name {
		case "notes":
		case "country":
			cols = append(cols, "country", "country_name")
		default:
			cols = append(cols, name)
		}
	}
	return append(cols, "sources")
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
