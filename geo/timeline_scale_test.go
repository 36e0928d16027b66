package geo_test

import (
	"os"
	"testing"

	"dcatlas/data"
	"dcatlas/data/synthetic"
	"dcatlas/geo"
)

// naiveTimeline is the timeline worked out day by day, as CountsAt does: the reference for the
// sweep in Dataset.Timeline.
func naiveTimeline(d *geo.Dataset, f geo.Filter, until geo.Day) geo.Timeline {
	want := d.Timeline(f, until) // only its days are used
	var tl geo.Timeline
	for _, c := range want.Changes {
		tl.Changes = append(tl.Changes, geo.DayCounts{Date: c.Date, Counts: d.CountsAt(c.Date, f)})
	}
	for _, y := range want.Years {
		day := min(geo.DayOf(y.Year, 12, 31), until)
		tl.Years = append(tl.Years, geo.YearCounts{Year: y.Year, Counts: d.CountsAt(day, f)})
	}
	return tl
}

// TestTimelineMatchesDayByDay compares the timeline with the counts worked out day by day, on the
// built-in data and on 500 generated sites, under filters that depend on the day (status) and
// those that do not.
func TestTimelineMatchesDayByDay(t *testing.T) {
	builtIn, err := data.Load(data.Embedded(), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := synthetic.Write(dir, synthetic.Spec{Sites: 500, Providers: 5, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	generated, err := data.Load(os.DirFS(dir), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	filters := map[string]geo.Filter{
		"none":    {},
		"active":  {Statuses: []geo.Status{geo.StatusActive}},
		"closing": {Statuses: []geo.Status{geo.StatusClosing, geo.StatusAnnounced}},
		"country": {Countries: []string{"CN", "JP"}},
		"q":       {Query: "1"},
	}
	for name, d := range map[string]*geo.Dataset{"built-in": builtIn, "generated": generated} {
		for fname, f := range filters {
			for _, until := range []string{"2016-06-30", "2026-11-23"} {
				day, _ := geo.ParseDay(until)
				got, want := d.Timeline(f, day), naiveTimeline(d, f, day)
				if len(got.Changes) != len(want.Changes) || len(got.Years) != len(want.Years) {
					t.Fatalf("%s, %s, until %s: lengths differ", name, fname, until)
				}
				for i := range got.Changes {
					if got.Changes[i] != want.Changes[i] {
						t.Fatalf("%s, %s, until %s: %+v, day by day %+v", name, fname, until, got.Changes[i], want.Changes[i])
					}
				}
				for i := range got.Years {
					if got.Years[i] != want.Years[i] {
						t.Fatalf("%s, %s, until %s: %+v, day by day %+v", name, fname, until, got.Years[i], want.Years[i])
					}
				}
			}
		}
		// Per provider: each provider's counts add up to the whole at the last day.
		day, _ := geo.ParseDay("2026-11-23")
		var sum geo.Counts
		for _, ptl := range d.ProviderTimelines(geo.Filter{}, day) {
			if n := len(ptl.Years); n > 0 {
				c := ptl.Years[n-1].Counts
				sum = geo.Counts{Announced: sum.Announced + c.Announced, Active: sum.Active + c.Active, Closing: sum.Closing + c.Closing, Closed: sum.Closed + c.Closed, Pending: sum.Pending + c.Pending}
			}
		}
		if all := d.CountsAt(day, geo.Filter{}); sum != all {
			t.Errorf("%s: providers add up to %+v, all sites %+v", name, sum, all)
		}
	}
}
