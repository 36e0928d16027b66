package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestCountsAt(t *testing.T) {
	d := testDataset(t)
	tests := []struct {
		at   string
		want Counts
	}{
		{"2011-12-31", Counts{Active: 1}},
		{"2016-11-21", Counts{Active: 2, Announced: 2, Pending: 1}},
		{"2016-12-10", Counts{Active: 3, Announced: 1, Pending: 1}},
		{"2024-07-01", Counts{Active: 3, Closing: 1}},
		{"2025-09-24", Counts{Active: 3, Closed: 1, Announced: 1}},
		{"2026-06-17", Counts{Active: 4, Closed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			if got := d.CountsAt(mustDay(t, tt.at), Filter{}); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	d := testDataset(t)
	tl := d.Timeline(Filter{}, mustDay(t, "2026-11-23"))
	wantDays := []string{"2011-12-31", "2014-05-31", "2016-11-21", "2016-11-30", "2016-12-31", "2024-06-27", "2024-09-30", "2025-09-24", "2026-06-17"}
	if len(tl.Changes) != len(wantDays) {
		t.Fatalf("got %d changes, want %d: %+v", len(tl.Changes), len(wantDays), tl.Changes)
	}
	for i, w := range wantDays {
		if got := tl.Changes[i].Date.String(); got != w {
			t.Errorf("change %d on %s, want %s", i, got, w)
		}
	}
	if got, want := tl.Changes[len(tl.Changes)-1].Counts, (Counts{Active: 4, Closed: 1}); got != want {
		t.Errorf("last change %+v, want %+v", got, want)
	}
	if got, want := len(tl.Years), 2026-2011+1; got != want {
		t.Fatalf("got %d years, want %d", got, want)
	}
	y2016 := tl.Years[2016-2011]
	if want := (Counts{Active: 4}); y2016.Year != 2016 || y2016.Counts != want {
		t.Errorf("2016: %+v, want %+v", y2016, want)
	}
	if got := tl.Years[len(tl.Years)-1].Counts; got.Active != 4 || got.Closed != 1 {
		t.Errorf("2026 (to 2026-11-23): %+v", got)
	}

	cut := d.Timeline(Filter{Countries: []string{"AU"}}, mustDay(t, "2024-07-01"))
	if got := cut.Changes[len(cut.Changes)-1]; got.Date.String() != "2024-06-27" || got.Closing != 1 {
		t.Errorf("filtered timeline to 2024-07-01 ends with %+v", got)
	}
	if empty := d.Timeline(Filter{}, mustDay(t, "2000-01-01")); len(empty.Changes) != 0 || len(empty.Years) != 0 {
		t.Errorf("timeline before any event: %+v", empty)
	}
}

func TestExtents(t *testing.T) {
	d := testDataset(t)
	if got, want := d.Bound(), (orb.Bound{Min: orb.Point{2.35, -33.87}, Max: orb.Point{151.21, 50.11}}); got != want {
		t.Errorf("Bound = %v, want %v", got, want)
	}
	first, last := d.TimeExtent()
	if first.String() != "2011-01-01" || last.String() != "2026-06-17" {
		t.Errorf("TimeExtent = %s, %s", first, last)
	}
	if (&Dataset{}).Bound() != (orb.Bound{}) {
		t.Error("empty dataset has a bound")
	}
}
