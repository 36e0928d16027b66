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
	var days []Day
	for i := range d.Sites {
		for _, e := range d.Sites[i].Events {
			if day := e.Date.Latest(); day <= until {
				days = append(days, day)
			}
		}
	}
	slices.Sort(days)
	days = slices.Compact(days)
	tl := Timeline{Changes: make([]DayCounts, 0, len(days))}
	for _, day := range days {
		tl.Changes = append(tl.Changes, DayCounts{Date: day, Counts: d.CountsAt(day, f)})
	}
	if len(days) == 0 {
		return tl
	}
	for y := days[0].Year(); y <= until.Year(); y++ {
		day := min(DayOf(y, 12, 31), until)
		tl.Years = append(tl.Years, YearCounts{Year: y, Counts: d.CountsAt(day, f)})
	}
	return tl
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
