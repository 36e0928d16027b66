package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// Counts is how many sites are in each status at a day, and how many of them have a change pending.
type Counts struct {
	Announced int `json:"announced"`
	Active    int `json:"active"`
	Closing   int `json:"closing"`
	Closed    int `json:"closed"`
	Pending   int `json:"pending"`
}

// Add counts one site in state st.
func (c *Counts) Add(st State) {
	switch st.Status {
	case StatusAnnounced:
		c.Announced++
	case StatusActive:
		c.Active++
	case StatusClosing:
		c.Closing++
	case StatusClosed:
		c.Closed++
	}
	if st.Pending != nil {
		c.Pending++
	}
}

// InService is the number of sites active or closing.
func (c Counts) InService() int { return c.Active + c.Closing }

// Total is the number of sites that exist, whatever their status.
func (c Counts) Total() int { return c.Announced + c.Active + c.Closing + c.Closed }

// CountsAt counts the sites that pass f at day t.
func (d *Dataset) CountsAt(t Day, f Filter) Counts {
	var c Counts
	for _, m := range d.Select(t, f) {
		c.Add(m.State)
	}
	return c
}

// DayCounts is the counts at one day.
type DayCounts struct {
	Date Day `json:"date"`
	Counts
}

// YearCounts is the counts at the end of a year (or at the timeline's last day, for its last year).
type YearCounts struct {
	Year int `json:"year"`
	Counts
}

// Timeline is the counts of the sites that pass a filter over time.
type Timeline struct {
	// Changes holds the counts on every day a status becomes certain, in order.
	Changes []DayCounts `json:"changes"`
	// Years holds the counts at the end of each year from the first change to the last day.
	Years []YearCounts `json:"years"`
}

// Timeline returns the counts of the sites passing f on every day a status becomes certain, and at
// the end of every year, up to and including day until.
func (d *Dataset) Timeline(f Filter, until Day) Timeline {
	sites := make([]*Site, len(d.Sites))
	for i := range d.Sites {
		sites[i] = &d.Sites[i]
	}
	return timelineOf(sites, f, until)
}

// ProviderTimelines returns the timeline of each provider's sites passing f (whatever providers f
// names), in the order of d.Providers: like Timeline, but on the days that provider's own sites
// change. The work is that of one Timeline, however many providers there are.
func (d *Dataset) ProviderTimelines(f Filter, until Day) []Timeline {
	f.Providers = nil
	index := make(map[string]int, len(d.Providers))
	for i, p := range d.Providers {
		index[p.ID] = i
	}
	groups := make([][]*Site, len(d.Providers))
	for i := range d.Sites {
		if p, ok := index[d.Sites[i].Provider]; ok {
			groups[p] = append(groups[p], &d.Sites[i])
		}
	}
	out := make([]Timeline, len(groups))
	for i, g := range groups {
		out[i] = timelineOf(g, f, until)
	}
	return out
}

// timelineOf is the timeline of sites. A site's state changes only on the first or last day of one
// of its events, so it is worked out there only, once per site; the counts at any day are then the
// sum of the changes up to it. The work grows with the number of events, not with events × days.
func timelineOf(sites []*Site, f Filter, until Day) Timeline {
	var days []Day
	for _, s := range sites {
		for _, e := range s.Events {
			if day := e.Date.Latest(); day <= until {
				days = append(days, day)
			}
		}
	}
	slices.Sort(days)
	days = slices.Compact(days)
	tl := Timeline{Changes: make([]DayCounts, 0, len(days))}
	if len(days) == 0 {
		return tl
	}
	deltas := countChanges(sites, f, until)
	sum := sweep(deltas)
	for _, day := range days {
		tl.Changes = append(tl.Changes, DayCounts{Date: day, Counts: sum(day)})
	}
	sum = sweep(deltas)
	for y := days[0].Year(); y <= until.Year(); y++ {
		day := min(DayOf(y, 12, 31), until)
		tl.Years = append(tl.Years, YearCounts{Year: y, Counts: sum(day)})
	}
	return tl
}

// countChange is how the counts change on a day.
type countChange struct {
	day Day
	by  Counts // signed
}

// countChanges returns the changes to the counts of the sites passing f, up to day until, by day.
func countChanges(sites []*Site, f Filter, until Day) []countChange {
	var out []countChange
	var turns []Day
	for _, s := range sites {
		turns = turns[:0]
		for _, e := range s.Events {
			turns = append(turns, e.Date.Earliest(), e.Date.Latest())
		}
		slices.Sort(turns)
		turns = slices.Compact(turns)
		var prev Counts
		for _, day := range turns {
			if day > until {
				break
			}
			var cur Counts
			if st := s.At(day); f.Match(s, st) {
				cur.Add(st)
			}
			if cur != prev {
				out = append(out, countChange{day, cur.minus(prev)})
				prev = cur
			}
		}
	}
	slices.SortStableFunc(out, func(a, b countChange) int { return int(a.day) - int(b.day) })
	return out
}

// sweep returns a function giving the counts at a day from the changes; it must be asked for days in
// increasing order.
func sweep(changes []countChange) func(Day) Counts {
	var c Counts
	next := 0
	return func(day Day) Counts {
		for ; next < len(changes) && changes[next].day <= day; next++ {
			c = c.plus(changes[next].by)
		}
		return c
	}
}

func (c Counts) plus(o Counts) Counts {
	return Counts{c.Announced + o.Announced, c.Active + o.Active, c.Closing + o.Closing, c.Closed + o.Closed, c.Pending + o.Pending}
}

func (c Counts) minus(o Counts) Counts {
	return Counts{c.Announced - o.Announced, c.Active - o.Active, c.Closing - o.Closing, c.Closed - o.Closed, c.Pending - o.Pending}
}

// Bound returns the smallest box holding every site.
func (d *Dataset) Bound() orb.Bound {
	if len(d.Sites) == 0 {
		return orb.Bound{}
	}
	b := d.Sites[0].Point.Bound()
	for i := range d.Sites[1:] {
		b = b.Extend(d.Sites[i+1].Point)
	}
	return b
}

// TimeExtent returns the first and last days any event can mean.
func (d *Dataset) TimeExtent() (first, last Day) {
	started := false
	for i := range d.Sites {
		for _, e := range d.Sites[i].Events {
			if !started || e.Date.Earliest() < first {
				first = e.Date.Earliest()
			}
			if !started || e.Date.Latest() > last {
				last = e.Date.Latest()
			}
			started = true
		}
	}
	return first, last
}
