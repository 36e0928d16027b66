package connlimit

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// body is n bytes that differ from one position to the next, so that a byte out of place shows.
func body(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// serveCounting is serve, also reporting on the returned channel how many writes each request's
// answer took, from the moment it was read to the moment its connection went idle.
func serveCounting(t *testing.T, handler http.Handler) (string, <-chan int) {
	t.Helper()
	l := New(10, time.Hour)
	writes := make(chan int, 1)
	var before int
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: handler, ConnContext: ConnContext, ReadHeaderTimeout: time.Minute,
		ConnState: func(c net.Conn, state http.ConnState) {
			l.ConnState(c, state)
			switch n := c.(*tcpConn).batch.Writes(); state { // on the connection's goroutine
			case http.StateActive:
				before = n
			case http.StateIdle:
				writes <- n - before
			}
		}}
	go hs.Serve(l.Listener(ln))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), writes
}

// batched answers /N with N bytes, batched as api's writeTo does.
func batched(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Path[1:])
		if err != nil {
			http.NotFound(w, r)
			return
		}
		b := BatchOf(r.Context())
		if b == nil {
			t.Error("no Batch in the request's context")
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		b.Start()
		defer b.End()
		if _, err := w.Write(body(n)); err != nil {
			t.Error(err)
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Error(err)
		}
		if err := b.End(); err != nil {
			t.Error(err)
		}
	})
}

// TestBatchSendsAResponseInOneWrite asks, on one keep-alive connection, for answers of sizes on
// both sides of net/http's 4 KiB buffer: each arrives whole and in order, written in one system
// call, where net/http alone makes two for any above 4 KiB (the plain rows).
func TestBatchSendsAResponseInOneWrite(t *testing.T) {
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Path[1:])
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Write(body(n))
	})
	for _, tt := range []struct {
		name    string
		handler http.Handler
		big     int // writes an answer over 4 KiB takes
	}{
		{"batched", batched(t), 1},
		{"plain", plain, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, writes := serveCounting(t, tt.handler)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for _, n := range []int{0, 100, 3000, 6000, 16 << 10, 21224, 100_000, 455_000, 10} {
				c.SetDeadline(time.Now().Add(30 * time.Second))
				fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", n)
				res, err := http.ReadResponse(r, nil)
				if err != nil {
					t.Fatalf("%d bytes: %v", n, err)
				}
				got, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || !bytes.Equal(got, body(n)) {
					t.Fatalf("%d bytes: read %d bytes (%v), not the body sent", n, len(got), err)
				}
				want := 1
				if n > 4<<10 {
					want = tt.big
				}
				if got := <-writes; got != want {
					t.Errorf("%d bytes: %d writes, want %d", n, got, want)
				}
			}
		})
	}
}

// TestBatchThatCannotSendCloses: when what a Batch holds cannot be written (here its write
// deadline has passed), the connection is closed, so that the next request in the pipe cannot be
// answered on it as if the first answer had gone out whole.
func TestBatchThatCannotSendCloses(t *testing.T) {
	addr := serve(t, New(10, time.Hour), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := BatchOf(r.Context())
		w.Header().Set("Content-Length", "3000")
		b.Start()
		defer b.End()
		w.Write(body(3000))
		http.NewResponseController(w).Flush()
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(-time.Second))
		if err := b.End(); err == nil {
			t.Error("End past the write deadline: no error")
		}
	}))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n")
	got, err := io.ReadAll(c)
	if len(got) != 0 || err != nil {
		t.Errorf("read %d bytes (%v); want none, then the end of the connection", len(got), err)
	}
}

// TestBatchKeepsOrderWithReadFrom copies a body through net/http's ReadFrom (which hands the
// connection to sendfile's path) after writing some of it in a batch: what was held goes first.
func TestBatchKeepsOrderWithReadFrom(t *testing.T) {
	want := body(70_000)
	addr := serve(t, New(10, time.Hour), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := BatchOf(r.Context())
		w.Header().Set("Content-Length", strconv.Itoa(len(want)))
		w.Header().Set("Content-Type", "application/octet-stream")
		b.Start()
		defer b.End()
		w.Write(want[:5000])
		// A reader without WriteTo, so that io.Copy calls the response's ReadFrom.
		if _, err := io.Copy(w, struct{ io.Reader }{bytes.NewReader(want[5000:])}); err != nil {
			t.Error(err)
		}
	}))
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if got, err := io.ReadAll(res.Body); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes (%v), not the body sent", len(got), err)
	}
}

// TestBatchOfOtherConnections checks a request that did not come through a Limiter's TCP
// listener has no Batch, and that a nil Batch does nothing.
func TestBatchOfOtherConnections(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	b := BatchOf(req.Context())
	if b != nil {
		t.Fatalf("BatchOf a request without a connection: %v", b)
	}
	b.Start()
	if err := b.End(); err != nil {
		t.Errorf("End of a nil Batch: %v", err)
	}
	l := New(10, time.Hour)
	p, q := net.Pipe()
	defer q.Close()
	if ac := l.admit(p); BatchOf(ConnContext(req.Context(), ac)) != nil {
		t.Error("a connection other than TCP has a Batch")
	}
}
