//go:build unix

package main

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dcatlas/internal/heavytest"
)

// soakPaths returns the request mix of the load tests: every kind of endpoint, with a bounded set
// of variants so that the response cache reaches a steady state.
func soakPaths(r *rand.Rand) string {
	date := func() string {
		return fmt.Sprintf("%04d-%02d-01", 2010+r.IntN(17), 1+r.IntN(12))
	}
	tile := func(maxZ int) string {
		z := r.IntN(maxZ + 1)
		n := 1 << z
		return fmt.Sprintf("%d/%d/%d", z, r.IntN(n), r.IntN(n))
	}
	switch r.IntN(12) {
	case 0:
		return "/collections/sites/items?limit=1000"
	case 1:
		return "/collections/sites/items?at=" + date()
	case 2:
		return "/collections/sites/items?at=" + date() + "&status=active&f=csv"
	case 3:
		return "/collections/sites/items/alibaba-cn-hangzhou"
	case 4:
		return "/timeline"
	case 5:
		return "/tiles/sites/" + tile(4) + ".mvt?at=" + date()
	case 6:
		return "/tiles/basemap/" + tile(4) + ".png"
	case 7:
		return "/tiles/basemap/" + tile(3) + "@2x.png"
	case 8:
		return "/collections/sites"
	case 9:
		return "/api"
	case 10:
		return "/tiles/basemap/" + tile(3) + ".mvt"
	}
	return "/healthz"
}

// loadResult counts the answers of a load run.
type loadResult struct {
	ok, bad, errs atomic.Int64
	// refused counts 503s with Retry-After: the server saying "not now", as it does to builds still
	// queued when it shuts down (they are also counted in bad).
	refused  atomic.Int64
	mu       sync.Mutex
	firstBad []string
}

func (l *loadResult) record(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.firstBad) < 10 {
		l.firstBad = append(l.firstBad, msg)
	}
}

// runLoad sends the soak mix from workers clients until ctx ends.
func runLoad(ctx context.Context, base string, workers int, res *loadResult, countErr func(error) bool) {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: false}, Timeout: 30 * time.Second}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for ctx.Err() == nil {
				path := soakPaths(r)
				res2, err := client.Get(base + path)
				if err != nil {
					if ctx.Err() == nil && countErr(err) {
						res.errs.Add(1)
						res.record(path + ": " + err.Error())
					}
					continue
				}
				_, err = io.Copy(io.Discard, res2.Body)
				res2.Body.Close()
				switch {
				case err != nil:
					res.errs.Add(1)
					res.record(path + ": reading: " + err.Error())
				case res2.StatusCode >= 400:
					res.bad.Add(1)
					if res2.StatusCode == http.StatusServiceUnavailable && res2.Header.Get("Retry-After") != "" {
						res.refused.Add(1)
					}
					res.record(fmt.Sprintf("%s: %s", path, res2.Status))
				default:
					res.ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
}

// rssKB returns a process's resident memory in KiB.
func rssKB(tb testing.TB, pid int) int {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		tb.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestSoak mixes every endpoint at saturation for DCATLAS_SOAK_SECONDS (default 60, 5 with
// -short): every answer must be 2xx/3xx and the memory must stay flat in the second half.
func TestSoak(t *testing.T) {
	seconds := 60
	if testing.Short() {
		seconds = 5
	}
	if v := os.Getenv("DCATLAS_SOAK_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 600 {
			t.Fatalf("DCATLAS_SOAK_SECONDS=%q: want 2..600", v)
		}
		seconds = n
	}
	heavytest.Lock(t) // not at once with a browser suite: each would starve the other
	// A small cache fills within seconds, so that the second half runs at its steady state: flat
	// memory then means nothing grows beyond the bounded cache.
	s := startServer(t, "--cache-mb", "16")
	pid := s.cmd.Process.Pid
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
	defer cancel()
	var res loadResult
	done := make(chan struct{})
	go func() { runLoad(ctx, s.URL, 64, &res, func(error) bool { return true }); close(done) }()
	var samples []int
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
sampling:
	for {
		select {
		case <-done:
			break sampling
		case <-tick.C:
			samples = append(samples, rssKB(t, pid))
		}
	}
	total := res.ok.Load() + res.bad.Load() + res.errs.Load()
	t.Logf("%d requests in %ds (%.0f/s): %d ok, %d 4xx/5xx, %d errors; RSS samples (KiB) first %d, middle %d, last %d",
		total, seconds, float64(total)/float64(seconds), res.ok.Load(), res.bad.Load(), res.errs.Load(),
		samples[0], samples[len(samples)/2], samples[len(samples)-1])
	if res.bad.Load() > 0 || res.errs.Load() > 0 {
		t.Errorf("failed answers, first ones: %s", strings.Join(res.firstBad, "; "))
	}
	metrics := string(get(t, s.URL+"/metrics"))
	t.Logf("at the end: %s", strings.Join(regexp.MustCompile(`(?m)^(dcatlas_cache_(bytes|entries|max_bytes)|go_memstats_heap_inuse_bytes|go_memstats_next_gc_bytes) \S+$`).FindAllString(metrics, -1), ", "))
	if total < int64(seconds)*100 {
		t.Errorf("only %d requests: the load did not saturate anything", total)
	}
	if seconds < 30 {
		t.Logf("memory flatness not judged: %ds is too short for the cache to reach its steady state", seconds)
		return
	}
	mid := 0
	for _, v := range samples[len(samples)/2 : len(samples)*3/4] {
		mid = max(mid, v)
	}
	last := samples[len(samples)-1]
	// Flat: the end may not exceed the second half's early peak by more than 10% plus 8 MiB.
	if last > mid+mid/10+8*1024 {
		t.Errorf("memory grew in the second half: %d KiB → %d KiB", mid, last)
	}
}

// TestShutdownUnderLoad sends SIGTERM in the middle of a load: no request that the server accepted
// may fail; afterwards connections are refused and the process exits 0.
func TestShutdownUnderLoad(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var res loadResult
	refused := func(err error) bool { return !errors.Is(err, syscall.ECONNREFUSED) }
	done := make(chan struct{})
	go func() { runLoad(ctx, s.URL, 32, &res, refused); close(done) }()
	time.Sleep(2 * time.Second)
	before := res.ok.Load()
	s.terminate(t)
	cancel()
	<-done
	t.Logf("%d requests answered before SIGTERM, %d in all; %d failed, %d of them 503 with Retry-After", before, res.ok.Load(), res.errs.Load()+res.bad.Load(), res.refused.Load())
	if before == 0 {
		t.Fatal("no request was answered before SIGTERM")
	}
	// Drawings still queued for a slot when the server stops are told to retry (503 with
	// Retry-After) rather than held past the shutdown; anything else is a failure.
	if res.bad.Load() > res.refused.Load() || res.errs.Load() > 0 {
		t.Errorf("requests failed during shutdown: %s", strings.Join(res.firstBad, "; "))
	}
}

// TestSlowClients opens many connections that send their headers a byte at a time: the server must
// keep answering other clients and drop the slow ones after its header timeout.
func TestSlowClients(t *testing.T) {
	s := startServer(t)
	addr := strings.TrimPrefix(s.URL, "http://")
	const slow = 400
	var conns []net.Conn
	for range slow {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conns = append(conns, c)
		fmt.Fprint(c, "GET /collections/sites/items HTTP/1.1\r\nHost: x\r\n")
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
				for _, c := range conns {
					fmt.Fprintf(c, "X-%d: y\r\n", i) // never the blank line that ends the headers
				}
			}
		}
	}()
	defer close(stop)
	for i := range 20 {
		get(t, s.URL+"/collections/sites/items?at=2018-09-0"+strconv.Itoa(1+i%9))
	}
	// The header timeout is 5 s: by 8 s every slow connection must have been closed by the server.
	deadline := time.Now().Add(8 * time.Second)
	closed := 0
	buf := make([]byte, 512)
	for _, c := range conns {
		c.SetReadDeadline(deadline)
		for {
			if _, err := c.Read(buf); err != nil {
				var ne net.Error
				if !(errors.As(err, &ne) && ne.Timeout()) {
					closed++
				}
				break
			}
		}
	}
	if closed != slow {
		t.Errorf("%d of %d slow connections were closed by the server", closed, slow)
	}
	get(t, s.URL+"/healthz")
}

// TestStaticBinary runs the Dockerfile's go build line and checks that the binary is static and
// serves with no file beside it: the container's build steps, without a container engine.
func TestStaticBinary(t *testing.T) {
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0) go build (.*) -o \S+ \.$`).FindSubmatch(df)
	if m == nil {
		t.Fatal("no `RUN CGO_ENABLED=0 go build … -o … .` line in the Dockerfile")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "dcatlas")
	args := append([]string{"build"}, shellFields(string(m[2]))...)
	args = append(args, "-o", bin, ".")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), string(m[1]))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries: %v", libs)
	}
	// Serve from an empty directory with an empty environment, as in the image.
	empty := t.TempDir()
	srv := startBinary(t, bin, empty, []string{"DCATLAS_ADDR=127.0.0.1:0"})
	for _, path := range []string{"/readyz", "/collections/sites/items", "/tiles/basemap/0/0/0.png", "/"} {
		get(t, srv.URL+path)
	}
	out, err := exec.Command(bin, "healthcheck", "--addr", strings.TrimPrefix(srv.URL, "http://")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ready") {
		t.Errorf("healthcheck: %v %s", err, out)
	}
}

// shellFields splits a command line at spaces outside double quotes, removing the quotes, as a
// shell does for the simple lines of a Dockerfile.
func shellFields(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, started := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, started = !quoted, true
		case r == ' ' && !quoted:
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}
