package connlimit

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve runs an HTTP server with l on a loopback port; handler answers its requests.
func serve(t *testing.T, l *Limiter, handler http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: handler, ConnState: l.ConnState, ConnContext: ConnContext, ReadHeaderTimeout: time.Minute}
	go hs.Serve(l.Listener(ln))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// request sends one keep-alive GET on c and reads the answer, returning its status line.
func request(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.Status
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

// TestIdleConnectionsMakeRoom opens 1,000 keep-alive connections that each make a request and then
// sit idle, with a cap of 100: a new client must still be answered, and no more than the cap are
// open.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	l := New(100, time.Hour)
	addr := serve(t, l, ok)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 1000 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if got := request(t, c); got != "200 OK" {
			t.Fatalf("idle client's request: %s", got)
		}
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conns = append(conns, c)
	if got := request(t, c); got != "200 OK" {
		t.Errorf("new client after 1,000 idle ones: %s", got)
	}
	if n := l.Open(); n > 100 {
		t.Errorf("%d connections open, cap 100", n)
	}
	if n := l.reaped.Load(); n < 900 {
		t.Errorf("%d idle connections closed, want at least 900", n)
	}
}

// TestBusyConnectionsRefuse fills the cap with requests in progress: the next connection gets a
// 503 with Retry-After and Connection: close, at once.
func TestBusyConnectionsRefuse(t *testing.T) {
	release := make(chan struct{})
	l := New(3, time.Hour)
	addr := serve(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "ok")
	}))
	defer close(release)
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	for deadline := time.Now().Add(30 * time.Second); l.Open() < 3; {
		if time.Now().After(deadline) {
			t.Fatal("the three connections were never accepted")
		}
		time.Sleep(time.Millisecond)
	}
	// The refusal is written at once, maybe before the request: Go's client may then call it an
	// unsolicited response, so the answer is read off the connection.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !res.Close ||
		res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "too many connections") {
		t.Errorf("over the cap: %s, headers %v, body %s", res.Status, res.Header, body)
	}
	if l.refused.Load() != 1 {
		t.Errorf("refused %d", l.refused.Load())
	}
}

// TestSweepUnderPressure checks that idle connections are closed early only while more than half
// of the cap is open.
func TestSweepUnderPressure(t *testing.T) {
	for _, tc := range []struct {
		conns, max, closed int
	}{{conns: 4, max: 10, closed: 0}, {conns: 6, max: 10, closed: 6}} {
		l := New(tc.max, 5*time.Second)
		addr := serve(t, l, ok)
		for range tc.conns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			request(t, c)
		}
		for deadline := time.Now().Add(30 * time.Second); l.idleCount() < tc.conns; {
			if time.Now().After(deadline) {
				t.Fatal("the connections never became idle")
			}
			time.Sleep(time.Millisecond)
		}
		l.sweep(time.Now().Add(time.Second)) // not idle long enough
		if l.Open() != tc.conns {
			t.Errorf("%d of %d: closed connections idle for less than the pressure timeout", tc.conns, tc.max)
		}
		l.sweep(time.Now().Add(10 * time.Second))
		if got := tc.conns - l.Open(); got != tc.closed {
			t.Errorf("%d of %d open: %d closed by the sweep, want %d", tc.conns, tc.max, got, tc.closed)
		}
	}
}

func (l *Limiter) idleCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for info := l.idle.next; info != &l.idle; info = info.next {
		if info.prev.next != info {
			panic("connlimit: the idle ring is broken")
		}
		n++
	}
	return n
}

// BenchmarkKeepAliveRequest is what the hook costs a keep-alive request: its connection goes
// active, then idle again, among 64 open connections.
func BenchmarkKeepAliveRequest(b *testing.B) {
	l := New(1000, time.Hour)
	var conns []net.Conn
	for range 64 {
		p, _ := net.Pipe()
		c := l.admit(p)
		conns = append(conns, c)
		l.ConnState(c, http.StateIdle)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := conns[i%len(conns)]
		l.ConnState(c, http.StateActive)
		l.ConnState(c, http.StateIdle)
	}
}

// TestClosedConnectionsAreForgotten checks the count of open connections follows clients that
// leave, and connections the server ends itself after an error answer: the client reads the whole
// answer, then end of stream. (Whether net/http half-closes it first is TestCloseWrite's matter.)
func TestClosedConnectionsAreForgotten(t *testing.T) {
	l := New(10, time.Hour)
	addr := serve(t, l, ok)
	for range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := request(t, c); got != "200 OK" {
			t.Fatalf("request: %s", got)
		}
		c.Close()
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n") // a bad request: 400, then close
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	answer, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the answer to a bad request: %v (got %q)", err, answer)
	}
	if !strings.HasPrefix(string(answer), "HTTP/1.1 400 ") {
		t.Errorf("answer to a bad request: %q", answer)
	}
	for deadline := time.Now().Add(30 * time.Second); l.Open() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still counted after every client left", l.Open())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCloseWrite checks a connection from the Limiter's listener can still be half-closed.
func TestCloseWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l := New(10, time.Hour)
	lln := l.Listener(ln)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			io.Copy(c, c) // echo until the server half-closes, then close
			c.Close()
		}
	}()
	sc, err := lln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	cw, okCW := sc.(interface{ CloseWrite() error })
	if !okCW {
		t.Fatal("an accepted connection has no CloseWrite")
	}
	io.WriteString(sc, "hello")
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	sc.SetReadDeadline(time.Now().Add(30 * time.Second))
	if got, err := io.ReadAll(sc); err != nil || string(got) != "hello" {
		t.Errorf("after CloseWrite read %q, %v", got, err)
	}
}
