package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// limiter limits each client (by IP address) to a rate of requests, with a burst.
type limiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxClients bounds the limiter's memory. Clients idle for a minute are forgotten; while the table
// is full of active ones, new clients are refused.
const maxClients = 100_000

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{rate: rate.Limit(perSecond), burst: max(burst, 1), clients: map[string]*client{}}
}

// allow reports whether the client may make a request now, and if not, how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Sweep every minute, or every second while the table is full: never on every request.
	if since := now.Sub(l.swept); since > time.Minute || (len(l.clients) >= maxClients && since > time.Second) {
		for k, c := range l.clients {
			if now.Sub(c.seen) > time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[key]
	if !ok {
		if len(l.clients) >= maxClients {
			return false, time.Second // every slot is in active use: refuse new clients for now
		}
		c = &client{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientKey is the rate-limit key of a remote address: the IP, or for IPv6 its /64, which one
// client usually holds whole.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// limitRate answers 429 with Retry-After to a client over its rate. Health and metrics are exempt.
func (s *Server) limitRate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().URL.Path {
		case "/healthz", "/readyz", "/metrics":
			return next(c)
		}
		if ok, wait := s.limiter.allow(clientKey(c.Request().RemoteAddr), time.Now()); !ok {
			s.metrics.limited.Inc()
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return problemf(http.StatusTooManyRequests, "too many requests from this client; retry after the Retry-After seconds")
		}
		return next(c)
	}
}
