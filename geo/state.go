package geo

// State is what the sources say of a site at one day.
type State struct {
	// Status is the status of the site's last event that is certain by the day (its latest day is on
	// or before it). It is empty when no event is certain yet: the site does not exist then.
	Status Status
	// Since is the event that began Status: the first event of the last run of events with that
	// status, so a later event that confirms the status ("a second data centre opened") does not
	// move it. It is nil when Status is empty.
	Since *Event
	// Pending is a later event whose window holds the day and that would change Status: "opening
	// sometime in 2017". It is nil when nothing is pending.
	Pending *Event
}

// Exists reports whether the site exists at the day: one of its events is certain by then.
func (s State) Exists() bool { return s.Status != "" }

// At returns the site's state at day t.
func (s *Site) At(t Day) State {
	var st State
	next := 0
	for i := range s.Events {
		if s.Events[i].Date.Latest() > t {
			break
		}
		if s.Events[i].Status != st.Status {
			st.Status, st.Since = s.Events[i].Status, &s.Events[i]
		}
		next = i + 1
	}
	if !st.Exists() {
		return st
	}
	for i := next; i < len(s.Events); i++ {
		e := &s.Events[i]
		if e.Date.Earliest() > t {
			break
		}
		if e.Status != st.Status {
			st.Pending = e
		}
	}
	return st
}

// Lifetime returns the days a site exists: from the latest day of its first event, and, for a closed
// site, until the latest day of its closure (closed reports true). A site without events has ok false.
func (s *Site) Lifetime() (from, until Day, closed, ok bool) {
	if len(s.Events) == 0 {
		return 0, 0, false, false
	}
	from = s.Events[0].Date.Latest()
	last := s.Events[len(s.Events)-1]
	if last.Status == StatusClosed {
		return from, last.Date.Latest(), true, true
	}
	return from, 0, false, true
}
