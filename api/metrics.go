package api

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	build    *prometheus.HistogramVec
	limited  prometheus.Counter
	// bySeries keeps the children of requests and duration by requestSeries, so that counting a
	// request neither hashes its labels nor takes the vectors' locks.
	bySeries sync.Map
	// routes holds, by route pattern, the series most of a route's requests are counted in (GET
	// and HEAD answered 200 or 304), found with no hashing of labels; made once the routes are
	// (see hotRoutes), never changed after. Routes added later fall back to bySeries.
	routes map[string]*hotSeries
}

// hotSeries are the series of one route that most requests land in, made on first use: GET and
// HEAD answered 200 or 304 (see hotIndex).
type hotSeries [4]atomic.Pointer[requestMetrics]

// hotIndex is the place in hotSeries of a method and status, or -1.
func hotIndex(method string, code int) int {
	i := 0
	switch method {
	case http.MethodGet:
	case http.MethodHead:
		i = 2
	default:
		return -1
	}
	switch code {
	case http.StatusOK:
		return i
	case http.StatusNotModified:
		return i + 1
	}
	return -1
}

// hotRoutes makes the table of hot series for these route patterns (a pattern may come once per
// method).
func (m *metrics) hotRoutes(patterns []string) {
	m.routes = make(map[string]*hotSeries, len(patterns))
	for _, p := range patterns {
		if m.routes[p] == nil {
			m.routes[p] = new(hotSeries)
		}
	}
}

// requestSeries are the labels of a request's metrics; few, since routes, methods and codes are.
type requestSeries struct {
	route, method string
	code          int
}

// requestMetrics are the metrics of one requestSeries.
type requestMetrics struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// forRequest returns the metrics of a request with these labels.
func (m *metrics) forRequest(route, method string, code int) *requestMetrics {
	hot := m.routes[route]
	i := hotIndex(method, code)
	if hot == nil || i < 0 {
		return m.series(route, method, code)
	}
	if rm := hot[i].Load(); rm != nil {
		return rm
	}
	rm := m.series(route, method, code)
	hot[i].Store(rm)
	return rm
}

// series returns the metrics of a request with these labels, made on first use.
func (m *metrics) series(route, method string, code int) *requestMetrics {
	key := requestSeries{route, method, code}
	if v, ok := m.bySeries.Load(key); ok {
		return v.(*requestMetrics)
	}
	rm := &requestMetrics{
		count:    m.requests.WithLabelValues(route, method, strconv.Itoa(code)),
		duration: m.duration.WithLabelValues(route),
	}
	v, _ := m.bySeries.LoadOrStore(key, rm)
	return v.(*requestMetrics)
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dcatlas_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dcatlas_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		build: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dcatlas_render_duration_seconds",
			Help:    "Time to compute and encode a response on a cache miss (tiles, images, documents), by route pattern and layer.",
			Buckets: []float64{.0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "layer"}),
		limited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dcatlas_rate_limited_total",
			Help: "Requests refused with 429 by the per-client rate limit.",
		}),
	}
	cacheStat := func(pick func(hits, misses uint64, entries, bytes int) float64) func() float64 {
		return func() float64 { return pick(s.cache.stats()) }
	}
	m.registry.MustRegister(
		m.requests, m.duration, m.build, m.limited,
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "dcatlas_cache_hits_total", Help: "Response cache hits."},
			cacheStat(func(h, _ uint64, _, _ int) float64 { return float64(h) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "dcatlas_cache_misses_total", Help: "Response cache misses."},
			cacheStat(func(_, m uint64, _, _ int) float64 { return float64(m) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dcatlas_cache_entries", Help: "Answers held in the response cache, and raw request keys leading to them."},
			cacheStat(func(_, _ uint64, n, _ int) float64 { return float64(n) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dcatlas_cache_bytes", Help: "Bytes held in the response cache: answers, their keys and raw request keys."},
			cacheStat(func(_, _ uint64, _, b int) float64 { return float64(b) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dcatlas_cache_max_bytes", Help: "The response cache's byte budget."},
			func() float64 { return float64(s.opts.CacheBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "dcatlas_dataset_info",
			Help:        "The dataset served (always 1), labelled with its version.",
			ConstLabels: prometheus.Labels{"version": s.ds.Version},
		}, func() float64 { return 1 }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dcatlas_dataset_sites", Help: "Sites in the dataset."},
			func() float64 { return float64(len(s.ds.Sites)) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.registry.MustRegister(s.opts.Metrics...)
	return m
}

// routeLabel is the route pattern of a request, or "unmatched" for a 404.
func routeLabel(c echo.Context) string {
	if p := c.Path(); p != "" && c.Response().Status != http.StatusNotFound {
		return p
	}
	return "unmatched"
}

// methodLabel bounds the method label: any method name would otherwise make a new series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return m
	}
	return "other"
}

// countRequest records a request's route pattern, method, status and duration, once answered.
func (s *Server) countRequest(route, method string, status int, d time.Duration) {
	rm := s.metrics.forRequest(route, methodLabel(method), status)
	rm.count.Inc()
	rm.duration.Observe(d.Seconds())
}

// observeBuild records how long a cache miss took to compute.
func (s *Server) observeBuild(route, layer string, d time.Duration) {
	s.metrics.build.WithLabelValues(route, layer).Observe(d.Seconds())
}

// MetricsHandler serves the metrics in the Prometheus text format, for a listener of their own.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

func (s *Server) registerMetricsRoutes() {
	if s.opts.HideMetrics {
		return
	}
	h := s.MetricsHandler()
	s.get("/metrics", func(c echo.Context) error {
		if err := checkParams(c.QueryParams()); err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	})
}
