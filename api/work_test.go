package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// holdBudget takes the server's whole work budget until the test ends or release is called.
func holdBudget(t *testing.T, s *Server) (release func()) {
	t.Helper()
	give, err := s.work.acquire(context.Background(), s.work.budget)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(give) }
	t.Cleanup(release)
	return release
}

// TestBusyAnswers503 checks that a build that cannot get its share of the work budget within the
// wait is answered 503 with Retry-After, as problem+json, while cached answers are served.
func TestBusyAnswers503(t *testing.T) {
	s := newTestServer(t, Options{WorkWait: time.Millisecond})
	if rec := get(t, s, "/timeline?until=2020-01-01"); rec.Code != http.StatusOK {
		t.Fatalf("timeline: %d", rec.Code)
	}
	release := holdBudget(t, s)
	rec := get(t, s, "/timeline?until=2021-01-01")
	wantProblem(t, rec, http.StatusServiceUnavailable, "")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if rec := get(t, s, "/timeline?until=2020-01-01"); rec.Code != http.StatusOK {
		t.Errorf("a cached answer waited for the work budget: %d", rec.Code)
	}
	release()
	if rec := get(t, s, "/timeline?until=2021-01-01"); rec.Code != http.StatusOK {
		t.Errorf("with the budget free: %d", rec.Code)
	}
}

// TestLeavingClientFreesItsPlace checks that a request waiting for the work budget stops waiting
// when its client leaves: its build is abandoned and takes no share when the budget frees up.
func TestLeavingClientFreesItsPlace(t *testing.T) {
	s := newTestServer(t, Options{WorkWait: time.Hour})
	release := holdBudget(t, s)
	waiting := make(chan struct{})
	s.work.waiting = func() { close(waiting) }
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodGet, "/timeline?until=2021-01-01", nil).WithContext(ctx)
	answered := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		answered <- rec.Code
	}()
	<-waiting
	cancel() // the client leaves
	if code := <-answered; code != http.StatusServiceUnavailable {
		t.Errorf("the request whose client left got %d", code)
	}
	// The build has gone: the budget, once free, is wholly there for the next one (a build that
	// kept its place would take it and, waiting on nothing else, hold it for the hour).
	release()
	bounded, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := s.work.sem.Acquire(bounded, s.work.budget); err != nil {
		t.Fatalf("the abandoned build kept its place: the budget is not free after 30 s (%v)", err)
	}
	s.work.sem.Release(s.work.budget)
}
