package geo

import (
	"slices"
	"testing"
)

// site builds a site from (date, status) pairs.
func site(t testing.TB, id string, events ...string) Site {
	t.Helper()
	s := Site{ID: id, Provider: "test", Name: id, City: id, Country: "CN", Kind: KindPublic}
	for i := 0; i+1 < len(events); i += 2 {
		st, err := ParseStatus(events[i+1])
		if err != nil {
			t.Fatal(err)
		}
		s.Events = append(s.Events, Event{Date: mustDate(t, events[i]), Status: st})
	}
	return s
}

func TestSiteAt(t *testing.T) {
	v := readVectors(t)
	for _, tt := range v.At {
		t.Run(tt.Name, func(t *testing.T) {
			s := v.site(t, tt.Site)
			st := s.At(mustDay(t, tt.At))
			if got, want := st.Status, Status(tt.Status); got != want {
				t.Errorf("Status = %q, want %q", got, want)
			}
			if got, want := st.Exists(), tt.Status != ""; got != want {
				t.Errorf("Exists = %v, want %v", got, want)
			}
			var gotPending Status
			var gotDate string
			if st.Pending != nil {
				gotPending, gotDate = st.Pending.Status, st.Pending.Date.String()
			}
			if gotPending != Status(tt.Pending) || gotDate != tt.PendingDate {
				t.Errorf("Pending = %q %q, want %q %q", gotPending, gotDate, tt.Pending, tt.PendingDate)
			}
			if st.Exists() && st.Since.Status != st.Status {
				t.Errorf("Since.Status = %q, want %q", st.Since.Status, st.Status)
			}
			if tt.Since != "" && st.Since.Date.String() != tt.Since {
				t.Errorf("Since.Date = %s, want %s (when the status began)", st.Since.Date, tt.Since)
			}
		})
	}
}

func TestVectorWindows(t *testing.T) {
	v := readVectors(t)
	for _, w := range v.Windows {
		d := mustDate(t, w.Date)
		if d.Earliest().String() != w.Earliest || d.Latest().String() != w.Latest {
			t.Errorf("%s: window %s..%s, want %s..%s", w.Date, d.Earliest(), d.Latest(), w.Earliest, w.Latest)
		}
		if d.String() != w.Date {
			t.Errorf("%s: written back as %s", w.Date, d)
		}
	}
	for _, s := range v.InvalidDates {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted an invalid date", s)
		}
	}
}

func TestVectorCounts(t *testing.T) {
	v := readVectors(t)
	ds := Dataset{}
	for _, s := range v.Sites {
		ds.Sites = append(ds.Sites, v.site(t, s.ID))
	}
	for _, tt := range v.Counts {
		t.Run(tt.Name, func(t *testing.T) {
			f := Filter{Providers: tt.Filter.Providers, Countries: tt.Filter.Countries, Query: tt.Filter.Query}
			for _, s := range tt.Filter.Statuses {
				f.Statuses = append(f.Statuses, Status(s))
			}
			at := mustDay(t, tt.At)
			ids := []string{}
			for _, m := range ds.Select(at, f) {
				ids = append(ids, m.Site.ID)
			}
			if !slices.Equal(ids, tt.IDs) {
				t.Errorf("ids = %v, want %v", ids, tt.IDs)
			}
			if got := ds.CountsAt(at, f); got != tt.Counts {
				t.Errorf("counts = %+v, want %+v", got, tt.Counts)
			}
		})
	}
}

func TestStatusCanFollow(t *testing.T) {
	tests := []struct {
		prev, next Status
		want       bool
	}{
		{"", StatusAnnounced, true},
		{"", StatusActive, true},
		{"", StatusClosing, false},
		{"", StatusClosed, false},
		{StatusAnnounced, StatusActive, true},
		{StatusAnnounced, StatusClosed, true},
		{StatusAnnounced, StatusClosing, false},
		{StatusActive, StatusAnnounced, false},
		{StatusActive, StatusClosing, true},
		{StatusClosing, StatusActive, false},
		{StatusClosed, StatusActive, false},
		{StatusClosed, StatusClosed, false},
	}
	for _, tt := range tests {
		if got := tt.next.CanFollow(tt.prev); got != tt.want {
			t.Errorf("%q.CanFollow(%q) = %v, want %v", tt.next, tt.prev, got, tt.want)
		}
	}
}

func TestStatusInService(t *testing.T) {
	for st, want := range map[Status]bool{StatusAnnounced: false, StatusActive: true, StatusClosing: true, StatusClosed: false} {
		if got := st.InService(); got != want {
			t.Errorf("%s.InService() = %v, want %v", st, got, want)
		}
	}
}

func TestLifetime(t *testing.T) {
	sydney := site(t, "sydney", "2016-11-21", "announced", "2016-12~", "active", "2024-09-30", "closed")
	from, until, closed, ok := sydney.Lifetime()
	if !ok || !closed || from.String() != "2016-11-21" || until.String() != "2024-09-30" {
		t.Errorf("Lifetime = %s %s %v %v", from, until, closed, ok)
	}
	if _, _, _, ok := (&Site{}).Lifetime(); ok {
		t.Error("a site without events has a lifetime")
	}
}

func TestValidID(t *testing.T) {
	v := readVectors(t)
	for _, id := range v.IDs.Valid {
		if !ValidID(id) {
			t.Errorf("ValidID(%q) = false", id)
		}
	}
	for _, id := range v.IDs.Invalid {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
	if len(v.IDs.Valid[len(v.IDs.Valid)-1]) != MaxIDLength || len(v.IDs.Invalid[len(v.IDs.Invalid)-1]) != MaxIDLength+1 {
		t.Error("the vectors' longest ids are not at the limit")
	}
}
