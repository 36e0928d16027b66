package geo

import (
	"slices"
	"strings"
)

// FirstDate is the date of the site's first event named by a date property (announced, opened,
// closing or closed; see SiteFields), or nil when it has none or the name is not a date property.
func (s *Site) FirstDate(property string) *Date {
	for _, e := range siteEvents() {
		if e.name == property {
			if ev := s.First(e.status); ev != nil {
				return &ev.Date
			}
			return nil
		}
	}
	return nil
}

// isDateProperty reports whether name is a date property of a site.
func isDateProperty(name string) bool {
	return slices.ContainsFunc(siteEvents(), func(e siteEvent) bool { return e.name == name })
}

// SortFields are the properties matches can be sorted by.
func SortFields() []string {
	fields := []string{"id", "name", "country", "region", "city", "status"}
	for _, e := range siteEvents() {
		fields = append(fields, e.name)
	}
	return fields
}

// SortMatches orders matches by keys, then by site id. A key is a field of SortFields, prefixed
// "-" for descending order. Names compare without case; dates by their earliest, then latest day;
// a site without the date sorts last whatever the direction. Unknown fields compare equal.
func SortMatches(ms []Match, keys []string) {
	slices.SortStableFunc(ms, func(a, b Match) int {
		for _, k := range keys {
			field, desc := strings.CutPrefix(k, "-")
			if c := compareMissing(a, b, field); c != 0 {
				return c
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

func compareBy(a, b Match, field string) int {
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
		order := Statuses()
		return slices.Index(order[:], a.State.Status) - slices.Index(order[:], b.State.Status)
	}
	da, db := a.Site.FirstDate(field), b.Site.FirstDate(field)
	if da == nil || db == nil {
		return 0
	}
	if c := int(da.Earliest()) - int(db.Earliest()); c != 0 {
		return c
	}
	return int(da.Latest()) - int(db.Latest())
}

// compareMissing orders a site without the date field after one with it.
func compareMissing(a, b Match, field string) int {
	if !isDateProperty(field) {
		return 0
	}
	ma, mb := a.Site.FirstDate(field) == nil, b.Site.FirstDate(field) == nil
	switch {
	case ma && !mb:
		return 1
	case mb && !ma:
		return -1
	}
	return 0
}
