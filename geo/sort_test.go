package geo

import (
	"slices"
	"testing"
)

func TestSortMatches(t *testing.T) {
	match := func(id, name, country string, events ...string) Match {
		s := &Site{ID: id, Name: name, Country: country}
		for i := 0; i+1 < len(events); i += 2 {
			st, err := ParseStatus(events[i+1])
			if err != nil {
				t.Fatal(err)
			}
			s.Events = append(s.Events, Event{Date: mustDate(t, events[i]), Status: st})
		}
		return Match{Site: s, State: s.At(mustDate(t, "2030-01-01").Latest())}
	}
	ms := []Match{
		match("c", "beta", "SG", "2017", "active"),
		match("a", "Alpha", "CN", "2016-11-21", "announced", "2017-02", "active", "2024-06-27", "closing"),
		match("b", "alpha", "US", "2015", "active", "2020-01-01", "closing", "2021", "closed"),
		match("d", "Delta", "CN", "2018-03-01", "announced"),
	}
	tests := []struct {
		keys []string
		want []string
	}{
		{nil, []string{"a", "b", "c", "d"}},
		{[]string{"name"}, []string{"a", "b", "c", "d"}},
		{[]string{"-name"}, []string{"d", "c", "a", "b"}},
		{[]string{"country", "-id"}, []string{"d", "a", "c", "b"}},
		{[]string{"status"}, []string{"d", "c", "a", "b"}},
		{[]string{"opened"}, []string{"b", "c", "a", "d"}},
		{[]string{"-opened"}, []string{"a", "c", "b", "d"}},
		{[]string{"closing"}, []string{"b", "a", "c", "d"}},
		{[]string{"-closing"}, []string{"a", "b", "c", "d"}},
		{[]string{"announced"}, []string{"a", "d", "b", "c"}},
		{[]string{"closed", "name"}, []string{"b", "a", "c", "d"}},
	}
	for _, tt := range tests {
		got := slices.Clone(ms)
		SortMatches(got, tt.keys)
		var ids []string
		for _, m := range got {
			ids = append(ids, m.Site.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("sort by %v: %v, want %v", tt.keys, ids, tt.want)
		}
	}
	if !slices.Contains(SortFields(), "closing") {
		t.Errorf("SortFields %v leaves out closing", SortFields())
	}
}

func TestFirstDate(t *testing.T) {
	s := &Site{Events: []Event{
		{Date: mustDate(t, "2016"), Status: StatusActive},
		{Date: mustDate(t, "2020"), Status: StatusClosing},
		{Date: mustDate(t, "2021"), Status: StatusActive},
	}}
	for _, tt := range []struct{ property, want string }{
		{"opened", "2016"}, {"closing", "2020"}, {"announced", ""}, {"closed", ""}, {"name", ""},
	} {
		got := ""
		if d := s.FirstDate(tt.property); d != nil {
			got = d.String()
		}
		if got != tt.want {
			t.Errorf("FirstDate(%q) = %q, want %q", tt.property, got, tt.want)
		}
	}
}
