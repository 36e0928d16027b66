//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startServerTo is startServer with the server's stderr going to the file stderr.
func startServerTo(tb testing.TB, stderr *os.File, args ...string) *binServer {
	tb.Helper()
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "DCATLAS_") })
	return startBinaryTo(tb, buildBinary(tb), "", env, stderr, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
}

// hammerHealthz asks /healthz n times, each with a 10 s deadline, failing on the first that does
// not answer 200: a server blocked on its log would stop answering.
func hammerHealthz(t *testing.T, base string, n int) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range n {
		res, err := client.Get(base + "/healthz")
		if err != nil {
			t.Fatalf("request %d of %d: %v", i+1, n, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("request %d of %d: %s", i+1, n, res.Status)
		}
	}
}

// droppedLines reads dcatlas_log_lines_dropped_total from /metrics.
func droppedLines(t *testing.T, base string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^dcatlas_log_lines_dropped_total (\d+)`).FindSubmatch(get(t, base+"/metrics"))
	if m == nil {
		t.Fatal("no dcatlas_log_lines_dropped_total on /metrics")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestStalledStderr gives the server a stderr pipe that nobody reads: once the pipe and the log
// buffer are full, log lines are dropped and counted, and the server keeps answering and exits
// cleanly.
func TestStalledStderr(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close() // open, never read, until the server has exited
	s := startServerTo(t, w, "--log-buffer-kb", "8")
	w.Close()
	// Each request logs a line of about 200 bytes: 1,500 are 300 kB, far beyond the 64 KiB pipe
	// and the 8 KiB buffer.
	hammerHealthz(t, s.URL, 1500)
	if n := droppedLines(t, s.URL); n == 0 {
		t.Error("no log line counted as dropped")
	} else {
		t.Logf("%d log lines dropped", n)
	}
	s.terminate(t)
}

// TestClosedStderr gives the server a stderr whose reader has gone: writes fail with EPIPE rather
// than killing the server with SIGPIPE, and the lines lost are counted.
func TestClosedStderr(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	s := startServerTo(t, w, "--log-buffer-kb", "8")
	w.Close()
	hammerHealthz(t, s.URL, 200)
	time.Sleep(600 * time.Millisecond) // past a flush of the request lines
	hammerHealthz(t, s.URL, 200)
	deadline := time.Now().Add(30 * time.Second)
	for droppedLines(t, s.URL) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no log line counted as dropped after 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.terminate(t)
}

// TestSIGHUPDrains checks that SIGHUP shuts down like SIGTERM: a request in flight is answered,
// the shutdown is logged and the exit status is 0.
func TestSIGHUPDrains(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A large uncached image takes long enough to draw to be in flight when the signal comes.
	url := s.URL + "/static/map.png?width=2048&height=2048&scale=2&title=hup"
	answered := make(chan error, 1)
	sent := make(chan struct{})
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(sent) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, url, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err == nil && res.StatusCode != http.StatusOK {
				err = fmt.Errorf("%s", res.Status)
			}
		}
		answered <- err
	}()
	select {
	case <-sent:
	case err := <-answered:
		t.Fatalf("the image request failed before it was sent: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // for the server to accept the connection and read the request
	s.stop(t, syscall.SIGHUP)
	if err := <-answered; err != nil {
		t.Errorf("the request in flight at SIGHUP: %v", err)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"shutting down"`) {
		t.Error("no shutting-down line in the log")
	}
}

// TestShutdownAnswersImageQueue sends SIGTERM while more uncached images are asked for than the
// work budget lets draw at once: the images being drawn are finished and sent, those still waiting
// for their share are answered 503 "shutting down" with Retry-After at once, before the drawings
// end (not left to wait out the queue), and the process exits 0.
func TestShutdownAnswersImageQueue(t *testing.T) {
	s := startServer(t, "--shutdown-timeout", "60s")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Each of the largest images takes about half the default work budget: 2 are drawn, 4 wait.
	const n = 6
	type answer struct {
		status     int
		retryAfter string
		body       string
		err        error
	}
	answers := make(chan answer, n)
	var sent sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n, MaxIdleConnsPerHost: n}}
	for i := range n {
		sent.Add(1)
		go func() {
			var once sync.Once
			trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(sent.Done) }}
			url := fmt.Sprintf("%s/static/map.png?width=2048&height=2048&scale=2&title=queue-%d", s.URL, i)
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, url, nil)
			res, err := client.Do(req)
			if err != nil {
				once.Do(sent.Done)
				answers <- answer{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			answers <- answer{res.StatusCode, res.Header.Get("Retry-After"), string(b), err}
		}()
	}
	sent.Wait()
	time.Sleep(500 * time.Millisecond) // for the server to accept every connection and read its request
	s.terminate(t)
	counts := map[int]int{}
	for i := range n {
		a := <-answers
		if a.status == http.StatusServiceUnavailable && counts[http.StatusOK] > 0 {
			t.Errorf("answer %d, a 503, came after an image was drawn: the waiting requests were not answered at once", i+1)
		}
		switch {
		case a.err != nil:
			t.Errorf("a request got no answer: %v", a.err)
		case a.status == http.StatusServiceUnavailable && (a.retryAfter == "" || !strings.Contains(a.body, "shutting down")):
			t.Errorf("503 with Retry-After %q: %s", a.retryAfter, a.body)
		case a.status != http.StatusOK && a.status != http.StatusServiceUnavailable:
			t.Errorf("answered %d", a.status)
		}
		counts[a.status]++
	}
	t.Logf("answers: %v", counts)
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Error("no request was waiting at SIGTERM, or the waiting ones were drawn: nothing was answered 503")
	}
}

// TestRequestLogFor checks at which levels the request lines are written straight to the log's
// output (the server's fast path), and that no level below info loses them nor above gets them.
func TestRequestLogFor(t *testing.T) {
	var out bytes.Buffer
	for _, tc := range []struct {
		level slog.Level
		want  io.Writer
	}{
		{slog.LevelDebug, &out},
		{slog.LevelInfo, &out},
		{slog.LevelWarn, nil},
		{slog.LevelError, nil},
	} {
		if got := requestLogFor(tc.level, &out); got != tc.want {
			t.Errorf("level %v: request lines to %v, want %v", tc.level, got, tc.want)
		}
	}
}
