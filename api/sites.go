package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dcatlas/geo"
)

// propertyNames are the properties of a site feature, in output order.
func propertyNames() []string {
	return []string{"name", "provider", "region", "city", "country", "partner", "zones",
		"status", "status_date", "status_precision", "pending_status", "pending_date", "at",
		"announced", "opened", "closing", "closed", "notes", "events"}
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

// property returns the value of a named property of a site in its state at day at.
func property(m geo.Match, at geo.Day, name string) any {
	s, st := m.Site, m.State
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
		return dateOrNil(s.FirstDate(name))
	case "notes":
		return orNil(s.Notes)
	case "events":
		return events(s)
	}
	return nil
}

// feature is a site as a GeoJSON feature.
func feature(m geo.Match, at geo.Day, props []string, skipGeometry bool) object {
	if props == nil {
		props = propertyNames()
	}
	p := make(object, 0, len(props))
	for _, name := range props {
		p = append(p, member{name, property(m, at, name)})
	}
	var geom any
	if !skipGeometry {
		geom = object{{"type", "Point"}, {"coordinates", [2]float64{m.Site.Point[0], m.Site.Point[1]}}}
	}
	return object{{"type", "Feature"}, {"id", m.Site.ID}, {"geometry", geom}, {"properties", p}}
}

// csvColumns are the CSV columns after id, lon and lat: the properties without the notes, which
// are long prose, then the sources' addresses.
func csvColumns() []string {
	cols := slices.DeleteFunc(propertyNames(), func(n string) bool { return n == "notes" })
	return append(cols, "sources")
}

// encodeCSV writes one row per site, with lon/lat columns and the status at the date.
func encodeCSV(ms []geo.Match, at geo.Day) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
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
				row = append(row, strings.Join(urls, " "))
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
