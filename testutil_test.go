//go:build unix

package main

// Helpers for tests that build the real binary, run it on a loopback port and talk to it over
// HTTP, as a client on the same machine would.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binDir holds the binary built for the tests; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dcatlas-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dcatlas tests:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds the command once per test run and returns its path.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		path := filepath.Join(binDir, "dcatlas")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", path, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		binPath = path
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// binServer is the real binary serving on a loopback port.
type binServer struct {
	URL        string // http://127.0.0.1:PORT, without a trailing slash
	cmd        *exec.Cmd
	stdout     *lineWatcher
	stderr     *syncBuffer   // nil when stderr goes to a file of the test's (see startBinaryTo)
	exited     chan struct{} // closed once the process has exited and wait is set
	wait       error
	terminated bool // terminate has run
}

// servingLine is what the binary prints on stdout once it listens.
var servingLine = regexp.MustCompile(`(?m)^dcatlas serving \d+ sites on (http://\S+)\n`)

// startServer runs the binary built from this directory with --addr 127.0.0.1:0 and args, in the
// test's environment without its DCATLAS_* variables, so that a developer's settings (a data
// directory, a rate limit) do not change what the tests see. See startBinary.
func startServer(tb testing.TB, args ...string) *binServer {
	tb.Helper()
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "DCATLAS_") })
	return startBinary(tb, buildBinary(tb), "", env, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
}

// startBinary runs bin with args in directory dir (the test's own when empty) and environment env
// (the test's when nil); the listen address must make it choose a free loopback port, e.g.
// --addr 127.0.0.1:0 or DCATLAS_ADDR=127.0.0.1:0. It reads the address from the "dcatlas serving …
// on http://ADDR" line on stdout and waits for /readyz. Unless the test calls terminate first,
// cleanup does, failing the test unless the process exits with status 0 after SIGTERM, which checks
// the graceful shutdown.
func startBinary(tb testing.TB, bin, dir string, env []string, args ...string) *binServer {
	tb.Helper()
	return startBinaryTo(tb, bin, dir, env, nil, args...)
}

// startBinaryTo is startBinary with the server's stderr going to the file stderr (a pipe in the log
// tests) instead of a buffer the test reads; when it is nil, to the buffer. With a file, the log
// cannot be read, so terminate checks only the exit status.
func startBinaryTo(tb testing.TB, bin, dir string, env []string, stderr *os.File, args ...string) *binServer {
	tb.Helper()
	// The context is only a backstop: terminate stops the process with SIGTERM first.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	s := &binServer{stderr: &syncBuffer{}, exited: make(chan struct{})}
	stdout := &lineWatcher{re: servingLine, found: make(chan string, 1)}
	s.cmd = exec.CommandContext(ctx, bin, args...)
	s.cmd.Dir = dir
	s.cmd.Env = env
	s.cmd.Stdout = stdout
	s.stdout = stdout
	s.cmd.Stderr = s.stderr
	if stderr != nil {
		s.stderr = nil
		s.cmd.Stderr = stderr
	}
	s.cmd.WaitDelay = 5 * time.Second
	if err := s.cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		s.wait = s.cmd.Wait()
		close(s.exited)
	}()
	tb.Cleanup(func() {
		defer cancel()
		s.terminate(tb)
		if tb.Failed() {
			tb.Logf("server log (last lines):\n%s", s.logTail(40))
		}
	})

	select {
	case m := <-stdout.found:
		s.URL = m
	case <-s.exited:
		tb.Fatalf("dcatlas exited before serving: %v\nstderr:\n%s", s.wait, s.logTail(40))
	case <-time.After(time.Minute):
		tb.Fatalf("dcatlas printed no %q line within a minute; stdout:\n%s", "dcatlas serving … on http://…", stdout.String())
	}
	if err := waitReady(ctx, s.URL+"/readyz", time.Minute); err != nil {
		tb.Fatal(err)
	}
	return s
}

// waitReady polls url until it answers 200, for at most limit.
func waitReady(ctx context.Context, url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", res.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %v", url, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// terminate sends SIGTERM and waits for the process, failing the test unless it exits with
// status 0 and logs that it stopped. It runs once; later calls do nothing.
func (s *binServer) terminate(tb testing.TB) {
	tb.Helper()
	s.stop(tb, syscall.SIGTERM)
}

// stop is terminate with another signal than SIGTERM.
func (s *binServer) stop(tb testing.TB, sig os.Signal) {
	tb.Helper()
	if s.terminated {
		return
	}
	s.terminated = true
	select {
	case <-s.exited:
		tb.Errorf("dcatlas exited before it was told to: %v", s.wait)
		return
	default:
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		tb.Errorf("%v: %v", sig, err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		tb.Errorf("dcatlas did not exit within 30s of %v; killed", sig)
		return
	}
	if s.wait != nil {
		tb.Errorf("dcatlas did not exit cleanly after %v: %v", sig, s.wait)
	}
	if s.stderr != nil && !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		tb.Errorf("dcatlas did not log %q after %v", "stopped", sig)
	}
}

// loggedRequest is one request line of the server's JSON log.
type loggedRequest struct {
	Msg    string `json:"msg"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	Status int    `json:"status"`
}

func (r loggedRequest) String() string {
	u := r.Path
	if r.Query != "" {
		u += "?" + r.Query
	}
	return fmt.Sprintf("%s %s → %d", r.Method, u, r.Status)
}

// requests returns the requests the server has logged so far, in order.
func (s *binServer) requests() []loggedRequest {
	var out []loggedRequest
	if s.stderr == nil {
		return nil
	}
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		var r loggedRequest
		if json.Unmarshal([]byte(line), &r) == nil && r.Msg == "request" {
			out = append(out, r)
		}
	}
	return out
}

// barriers counts the barrier requests of requestsSince, to tell them apart.
var barriers atomic.Int64

// requestsSince returns the requests logged after the first mark ones (a length of requests()),
// once every request answered before the call is in the log: the server writes its request log in
// batches, so it sends a request of its own and waits, at most a minute, until that one is logged.
func (s *binServer) requestsSince(tb testing.TB, mark int) []loggedRequest {
	tb.Helper()
	q := "q=barrier-" + strconv.FormatInt(barriers.Add(1), 10)
	get(tb, s.URL+"/collections/sites/items?limit=1&"+q)
	for deadline := time.Now().Add(time.Minute); ; {
		reqs := s.requests()
		for i := len(reqs) - 1; i >= mark; i-- {
			if strings.HasSuffix(reqs[i].Query, q) {
				return slices.Delete(reqs[mark:], i-mark, i-mark+1)
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the request log has no line for the barrier request (%s) after a minute", q)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *binServer) logTail(n int) string {
	if s.stderr == nil {
		return "(stderr not kept)"
	}
	lines := strings.Split(strings.TrimRight(s.stderr.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// getJSON fetches url and decodes its JSON body into v, failing the test unless it answers 200.
func getJSON(tb testing.TB, url string, v any) {
	tb.Helper()
	b := get(tb, url)
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("GET %s: decoding: %v", url, err)
	}
}

// get fetches url, failing the test unless it answers 200, and returns the body.
func get(tb testing.TB, url string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s\n%s", url, res.Status, b)
	}
	return b
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineWatcher keeps what is written to it and sends the first submatch of re on found once a
// complete line matches.
type lineWatcher struct {
	syncBuffer
	re    *regexp.Regexp
	found chan string
	sent  bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if !w.sent {
		if m := w.re.FindStringSubmatch(w.String()); m != nil {
			w.sent = true
			w.found <- m[1]
		}
	}
	return n, err
}
