package geo

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// vectors are the shared test vectors of the status rule in testdata/status.json, which the
// viewer's tests (web/status.test.mjs) read too.
type vectors struct {
	Sites []struct {
		ID, Provider, Country, Name, City, Region string
		Events                                    [][2]string
	}
	At []struct {
		Name, Site, At, Status, Pending string
		PendingDate                     string `json:"pendingDate"`
		Since                           string // the date of the event that began the status; empty: not checked
	}
	Windows []struct {
		Date, Earliest, Latest string
	}
	InvalidDates []string `json:"invalidDates"`
	IDs          struct{ Valid, Invalid []string }
	Counts       []struct {
		Name, At string
		Filter   struct {
			Providers, Countries, Statuses []string
			Query                          string
		}
		IDs    []string
		Counts Counts
	}
}

func readVectors(t testing.TB) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/status.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("testdata/status.json: %v", err)
	}
	return v
}

// site builds the vector site with the given id.
func (v vectors) site(t testing.TB, id string) Site {
	t.Helper()
	for _, vs := range v.Sites {
		if vs.ID != id {
			continue
		}
		s := Site{ID: vs.ID, Provider: vs.Provider, Country: vs.Country, Name: vs.Name, City: vs.City, Region: vs.Region, Point: orb.Point{10, 10}}
		for _, e := range vs.Events {
			st, err := ParseStatus(e[1])
			if err != nil {
				t.Fatal(err)
			}
			s.Events = append(s.Events, Event{Date: mustDate(t, e[0]), Status: st})
		}
		return s
	}
	t.Fatalf("no vector site %q", id)
	return Site{}
}

// clientStatus is the client rule SiteFields documents, from the events property alone: the
// status at day d (as YYYYMMDD) and the pending status, "" for none.
func clientStatus(t *testing.T, events string, d int64) (status, pending string) {
	t.Helper()
	type ev struct {
		from, to int64
		status   string
	}
	var evs []ev
	for _, part := range strings.Split(events, ",") {
		var e ev
		if _, err := fmt.Sscanf(part, "%d-%d %s", &e.from, &e.to, &e.status); err != nil {
			t.Fatalf("events %q: %v", events, err)
		}
		evs = append(evs, e)
	}
	i := 0
	for ; i < len(evs) && evs[i].to <= d; i++ {
		status = evs[i].status
	}
	if status == "" {
		return "", ""
	}
	for ; i < len(evs) && evs[i].from <= d; i++ {
		if evs[i].status != status {
			pending = evs[i].status
		}
	}
	return status, pending
}

// TestTileClientRule checks the client rule of SiteFields over every vector, and at every day of
// each vector site's life and a year either side: it gives Site.At's answer.
func TestTileClientRule(t *testing.T) {
	v := readVectors(t)
	for _, c := range v.At {
		s := v.site(t, c.Site)
		day := mustDay(t, c.At)
		props := siteProperties(Match{Site: &s, State: State{Status: StatusActive, Since: &s.Events[0]}})
		status, pending := clientStatus(t, props["events"].(string), ymd(day))
		if status != c.Status || pending != c.Pending {
			t.Errorf("%s: client rule says %q pending %q, want %q pending %q", c.Name, status, pending, c.Status, c.Pending)
		}
	}
	for _, vs := range v.Sites {
		s := v.site(t, vs.ID)
		events := EventWindows(s.Events)
		from, until := s.Events[0].Date.Earliest()-366, s.Events[len(s.Events)-1].Date.Latest()+366
		for d := from; d <= until; d++ {
			st := s.At(d)
			var want string
			if st.Pending != nil {
				want = string(st.Pending.Status)
			}
			if status, pending := clientStatus(t, events, ymd(d)); status != string(st.Status) || pending != want {
				t.Fatalf("%s at %s: client rule says %q pending %q, Site.At %q pending %q", vs.ID, d, status, pending, st.Status, want)
			}
		}
	}
}
