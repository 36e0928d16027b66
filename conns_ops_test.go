//go:build linux

package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
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

// TestOneConnectionManyAnswers asks, on one keep-alive connection, for answers big and small,
// plain and gzipped, whole, headers only and not modified, built and cached: each must come whole
// and in order (the server sends a big answer in one write, holding the first part), the same as
// on a connection of its own that the server closes after answering.
func TestOneConnectionManyAnswers(t *testing.T) {
	s := startServer(t)
	host := strings.TrimPrefix(s.URL, "http://")
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	ask := func(method, path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		c.SetDeadline(time.Now().Add(time.Minute))
		req := method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + strings.Join(header, "")
		if _, err := io.WriteString(c, req+"\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(r, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if n := res.Header.Get("Content-Length"); method == http.MethodGet && res.StatusCode == http.StatusOK && n != strconv.Itoa(len(b)) {
			t.Errorf("%s %s: Content-Length %s, body %d bytes", method, path, n, len(b))
		}
		return res, b
	}
	alone := func(path string, gzip bool) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Close = true
		if gzip {
			req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client leaves it compressed
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s alone: %d, %v", path, res.StatusCode, err)
		}
		return b
	}
	for round := range 2 { // the first round builds some answers, the second finds them cached
		for _, path := range []string{
			"/timeline",
			"/collections/sites/items?limit=1000",
			"/tiles/sites/0/0/0.mvt",
			"/healthz",
			"/tiles/basemap/2/1/1.png",
			"/static/map.png?width=900&height=500&at=2020-01-01",
		} {
			res, b := ask(http.MethodGet, path)
			if res.StatusCode != http.StatusOK || !bytes.Equal(b, alone(path, false)) {
				t.Errorf("round %d, GET %s: %s, %d bytes, not the answer on a connection of its own", round, path, res.Status, len(b))
			}
			etag := res.Header.Get("ETag")
			res, b = ask(http.MethodGet, path, "Accept-Encoding: gzip\r\n")
			if res.StatusCode != http.StatusOK || !bytes.Equal(b, alone(path, true)) {
				t.Errorf("round %d, GET %s gzipped: %s, %d bytes, not the answer on a connection of its own", round, path, res.Status, len(b))
			}
			if res, b := ask(http.MethodHead, path); res.StatusCode != http.StatusOK || len(b) != 0 {
				t.Errorf("round %d, HEAD %s: %s, %d bytes", round, path, res.Status, len(b))
			}
			if etag != "" {
				if res, _ := ask(http.MethodGet, path, "If-None-Match: "+etag+"\r\n"); res.StatusCode != http.StatusNotModified {
					t.Errorf("round %d, GET %s If-None-Match its ETag: %s", round, path, res.Status)
				}
			}
		}
	}
}
