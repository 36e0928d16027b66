//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dcatlas/data/synthetic"
)

// TestScale measures, for generated datasets of DCATLAS_SCALE sites (e.g. 5000,10000,100000),
// what validate and start-up cost and the CPU each uncached request takes, and prints a table. It
// asserts nothing about time (figures depend on the machine); it fails only on a wrong answer. CPU
// time is the server's own, from /proc, so other work on the machine does not inflate it the way
// it does wall time.
func TestScale(t *testing.T) {
	sizes := os.Getenv("DCATLAS_SCALE")
	if sizes == "" {
		t.Skip("set DCATLAS_SCALE=5000,10000,100000 to measure; it takes minutes")
	}
	bin := buildBinary(t)
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 1_000_000 {
			t.Fatalf("DCATLAS_SCALE: %q", f)
		}
		dir := t.TempDir()
		if err := synthetic.Write(dir, synthetic.Spec{Sites: n, Providers: max(1, n/330), Seed: 1}); err != nil {
			t.Fatal(err)
		}
		measureValidate(t, bin, dir, n)
		measureServer(t, dir, n)
	}
}

func measureValidate(t *testing.T, bin, dir string, n int) {
	cmd := exec.Command(bin, "validate", dir)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("validate %d sites: %v\n%s", n, err, out)
	}
	st := cmd.ProcessState
	rss := st.SysUsage().(*syscall.Rusage).Maxrss
	t.Logf("%7d sites: validate %.2f s CPU (%.2f s wall), peak RSS %d MiB", n,
		(st.UserTime() + st.SystemTime()).Seconds(), time.Since(start).Seconds(), rss>>10)
}

// cpuSeconds is the CPU time a process has used, from /proc/PID/stat.
func cpuSeconds(t *testing.T, pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

func measureServer(t *testing.T, dir string, n int) {
	start := time.Now()
	s := startServer(t, "--data", dir)
	ready := time.Since(start)
	pid := s.cmd.Process.Pid
	startCPU := cpuSeconds(t, pid)
	t.Logf("%7d sites: start-up to ready %.2f s wall, %.2f s CPU, RSS %d MiB", n, ready.Seconds(), startCPU, rssKB(t, pid)>>10)
	for _, path := range []string{
		"/timeline",
		"/timeline?q=region",
		"/timeline?by=provider",
		"/collections/sites/items?q=region&limit=10",
		"/collections/sites/items?q=zzz",
		"/static/map.png?labels=1",
		"/static/map.png?labels=1&width=2048&height=2048&scale=2",
	} {
		before := cpuSeconds(t, pid)
		wall := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("%s: %v", path, err)
		}
		size, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		cancel()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", path, res.Status)
		}
		t.Logf("%7d sites: %-58s %6.2f s CPU %6.2f s wall %9d bytes, RSS %d MiB", n, path,
			cpuSeconds(t, pid)-before, time.Since(wall).Seconds(), size, rssKB(t, pid)>>10)
	}
	s.terminate(t)
}
