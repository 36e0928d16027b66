package geo

import "testing"

// site builds a site from (date, status) pairs.
func site(t testing.TB, id string, events ...string) Site {
	t.Helper()
	s := Site{ID: id, Provider: "test", Name: id, City: id, Country: "CN"}
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
	tokyo := site(t, "tokyo", "2016-11-21", "announced", "2016-11-21/2017-02-13", "active")
	sydney := site(t, "sydney", "2016-11-21", "announced", "2016-12~", "active", "2024-06-27", "closing", "2024-09-30", "closed")
	kl := site(t, "kl", "2017-05-12", "announced", "2017", "active")
	hangzhou := site(t, "hangzhou", "2009-09/2011", "active")
	dubai := site(t, "dubai", "2016-11-21", "active", "2025-10-14", "active")
	nanjing := site(t, "nanjing", "2022-06-02", "active", "2022-06-02/2026", "closing")

	seoul := site(t, "seoul", "2022-03", "active", "2025-06", "active")
	tests := []struct {
		name        string
		site        Site
		at          string
		status      Status
		pending     Status
		pendingDate string
		since       string // the date of the event that began the status; empty: not checked
	}{
		{"before the first event", tokyo, "2016-11-20", "", "", "", ""},
		{"on the announcement day", tokyo, "2016-11-21", StatusAnnounced, StatusActive, "2016-11-21/2017-02-13", ""},
		{"inside the opening window", tokyo, "2017-01-15", StatusAnnounced, StatusActive, "2016-11-21/2017-02-13", ""},
		{"on the opening window's last day", tokyo, "2017-02-13", StatusActive, "", "", ""},
		{"approximate month, early", sydney, "2016-12-01", StatusAnnounced, StatusActive, "2016-12~", ""},
		{"approximate month, after", sydney, "2017-01-01", StatusActive, "", "", ""},
		{"closing", sydney, "2024-07-01", StatusClosing, "", "", ""},
		{"closed on the day", sydney, "2024-09-30", StatusClosed, "", "", ""},
		{"closed long after", sydney, "2026-01-01", StatusClosed, "", "", ""},
		{"before the announcement", kl, "2017-05-11", "", "", "", ""},
		{"announced inside the opening year", kl, "2017-05-12", StatusAnnounced, StatusActive, "2017", ""},
		{"year precision, inside the year", kl, "2017-06-01", StatusAnnounced, StatusActive, "2017", ""},
		{"year precision, last day", kl, "2017-12-31", StatusActive, "", "", ""},
		{"first event not yet certain", hangzhou, "2010-06-01", "", "", "", ""},
		{"first event certain", hangzhou, "2011-12-31", StatusActive, "", "", ""},
		{"same status twice is not pending", dubai, "2025-10-14", StatusActive, "", "", ""},
		{"closing window open", nanjing, "2025-01-01", StatusActive, StatusClosing, "2022-06-02/2026", ""},
		{"closing window over", nanjing, "2027-01-01", StatusClosing, "", "", ""},
		{"since: the status began with the first event", seoul, "2025-07-01", StatusActive, "", "", "2022-03"},
		{"since: before the confirming event", seoul, "2024-01-01", StatusActive, "", "", "2022-03"},
		{"since: a new status starts a new run", sydney, "2025-01-01", StatusClosed, "", "", "2024-09-30"},
		{"since: announced then active", tokyo, "2018-01-01", StatusActive, "", "", "2016-11-21/2017-02-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.site.At(mustDay(t, tt.at))
			if got, want := st.Status, tt.status; got != want {
				t.Errorf("Status = %q, want %q", got, want)
			}
			if got, want := st.Exists(), tt.status != ""; got != want {
				t.Errorf("Exists = %v, want %v", got, want)
			}
			var gotPending Status
			var gotDate string
			if st.Pending != nil {
				gotPending, gotDate = st.Pending.Status, st.Pending.Date.String()
			}
			if gotPending != tt.pending || gotDate != tt.pendingDate {
				t.Errorf("Pending = %q %q, want %q %q", gotPending, gotDate, tt.pending, tt.pendingDate)
			}
			if st.Exists() && st.Since.Status != st.Status {
				t.Errorf("Since.Status = %q, want %q", st.Since.Status, st.Status)
			}
			if tt.since != "" && st.Since.Date.String() != tt.since {
				t.Errorf("Since.Date = %s, want %s (when the status began)", st.Since.Date, tt.since)
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
	for id, want := range map[string]bool{
		"alibaba-cn-hangzhou": true, "a": true, "a1-b2": true, "x": true,
		"": false, "-a": false, "a-": false, "a--b": false, "A": false, "a b": false, "a_b": false, "é": false,
		"a1234567890123456789012345678901234567890123456789012345678901234": false, // 65 characters
		"a123456789012345678901234567890123456789012345678901234567890123":  true,  // 64
	} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}
