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

// batched answers /N with N bytes, batched, and reports on calls how many system calls each
// batch made.
func batched(t *testing.T, calls chan<- int) http.Handler {
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
		before := b.calls
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
		calls <- b.calls - before
	})
}

// TestBatchSendsAResponseInOneWrite asks, on one keep-alive connection, for answers of sizes on
// both sides of net/http's 4 KiB buffer and of the 16 KiB a Batch holds: each arrives whole and in
// order, sent in one system call (net/http alone makes two for any above 4 KiB).
func TestBatchSendsAResponseInOneWrite(t *testing.T) {
	calls := make(chan int, 1)
	addr := serve(t, New(10, time.Hour), batched(t, calls))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for _, n := range []int{0, 100, 3000, 4096, 6000, 16 << 10, 21224, 100_000, 455_000, 10} {
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
		if got := <-calls; got != want {
			t.Errorf("%d bytes: %d system calls, want %d", n, got, want)
		}
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
