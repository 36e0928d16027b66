// Package connlimit caps the connections an HTTP server holds open. Idle keep-alive connections
// are the first to go: under pressure they are closed sooner, and at the cap the one idle longest
// makes room for a new client. Only when every connection is busy is a new one refused, with a
// short 503 that says so.
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
//
// ConnState runs twice per request, so it takes no lock: each connection's idle time is an atomic,
// found through a concurrent map. Finding the connection idle longest scans them all, which happens
// only at the cap or in a sweep under pressure.
type Limiter struct {
	max          int
	pressureIdle time.Duration

	conns sync.Map // net.Conn → *connInfo
	open  atomic.Int64
	admit sync.Mutex // makes the count check and the registration of a new connection one step

	refused, reaped atomic.Uint64
}

type connInfo struct {
	// idleSince is when the connection last became idle, in Unix nanoseconds; busy when 0, and
	// claimed (about to be closed by the Limiter) when claimed.
	idleSince atomic.Int64
}

// claimed marks a connection the Limiter has chosen to close.
const claimed = -1

// New returns a Limiter holding at most maxConns connections. Once more than half of them are
// open, connections idle longer than pressureIdle are closed.
func New(maxConns int, pressureIdle time.Duration) *Limiter {
	return &Limiter{max: max(1, maxConns), pressureIdle: pressureIdle}
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
		if ln.l.register(c) {
			return c, nil
		}
		ln.l.refused.Add(1)
		go refuse(c)
	}
}

// register counts c in unless the cap is reached and no connection is idle.
func (l *Limiter) register(c net.Conn) bool {
	l.admit.Lock()
	defer l.admit.Unlock()
	if l.open.Load() >= int64(l.max) && !l.closeIdlest() {
		return false
	}
	l.conns.Store(c, &connInfo{})
	l.open.Add(1)
	return true
}

// forget stops tracking c; it reports whether c was tracked.
func (l *Limiter) forget(c net.Conn) bool {
	if _, ok := l.conns.LoadAndDelete(c); ok {
		l.open.Add(-1)
		return true
	}
	return false
}

// closeIdlest closes the connection idle longest, if any is idle, and reports whether it did.
func (l *Limiter) closeIdlest() bool {
	for {
		var victim net.Conn
		var info *connInfo
		var since int64
		l.conns.Range(func(k, v any) bool {
			i := v.(*connInfo)
			if t := i.idleSince.Load(); t > 0 && (victim == nil || t < since) {
				victim, info, since = k.(net.Conn), i, t
			}
			return true
		})
		if victim == nil {
			return false
		}
		// The connection may have become busy since the scan: then look again.
		if info.idleSince.CompareAndSwap(since, claimed) {
			l.close(victim)
			return true
		}
	}
}

// close forgets and closes a connection the Limiter chose.
func (l *Limiter) close(c net.Conn) {
	if l.forget(c) {
		l.reaped.Add(1)
	}
	c.Close()
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
func (l *Limiter) ConnState(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateIdle, http.StateActive:
		v, ok := l.conns.Load(c)
		if !ok {
			return // closed here already
		}
		info := v.(*connInfo)
		t := info.idleSince.Load()
		if t == claimed {
			return
		}
		var now int64
		if state == http.StateIdle {
			now = time.Now().UnixNano()
		}
		info.idleSince.CompareAndSwap(t, now) // lost only to a claim: the connection is closing
	case http.StateClosed, http.StateHijacked:
		l.forget(c)
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
	if l.open.Load() <= int64(l.max/2) {
		return
	}
	before := now.Add(-l.pressureIdle).UnixNano()
	l.conns.Range(func(k, v any) bool {
		info := v.(*connInfo)
		if t := info.idleSince.Load(); t > 0 && t < before && info.idleSince.CompareAndSwap(t, claimed) {
			l.close(k.(net.Conn))
		}
		return true
	})
}

// Open is how many connections are open.
func (l *Limiter) Open() int { return int(l.open.Load()) }

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
