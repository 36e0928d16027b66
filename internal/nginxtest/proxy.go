package nginxtest

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// refusingProxy is the proxy Browser gives Chromium: every request to a host other than loopback
// comes to it, from any tab, frame, worker or socket, and it keeps what was asked and closes the
// connection unanswered, so that the request fails as an unreachable host's would. Chromium's own
// events (Offsite) miss requests of workers, whose sessions are apart, and of sockets; the proxy
// hears them all. Chromium's own traffic (accounts, updates, time, autofill: Google's hosts, asked
// for whatever the flags say) is refused and not kept: a page's request to those hosts is left to
// Offsite, which sees the page's own.
type refusingProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	asked []string
}

// startRefusingProxy starts a refusingProxy on loopback until the test ends.
func startRefusingProxy(t testing.TB) *refusingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &refusingProxy{ln: ln}
	go p.serve()
	t.Cleanup(func() { ln.Close() })
	return p
}

// check fails the test naming each request the proxy was asked for.
func (p *refusingProxy) check(t testing.TB) {
	t.Helper()
	for _, a := range p.Asked() {
		t.Errorf("Chromium asked another host for %s (the test's proxy refused it: only loopback may be reached)", a)
	}
}

// URL is the proxy's address for Chromium's --proxy-server.
func (p *refusingProxy) URL() string { return "http://" + p.ln.Addr().String() }

// Asked is what the proxy was asked for: an absolute URL, or CONNECT host:port for TLS and
// secure sockets, in the order asked.
func (p *refusingProxy) Asked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

func (p *refusingProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.refuse(c)
	}
}

// refuse reads one request off c, keeps it and closes c.
func (p *refusingProxy) refuse(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(c))
	what := "an unreadable request"
	if err == nil {
		if chromiumOwn(req.URL.Hostname()) {
			return
		}
		what = req.URL.String()
		if req.Method == http.MethodConnect {
			what = "CONNECT " + req.Host
		}
	}
	p.mu.Lock()
	p.asked = append(p.asked, what)
	p.mu.Unlock()
}

// chromiumOwn reports whether host is one Chromium asks on its own: Google's accounts, update,
// time and autofill services.
func chromiumOwn(host string) bool {
	for _, domain := range []string{"google.com", "googleapis.com", "gvt1.com", "google"} {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return true
		}
	}
	return false
}
