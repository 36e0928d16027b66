package geo

import (
	"slices"
	"testing"
)

func TestChanges(t *testing.T) {
	ds := &Dataset{Sites: []Site{
		site(t, "seoul", "2022-03", "active", "2025-06", "active"),
		site(t, "nanjing", "2021/2022-06-02", "active", "2022-06-02/2026", "closing"),
		site(t, "sydney", "2016-11-21", "announced", "2016-12~", "active", "2024-06-27", "closing", "2024-09-30", "closed"),
	}}
	ds.Sites[1].Country = "KR" // only seoul and nanjing differ by country below
	ds.Sites[0].Country = "KR"
	// change is "id key before", newest first.
	tests := []struct {
		name     string
		from, to string
		f        Filter
		want     []string
	}{
		{"a year", "2024-01-01", "2024-12-31", Filter{}, []string{"sydney/closed closing", "sydney/closing active"}},
		{"latest day decides: a month counts on its last day", "2025-06-30", "2025-06-30", Filter{}, []string{"seoul/active-2 active"}},
		{"a month's earlier days do not", "2025-06-01", "2025-06-29", Filter{}, nil},
		{"a ranged closing counts when certain", "2026-12-31", "2027-12-31", Filter{}, []string{"nanjing/closing active"}},
		{"not before", "2022-06-02", "2026-12-30", Filter{}, []string{"seoul/active-2 active", "sydney/closed closing", "sydney/closing active", "nanjing/active "}},
		{"approximate month", "2016-12-31", "2016-12-31", Filter{}, []string{"sydney/active announced"}},
		{"status is the status moved to", "2000-01-01", "2030-01-01", Filter{Statuses: []Status{StatusClosing}}, []string{"nanjing/closing active", "sydney/closing active"}},
		{"country", "2000-01-01", "2030-01-01", Filter{Countries: []string{"KR"}}, []string{"nanjing/closing active", "seoul/active-2 active", "nanjing/active ", "seoul/active "}},
		{"query", "2000-01-01", "2030-01-01", Filter{Query: "SEO"}, []string{"seoul/active-2 active", "seoul/active "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range ds.Changes(mustDay(t, tt.from), mustDay(t, tt.to), tt.f) {
				if c.Event.Status != Status(c.Key[:len(c.Event.Status)]) {
					t.Errorf("%s: key %q does not start with the event's status %q", c.ID(), c.Key, c.Event.Status)
				}
				got = append(got, c.ID()+" "+string(c.Before))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Changes(%s, %s) =\n%q\nwant\n%q", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestDatasetUpdated(t *testing.T) {
	ds := &Dataset{Sites: []Site{site(t, "a", "2020", "active"), site(t, "b", "2021", "active")}}
	ds.Sites[0].Events[0].Sources = []*Source{{Date: mustDate(t, "2024-05-06")}, {Date: mustDate(t, "2023")}}
	ds.Sites[1].Events[0].Sources = []*Source{{Date: mustDate(t, "2025-02")}}
	if got := ds.Updated().String(); got != "2025-02-01" {
		t.Errorf("Updated = %s, want 2025-02-01 (the first day of the newest source)", got)
	}
}
