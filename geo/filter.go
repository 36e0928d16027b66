package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// Interval is a span of days, both ends included; an open end is unbounded.
type Interval struct {
	From, To         Day
	OpenFrom, OpenTo bool
}

// Overlaps reports whether the interval shares a day with the span from..until (until open when
// untilOpen).
func (iv Interval) Overlaps(from, until Day, untilOpen bool) bool {
	if !iv.OpenTo && iv.To < from {
		return false
	}
	if !iv.OpenFrom && !untilOpen && until < iv.From {
		return false
	}
	return true
}

// Filter selects sites. Empty fields select everything; set fields must all match.
type Filter struct {
	Providers []string // provider ids
	Kinds     []Kind   // who the site serves and who runs it
	Statuses  []Status // status at the chosen day
	Countries []string // ISO 3166-1 alpha-2 codes
	Bound     *orb.Bound
	Query     string    // text in name, city, region code or id, ignoring case
	During    *Interval // the site's lifetime overlaps this interval
}

// Match reports whether a site in state st passes the filter. A site that does not exist never does.
func (f *Filter) Match(s *Site, st State) bool {
	if !st.Exists() {
		return false
	}
	if len(f.Providers) > 0 && !slices.Contains(f.Providers, s.Provider) {
		return false
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, s.Kind) {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, st.Status) {
		return false
	}
	if len(f.Countries) > 0 && !slices.Contains(f.Countries, s.Country) {
		return false
	}
	if f.Bound != nil && !f.Bound.Contains(s.Point) {
		return false
	}
	if f.During != nil {
		from, until, closed, ok := s.Lifetime()
		if !ok || !f.During.Overlaps(from, until, !closed) {
			return false
		}
	}
	return s.Matches(f.Query)
}

// Match is a site with its state at the day it was selected for.
type Match struct {
	Site  *Site
	State State
}

// Select returns the sites that exist at day t and pass f, in dataset order.
func (d *Dataset) Select(t Day, f Filter) []Match {
	var out []Match
	for i := range d.Sites {
		s := &d.Sites[i]
		if st := s.At(t); f.Match(s, st) {
			out = append(out, Match{Site: s, State: st})
		}
	}
	return out
}
