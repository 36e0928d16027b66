// Package connlimit caps the connections an HTTP server holds open. Idle keep-alive connections
// are the first to go: under pressure they are closed sooner, and at the cap the one idle longest
// makes room for a new client. Only when every connection is busy is a new one refused, with a
// short 503 that says so. A handler may also have a response sent in one write (Batch).
package connlimit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Limiter tracks the connections of one http.Server. Wrap its listener with Listener and set its
// ConnState to the Limiter's; run Sweep for the shorter idle timeout under pressure.
type Limiter struct {
	max          int
	pressureIdle time.Duration

	mu   sync.Mutex
	open int      // connections admitted and not yet forgotten
	idle connInfo // the ring of idle connections, idle longest first after it

	refused, reaped atomic.Uint64
	buffers         sync.Pool // for the connections' Batches
}

// connInfo is an open connection and its place in the ring of idle ones, linked in place so that
// going idle, which every keep-alive request does, allocates nothing.
type connInfo struct {
	conn       net.Conn
	prev, next *connInfo // in Limiter.idle; nil when not idle
	idleSince  time.Time
	open       bool // counted in Limiter.open
}

// tcpConn is a TCP connection the Limiter admitted, carrying its connInfo, so that the ConnState
// hook, called twice on every request, finds it without a lookup, and its Batch. Its methods are
// those of *net.TCPConn, called directly (CloseWrite for net/http's graceful close), but for
// Write and ReadFrom, which go through the Batch. SyscallConn and File would pass it by: nothing
// calls them on a connection net/http serves.
type tcpConn struct {
	*net.TCPConn
	info  connInfo
	batch Batch
}

// conn is any other connection the Limiter admitted, carrying its connInfo. It has only the
// methods of net.Conn: a Unix socket's CloseWrite, say, is hidden (the server listens on TCP).
type conn struct {
	net.Conn
	info connInfo
}

// infoOf is the connInfo of a connection from the Limiter's listener, nil for any other.
func infoOf(c net.Conn) *connInfo {
	switch c := c.(type) {
	case *tcpConn:
		return &c.info
	case *conn:
		return &c.info
	}
	return nil
}

// pushIdle puts info last in the ring of idle connections.
func (l *Limiter) pushIdle(info *connInfo, now time.Time) {
	info.idleSince = now
	info.prev, info.next = l.idle.prev, &l.idle
	l.idle.prev.next = info
	l.idle.prev = info
}

// removeIdle takes info out of the ring of idle connections, if it is there.
func (l *Limiter) removeIdle(info *connInfo) {
	if info.next == nil {
		return
	}
	info.prev.next, info.next.prev = info.next, info.prev
	info.prev, info.next = nil, nil
}

// idlest is the connection idle longest, nil when none is idle.
func (l *Limiter) idlest() *connInfo {
	if l.idle.next == &l.idle {
		return nil
	}
	return l.idle.next
}

// New returns a Limiter holding at most maxConns connections. Once more than half of them are
// open, connections idle longer than pressureIdle are closed.
func New(maxConns int, pressureIdle time.Duration) *Limiter {
	l := &Limiter{max: max(1, maxConns), pressureIdle: pressureIdle}
	l.idle.prev, l.idle.next = &l.idle, &l.idle
	return l
}

// Listener wraps ln so that its Accept enforces the cap.
func (l *Limiter) Listener(ln net.Listener) net.Listener { return &listener{Listener: ln, l: l} }

type listener struct {
	net.Listener
	l *Limiter
}

// Accept returns the next connection, closing the connection idle longest when at the cap, and
// refusing the new one (503, then close) when none is idle. When the process is out of file
// descriptors it closes an idle connection so that the server's retry can succeed.
func (ln *listener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				ln.l.closeIdlest()
			}
			return nil, err
		}
		if ac := ln.l.admit(c); ac != nil {
			return ac, nil
		}
		ln.l.refused.Add(1)
		go refuse(c)
	}
}

// admit registers c unless the cap is reached and no connection is idle, returning the connection
// to serve, or nil.
func (l *Limiter) admit(c net.Conn) net.Conn {
	var ac net.Conn // wrapped before taking the lock, which every request's state change takes
	var info *connInfo
	if tcp, ok := c.(*net.TCPConn); ok {
		t := &tcpConn{TCPConn: tcp}
		t.batch = Batch{conn: tcp, pool: &l.buffers}
		ac, info = t, &t.info
	} else {
		o := &conn{Conn: c}
		ac, info = o, &o.info
	}
	*info = connInfo{conn: ac, open: true}
	l.mu.Lock()
	var victim net.Conn
	if l.open >= l.max {
		victim = l.takeIdlestLocked()
		if victim == nil {
			l.mu.Unlock()
			return nil
		}
	}
	l.open++
	l.mu.Unlock()
	if victim != nil {
		l.reaped.Add(1)
		victim.Close()
	}
	return ac
}

// takeIdlestLocked forgets the connection idle longest and returns it, or nil when none is idle.
func (l *Limiter) takeIdlestLocked() net.Conn {
	info := l.idlest()
	if info == nil {
		return nil
	}
	l.forgetLocked(info)
	return info.conn
}

// forgetLocked stops counting a connection, if it is still counted.
func (l *Limiter) forgetLocked(info *connInfo) {
	if info.open {
		l.removeIdle(info)
		info.open = false
		l.open--
	}
}

func (l *Limiter) closeIdlest() {
	l.mu.Lock()
	victim := l.takeIdlestLocked()
	l.mu.Unlock()
	if victim != nil {
		l.reaped.Add(1)
		victim.Close()
	}
}

// refusalBody is the problem+json body of the answer to a connection over the cap.
const refusalBody = `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"too many connections; try again later"}`

// refuse answers c with the refusal, without reading its request, and closes it.
func refuse(c net.Conn) {
	c.SetWriteDeadline(time.Now().Add(time.Second))
	c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\n" +
		"Content-Type: application/problem+json\r\n" +
		"Retry-After: 1\r\n" +
		"Connection: close\r\n" +
		"Content-Length: " + strconv.Itoa(len(refusalBody)) + "\r\n" +
		"\r\n" + refusalBody))
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		// Let the client read the answer before its unread request would make the close a reset.
		c.SetReadDeadline(time.Now().Add(time.Second))
		var buf [1024]byte
		for {
			if _, err := c.Read(buf[:]); err != nil {
				break
			}
		}
	}
	c.Close()
}

// ConnState is the http.Server ConnState hook that tells the Limiter which connections are idle.
// It ignores connections that did not come from the Limiter's listener.
func (l *Limiter) ConnState(c net.Conn, state http.ConnState) {
	info := infoOf(c)
	if info == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !info.open {
		return // closed here already
	}
	switch state {
	case http.StateIdle:
		if info.next == nil {
			l.pushIdle(info, time.Now())
		}
	case http.StateActive:
		l.removeIdle(info)
	case http.StateClosed, http.StateHijacked:
		l.forgetLocked(info)
	}
}

// Sweep closes, every interval until ctx ends, the connections idle longer than pressureIdle
// while more than half of the cap is open.
func (l *Limiter) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			l.sweep(now)
		}
	}
}

func (l *Limiter) sweep(now time.Time) {
	var stale []net.Conn
	l.mu.Lock()
	if l.open > l.max/2 {
		for info := l.idlest(); info != nil; info = l.idlest() {
			if now.Sub(info.idleSince) <= l.pressureIdle {
				break
			}
			l.forgetLocked(info)
			stale = append(stale, info.conn)
		}
	}
	l.mu.Unlock()
	l.reaped.Add(uint64(len(stale)))
	for _, c := range stale {
		c.Close()
	}
}

// Open is how many connections are open.
func (l *Limiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// Collectors are the Limiter's Prometheus metrics.
func (l *Limiter) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dcatlas_connections_open", Help: "HTTP connections open."},
			func() float64 { return float64(l.Open()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dcatlas_connections_max", Help: "The cap on open HTTP connections (--max-conns)."},
			func() float64 { return float64(l.max) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "dcatlas_connections_refused_total", Help: "Connections refused with 503 at the cap, every one busy."},
			func() float64 { return float64(l.refused.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "dcatlas_connections_idle_closed_total", Help: "Idle keep-alive connections closed early to make room or under pressure."},
			func() float64 { return float64(l.reaped.Load()) }),
	}
}

// DefaultMax is the cap used when none is given: 10,000 connections, or fewer when the process may
// not open that many files, keeping 128 for the data, logs and listeners.
func DefaultMax() int {
	if n := fdLimit(); n > 0 && n-128 < 10_000 {
		return max(16, n-128)
	}
	return 10_000
}
