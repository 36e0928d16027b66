//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestIdleConnectionsDoNotLockOut gives the server an open-file limit of 1,024, as in a small
// container, and opens 1,014 keep-alive connections that make a request each and then sit idle: a
// new client must still be answered at once, since the server caps its connections below the limit
// and closes idle ones to make room.
func TestIdleConnectionsDoNotLockOut(t *testing.T) {
	s := startServer(t, "--max-conns", "512")
	lim := unix.Rlimit{Cur: 1024, Max: 1024}
	if err := unix.Prlimit(s.cmd.Process.Pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Skipf("cannot lower the server's open-file limit: %v", err)
	}
	addr := strings.TrimPrefix(s.URL, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 1014 {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(30 * time.Second))
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	client := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	res, err := client.Get(s.URL + "/collections/sites/items?limit=1")
	if err != nil {
		t.Fatalf("a new client after 1,014 idle connections: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("a new client after 1,014 idle connections: %s", res.Status)
	}
	t.Logf("a new client after 1,014 idle connections: %s in %v", res.Status, time.Since(start).Round(time.Millisecond))
	m := string(get(t, s.URL+"/metrics"))
	t.Logf("%s", strings.Join(regexp.MustCompile(`(?m)^dcatlas_connections_\w+ \S+$`).FindAllString(m, -1), ", "))
}

// TestMetricsAddr serves /metrics on a listener of its own: there it answers, on the public one it
// is not found.
func TestMetricsAddr(t *testing.T) {
	s := startServer(t, "--metrics-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`(?m)^dcatlas metrics on (http://\S+)$`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no metrics line on stdout: %q", s.stdout.String())
	}
	if body := string(get(t, m[1])); !strings.Contains(body, "dcatlas_http_requests_total") {
		t.Errorf("%s lacks the request counter", m[1])
	}
	res, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %s", res.Status)
	}
}
