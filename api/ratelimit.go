package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// limiter limits each client (by IP address) to a rate of requests, with a burst. It remembers
// at most maxClients clients, forgetting the one idle longest to make room for a new one: a flood of
// addresses cannot fill it and lock newcomers out. A client forgotten comes back with a full burst.
type limiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	clients *simplelru.LRU[string, *rate.Limiter]
}

// maxClients bounds the limiter's memory: about 200 bytes a client.
const maxClients = 100_000

func newLimiter(perSecond float64, burst int) *limiter {
	return newLimiterSize(perSecond, burst, maxClients)
}

func newLimiterSize(perSecond float64, burst, size int) *limiter {
	clients, _ := simplelru.NewLRU[string, *rate.Limiter](size, nil) // fails only for size ≤ 0
	return &limiter{rate: rate.Limit(perSecond), burst: max(burst, 1), clients: clients}
}

// allow reports whether the client may make a request now, and if not, how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	lim, ok := l.clients.Get(key) // marks it the most recently seen
	if !ok {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.clients.Add(key, lim) // evicts the client idle longest when full
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
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

// limitRate refuses with 429 and Retry-After a client over its rate, and closes the connection, so
// that a client refused holds no connection open. Only the health checks are exempt; /metrics is
// not (serve it on its own listener to keep it out of the limit: Options.HideMetrics).
// The headers go in h.
func (s *Server) limitRate(h http.Header, req *http.Request) error {
	switch req.URL.Path {
	case "/healthz", "/readyz":
		return nil
	}
	if ok, wait := s.limiter.allow(clientKey(req.RemoteAddr), time.Now()); !ok {
		s.metrics.limited.Inc()
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		h.Set(echo.HeaderConnection, "close")
		return problemf(http.StatusTooManyRequests, "too many requests from this client; retry after the Retry-After seconds")
	}
	return nil
}
