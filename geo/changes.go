package geo

import (
	"cmp"
	"slices"
	"strconv"
)

// Change is one event of a site seen as a change: the status the site had before it and the one
// it moved to.
type Change struct {
	Site  *Site
	Event *Event
	// Before is the status of the site's previous event, empty for its first event.
	Before Status
	// Key names the event within its site, stably across edits of its date or note: its status,
	// followed by -2, -3… for the second and later events of the same status (e.g. "active-2").
	Key string
}

// ID identifies the change across the dataset: the site id and the event key, e.g.
// alibaba-cn-nanjing/closing.
func (c Change) ID() string { return c.Site.ID + "/" + c.Key }

// Changes returns the events whose latest day falls between from and to (both included) of the
// sites that pass f, newest first. An event counts on its latest day, when it is certain: a
// closing "between 2022-06-02 and 2026" belongs to a window that holds 2026-12-31. f.Statuses
// select the status an event moves to; f.Bound and f.During are ignored.
func (d *Dataset) Changes(from, to Day, f Filter) []Change {
	sites := f
	sites.Statuses, sites.Bound, sites.During = nil, nil, nil
	var out []Change
	for i := range d.Sites {
		s := &d.Sites[i]
		seen := map[Status]int{}
		for j := range s.Events {
			e := &s.Events[j]
			seen[e.Status]++
			day := e.Date.Latest()
			if day < from || day > to {
				continue
			}
			if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, e.Status) {
				continue
			}
			if !sites.Match(s, s.At(day)) {
				continue
			}
			c := Change{Site: s, Event: e, Key: string(e.Status)}
			if n := seen[e.Status]; n > 1 {
				c.Key += "-" + strconv.Itoa(n)
			}
			if j > 0 {
				c.Before = s.Events[j-1].Status
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Change) int {
		return cmp.Or(
			cmp.Compare(b.Event.Date.Latest(), a.Event.Date.Latest()),
			cmp.Compare(b.Event.Date.Earliest(), a.Event.Date.Earliest()),
			cmp.Compare(a.ID(), b.ID()),
		)
	})
	return out
}

// Updated is the day the dataset was last known to change: the earliest day the newest of its
// sources can have been published. It moves only when the data cites a newer source, so it is
// the same for every copy of the same data, and a feed built from the data changes date with it.
func (d *Dataset) Updated() Day {
	var last Day
	for i := range d.Sites {
		s := &d.Sites[i]
		if s.ZonesSource != nil {
			last = max(last, s.ZonesSource.Date.Earliest())
		}
		for _, e := range s.Events {
			for _, src := range e.Sources {
				last = max(last, src.Date.Earliest())
			}
		}
	}
	return last
}
