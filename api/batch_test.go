package api

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"dcatlas/connlimit"
)

// TestAnswersInOneWrite serves the API as serve.go does, through connlimit's listener and
// ConnContext, and counts the writes each answer takes from the request read to the connection
// idle: one for an answer of any size, built through Echo or found at the front door, plain or
// gzipped (net/http alone makes two above 4 KiB).
func TestAnswersInOneWrite(t *testing.T) {
	s := newFullServer(t, Options{})
	l := connlimit.New(10, time.Hour)
	writes := make(chan int, 1)
	before := map[net.Conn]int{} // touched on each connection's own goroutine, one connection here
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s, ConnContext: connlimit.ConnContext, ReadHeaderTimeout: time.Minute,
		ConnState: func(c net.Conn, state http.ConnState) {
			l.ConnState(c, state)
			n := connlimit.BatchOf(connlimit.ConnContext(t.Context(), c)).Writes()
			switch state {
			case http.StateActive:
				before[c] = n
			case http.StateIdle:
				writes <- n - before[c]
			}
		}}
	go hs.Serve(l.Listener(ln))
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, DisableCompression: true}}
	defer client.CloseIdleConnections()
	for _, path := range []string{
		"/timeline",
		"/collections/sites/items?limit=1000",
		"/tiles/sites/0/0/0.mvt",
		"/collections/sites/items?at=2018-09-01&status=active",
		"/collections/sites/items?limit=1", // 4.7 kB: its end waits in net/http's buffer until flushed
		"/healthz",
	} {
		for _, door := range []string{"built, through Echo", "cached, at the front door"} {
			for _, enc := range []string{"", "gzip"} { // the gzipped answer is cached with the plain one
				req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+path, nil)
				if enc != "" {
					req.Header.Set("Accept-Encoding", enc)
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s %s: %d, %v", path, enc, res.StatusCode, err)
				}
				if n := <-writes; n != 1 {
					t.Errorf("GET %s (%s, %q, %d bytes): %d writes, want 1", path, door, enc, len(b), n)
				}
			}
		}
	}
}
