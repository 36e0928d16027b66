// Package api serves dcatlas over HTTP: the OGC API – Features endpoints, the timeline, tiles,
// images and the web viewer, on a dataset that does not change while the process runs.
package api

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"dcatlas/connlimit"
	"dcatlas/geo"
	"dcatlas/geo/basemap"
	"dcatlas/geo/render"
)

// Options configure a Server.
type Options struct {
	// BaseURL is the public URL of the service, without a trailing slash, used in links. Empty means
	// links are built from each request's Host.
	BaseURL string
	// CacheBytes bounds the memory kept for encoded responses and tiles.
	CacheBytes int
	// Now returns the current time; the default date of every query is its UTC day.
	Now func() time.Time
	// Logger receives one line per request and every internal error.
	Logger *slog.Logger
	// RequestLog, when set, receives the request lines instead of Logger: the lines Logger's
	// JSON handler would write at level info, written directly (see requestLine). Set it only
	// for such a logger, writing to this writer, at level info or below.
	RequestLog io.Writer
	// RateLimit, when above zero, limits each client IP to this many requests per second, with
	// bursts of RateBurst; beyond it the server answers 429 with Retry-After.
	RateLimit float64
	RateBurst int
	// Atlas draws the built-in base map; nil means the base-map tiles answer 404.
	Atlas *basemap.Atlas
	// BasemapURL, when set, is an external XYZ base map for the web viewer instead of the built-in
	// one: a Leaflet URL template such as https://{s}.tile.example.org/{z}/{x}/{y}{r}.png, checked
	// with ValidateBasemapURL. BasemapAttribution is its attribution, as plain text.
	BasemapURL         string
	BasemapAttribution string
	// Static, when set, renders the viewer's pages for the atlas as static files (package
	// publish): paths relative to the page, the base map from exported tiles, and the page marked
	// static. Such a server only builds the export's files; it serves nobody.
	Static *StaticSite
	// HideMetrics leaves /metrics out of the routes: it is served elsewhere, by MetricsHandler on a
	// listener of its own.
	HideMetrics bool
	// Metrics are more collectors to serve on /metrics beside the server's own, such as the
	// process's log buffer.
	Metrics []prometheus.Collector
	// WorkBytes bounds the memory that expensive answers hold while they are built (see work.go);
	// WorkWait bounds how long a build waits for its share before the answer is 503; WorkSlots is
	// how many builds of each kind (drawing, data) run at once. Zero means DefaultWorkBytes,
	// DefaultWorkWait and DefaultWorkSlots().
	WorkBytes int64
	WorkWait  time.Duration
	WorkSlots int
}

// DefaultCacheBytes is the response cache budget when Options leave it zero.
const DefaultCacheBytes = 64 << 20

// Server answers HTTP requests about one dataset. Build it with New.
type Server struct {
	ds      *geo.Dataset
	opts    Options
	log     *slog.Logger
	cache   *cache
	echo    *echo.Echo
	ready   atomic.Bool
	metrics *metrics
	// building coalesces concurrent cache misses for the same key.
	building flights
	// work bounds the memory of expensive builds.
	work *workLimiter
	// canvases lends the pixels of PNG images drawn on a miss (see idleCanvases).
	canvases *render.Canvases
	// common are the headers of every response, with canonical keys, built once; never modified.
	common    []headerValue
	frameDeny []string
	limiter   *limiter // nil when rate limiting is off
	started   time.Time
	lines     lineBuffers // of Options.RequestLog
	// clockSet says Options.Now was given: the day of a request is read from it rather than from
	// the time the request started (see dayAt).
	clockSet bool
	// scheme tells a request's scheme, for links and raw keys; Echo's contexts use it too.
	scheme echo.SchemeExtractor
}

// New returns a Server for the dataset, ready to serve.
func New(ds *geo.Dataset, opts Options) *Server {
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	clockSet := opts.Now != nil
	if !clockSet {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.WorkBytes <= 0 {
		opts.WorkBytes = DefaultWorkBytes
	}
	if opts.WorkWait <= 0 {
		opts.WorkWait = DefaultWorkWait
	}
	if opts.WorkSlots <= 0 {
		opts.WorkSlots = DefaultWorkSlots()
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Server{ds: ds, opts: opts, log: opts.Logger, cache: newCache(opts.CacheBytes), started: opts.Now(),
		work: newWorkLimiter(opts.WorkBytes, opts.WorkSlots, opts.WorkWait), canvases: render.NewCanvases(idleCanvases(opts.WorkSlots)),
		clockSet: clockSet}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	s.scheme = schemeFromHeaders(echo.ExtractSchemeFromHeaders())
	e.SchemeExtractor = s.scheme
	s.metrics = newMetrics(s)
	s.common = []headerValue{
		{"Access-Control-Allow-Origin", []string{"*"}},
		{"Access-Control-Expose-Headers", []string{"ETag, Content-Disposition, Link"}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"Referrer-Policy", []string{"strict-origin-when-cross-origin"}},
		// Data responses load nothing; the viewer's pages and SVG images set their own policy.
		{"Content-Security-Policy", []string{"default-src 'none'; frame-ancestors 'none'"}},
	}
	s.frameDeny = []string{"DENY"}
	if opts.RateLimit > 0 {
		s.limiter = newLimiter(opts.RateLimit, opts.RateBurst)
	}
	e.Use(s.everyRequest)
	s.echo = e
	s.registerMetricsRoutes()
	s.registerOpsRoutes()
	s.registerFeatureRoutes()
	s.registerChangeRoutes()
	s.registerTimelineRoutes()
	s.registerProviderRoutes()
	s.registerHistoryRoutes()
	s.registerTileRoutes()
	s.registerStaticRoutes()
	s.registerWebRoutes()
	var patterns []string
	for _, r := range e.Routes() {
		patterns = append(patterns, r.Path)
	}
	s.metrics.hotRoutes(append(patterns, "unmatched"))
	s.ready.Store(true)
	return s
}

// ServeHTTP answers one request. A GET or HEAD spelled exactly as one answered before is answered
// from the cache at once (answerSeen); every other request goes through Echo: its router, then
// everyRequest and the route's handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.answerSeen(w, r) {
		s.echo.ServeHTTP(w, r)
	}
}

// answerSeen answers, reporting true, a request whose raw key is cached (see appendRawKey). It
// takes the steps every request takes (steps) and sends what the request would get through
// Echo, metrics and log line included, without routing it or taking an Echo context: a hit needs
// neither.
func (s *Server) answerSeen(w http.ResponseWriter, req *http.Request) bool {
	start := time.Now()
	var buf [rawKeySize]byte
	raw, ok := s.appendRawKey(buf[:0], req, s.dayAt(start))
	if !ok {
		return false
	}
	r, route, ok := s.cache.peekRaw(raw)
	if !ok {
		return false
	}
	status, size := 0, int64(0)
	err := s.steps(w, req, func() (err error) {
		status, size, err = s.writeTo(w, req, r)
		return err
	})
	if err != nil && status == 0 { // else the client is gone: nothing to tell it
		status, size = s.writeProblem(w, req, err)
	}
	end := time.Now()
	s.record(route, req, status, size, start, end)
	return true
}

// SetReady says whether /readyz reports the server ready; it goes false while shutting down.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

// Drain prepares the shutdown: /readyz reports not ready, and builds waiting for their share of
// the work budget are answered 503 with Retry-After at once instead of holding the shutdown up;
// builds already running finish.
func (s *Server) Drain() {
	s.ready.Store(false)
	s.work.drain()
}

// today is the default date of queries.
func (s *Server) today() geo.Day { return geo.DayFromTime(s.opts.Now()) }

// dayAt is today for a request that started at start, read from the clock once for its timing and
// its cache key.
func (s *Server) dayAt(start time.Time) geo.Day {
	if s.clockSet {
		return s.today()
	}
	return geo.DayFromTime(start)
}

// baseURL is the URL links start with.
func (s *Server) baseURL(c echo.Context) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// schemeFromHeaders is Echo's default way to tell a request's scheme, trusted: the forwarding
// headers count only from loopback and private addresses. It parses the peer's address only when
// there is a forwarding header to trust, not for every request.
func schemeFromHeaders(trusted echo.SchemeExtractor) echo.SchemeExtractor {
	return func(req *http.Request) string {
		if h := req.Header; req.TLS == nil && h[echo.HeaderXForwardedProto] == nil && h[echo.HeaderXForwardedProtocol] == nil &&
			h[echo.HeaderXForwardedSsl] == nil && h[echo.HeaderXUrlScheme] == nil {
			return "http"
		}
		return trusted(req)
	}
}

// everyRequest is the server's one middleware. It counts every request that reaches Echo (see
// answerSeen for the others) in the metrics and logs it, timing it once for both; errors are
// answered here, so that both see the status sent. In between, the request goes through answer.
// The steps of a request are one function (steps) rather than a chain of middleware because Echo
// wraps each middleware around the handler anew on every request, a closure each.
func (s *Server) everyRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := s.answer(c, next, start); err != nil {
			c.Error(err)
		}
		end := time.Now()
		res := c.Response()
		s.record(routeLabel(c), c.Request(), res.Status, res.Size, start, end)
		return nil
	}
}

// answer answers a request through the route's handler, after the steps every request takes. The
// request started at start.
func (s *Server) answer(c echo.Context, handler echo.HandlerFunc, start time.Time) error {
	return s.steps(c.Response(), c.Request(), func() error {
		s.keepRawKey(c, s.dayAt(start))
		return handler(c)
	})
}

// steps are what every request goes through, whichever way it is answered: the headers of every
// response and the methods allowed, no request bodies, the rate limit when there is one; then
// respond answers it. An error is the answer to send instead (see writeProblem); a panic becomes
// a 500.
func (s *Server) steps(w http.ResponseWriter, req *http.Request, respond func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "method", req.Method, "path", req.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = problemf(http.StatusInternalServerError, "internal error; it has been logged")
		}
	}()
	h := w.Header()
	if done, err := s.commonHeaders(w, req); done {
		return err
	}
	if err := refuseBodies(h, req); err != nil {
		return err
	}
	if s.limiter != nil {
		if err := s.limitRate(h, req); err != nil {
			return err
		}
	}
	return respond()
}

// record counts an answered request in the metrics and writes its log line: it was answered on
// the route with that pattern with status and size bytes of body, from start to end.
func (s *Server) record(route string, req *http.Request, status int, size int64, start, end time.Time) {
	s.countRequest(route, req.Method, status, end.Sub(start))
	s.logRequest(req, status, size, start, end)
}

// logRequest writes the request's log line.
func (s *Server) logRequest(req *http.Request, status int, size int64, start, end time.Time) {
	l := requestLine{end: end, method: req.Method, path: req.URL.Path, query: req.URL.RawQuery,
		status: status, size: size, elapsed: end.Sub(start).Microseconds()}
	// A log that cannot be written has nowhere to report it.
	if s.opts.RequestLog != nil {
		b := s.lines.get()
		*b = l.appendJSON(*b)
		_, _ = s.opts.RequestLog.Write(*b)
		s.lines.put(b)
		return
	}
	if h := s.log.Handler(); h.Enabled(req.Context(), slog.LevelInfo) {
		_ = h.Handle(req.Context(), l.record())
	}
}

// commonHeaders sets the headers every response carries: CORS for public read access, and
// security headers. Only the embed page may be framed. It answers, reporting done, a preflight
// (OPTIONS) and a method other than GET and HEAD.
func (s *Server) commonHeaders(w http.ResponseWriter, req *http.Request) (done bool, err error) {
	h := w.Header()
	s.setCommonHeaders(h, req.URL.Path)
	if req.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "If-None-Match, Accept, Accept-Encoding, Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return true, nil
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD, OPTIONS")
		return true, problemf(http.StatusMethodNotAllowed, "method %s not allowed; the service answers GET, HEAD and OPTIONS", req.Method)
	}
	return false, nil
}

// setCommonHeaders puts the headers every response carries in h, the headers of an answer to a
// request for path.
func (s *Server) setCommonHeaders(h http.Header, path string) {
	for _, kv := range s.common {
		h[kv.key] = kv.value
	}
	if !strings.HasPrefix(path, "/embed") {
		h["X-Frame-Options"] = s.frameDeny
	}
}

// refuseBodies answers 400 to a request with a Transfer-Encoding, and closes its connection. The
// service reads no request bodies, and one that has both Transfer-Encoding and Content-Length (Go's
// server keeps only the former) may be a smuggling attempt: what a proxy in front took for the body
// could be read here as a second request. RFC 9112 §6.3 lets a server refuse it and asks it to close
// the connection after answering.
func refuseBodies(h http.Header, req *http.Request) error {
	if len(req.TransferEncoding) > 0 {
		h.Set(echo.HeaderConnection, "close")
		return problemf(http.StatusBadRequest, "request bodies are not accepted: no Transfer-Encoding (nor Transfer-Encoding with Content-Length)")
	}
	return nil
}

// send answers with the response cached under key, building it with build on a miss; build is
// cheap (see sendWork for the others). It sets the ETag and Cache-Control, answers 304 to a
// matching If-None-Match, and sends gzip to clients that accept it. The response is also kept
// under the request as it came (see keepRawKey).
func (s *Server) send(c echo.Context, key cacheKey, build func() (*response, error)) error {
	return s.sendWork(c, key, work{}, func(context.Context) (*response, error) { return build() })
}

// sendWork is send for a build that costs w: on a miss it waits for its share of the work budget
// first (none for the zero work). Concurrent misses for the same key wait for one build; it stops
// when every request waiting for it has gone.
func (s *Server) sendWork(c echo.Context, key cacheKey, w work, build func(context.Context) (*response, error)) error {
	route := routeLabel(c)
	r, ok := s.cache.get(string(key))
	if !ok {
		layer := c.Param("layer") // c is not used once the handler returns
		var err error
		r, err = s.building.do(c.Request().Context(), string(key), func(ctx context.Context) (*response, error) {
			if r, ok := s.cache.peek(string(key)); ok {
				return r, nil // built by a call that ended after our miss
			}
			if w.bytes > 0 {
				release, err := s.work.acquire(ctx, w)
				if err != nil {
					return nil, err
				}
				defer release()
			}
			start := time.Now()
			r, err := build(ctx)
			if err != nil {
				return nil, err
			}
			s.observeBuild(route, layer, time.Since(start))
			s.cache.put(string(key), r)
			return r, nil
		})
		if err != nil {
			return err
		}
	}
	if raw, _ := c.Get(rawKeyName).(string); raw != "" {
		s.cache.alias(raw, string(key), route)
	}
	return s.write(c, r)
}

// headUncached answers a HEAD request without building its answer when it is not cached, so that
// HEAD never draws: the status and the headers known before building (type, caching), without
// ETag or Content-Length, which only the body gives (RFC 9110 §9.3.2 lets them be left out). A
// cached answer is sent as for GET, headers only. It reports false, doing nothing, for other
// methods.
func (s *Server) headUncached(c echo.Context, key cacheKey, contentType, cacheControl string) (bool, error) {
	return s.headMeta(c, key, meta{contentType: contentType, cacheControl: cacheControl})
}

// headMeta is headUncached for an answer whose headers known before building are m.
func (s *Server) headMeta(c echo.Context, key cacheKey, m meta) (bool, error) {
	if c.Request().Method != http.MethodHead {
		return false, nil
	}
	if r, ok := s.cache.peek(string(key)); ok {
		return true, s.write(c, r)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, m.contentType)
	h.Set(echo.HeaderCacheControl, cmp.Or(m.cacheControl, defaultCacheControl))
	if m.disposition != "" {
		h.Set(echo.HeaderContentDisposition, m.disposition)
	}
	if m.csp != "" {
		h.Set(echo.HeaderContentSecurityPolicy, m.csp)
	}
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	c.Response().WriteHeader(http.StatusOK)
	return true, nil
}

// rawKeyName is where keepRawKey keeps a request's raw key for send.
const rawKeyName = "dcatlas.rawKey"

// appendRawKey appends the key of a response by the request as it came on day to dst: the day
// (queries default to today), the host (links use it unless a base URL is set) and the path with its query.
// It returns false for requests whose answer depends on more, such as / (the viewer or JSON, by
// Accept).
func (s *Server) appendRawKey(dst []byte, req *http.Request, day geo.Day) ([]byte, bool) {
	if req.URL.Path == "/" || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
		return dst, false
	}
	dst = append(dst, "raw\x00"...)
	dst = strconv.AppendInt(dst, int64(day), 10)
	dst = append(dst, 0)
	if s.opts.BaseURL == "" {
		dst = append(append(append(dst, s.scheme(req)...), "://"...), req.Host...)
	}
	dst = append(dst, 0)
	if req.URL.RawQuery == "" && req.URL.Opaque == "" && req.URL.RawPath == "" {
		dst = append(dst, req.URL.Path...) // what RequestURI gives, without building it
	} else {
		dst = append(dst, req.URL.RequestURI()...)
	}
	return dst, true
}

// rawKeySize is enough room for most raw keys, built on the stack.
const rawKeySize = 256

// keepRawKey keeps the raw key of a request that answerSeen did not answer, for send to record
// which answer it got, so that the next request spelled the same way is answered at once.
// The raw key is computed here, before the handler reads the clock: an answer built just after
// midnight may land under the day before (whose key is no longer asked for), never the reverse.
func (s *Server) keepRawKey(c echo.Context, day geo.Day) {
	var buf [rawKeySize]byte
	if raw, ok := s.appendRawKey(buf[:0], c.Request(), day); ok {
		c.Set(rawKeyName, string(raw))
	}
}

// write sends an encoded response to the request of c (see writeTo).
func (s *Server) write(c echo.Context, r *response) error {
	_, _, err := s.writeTo(c.Response(), c.Request(), r)
	return err
}

// writeTo answers req with an encoded response, honouring If-None-Match and Accept-Encoding, and
// returns the status and the bytes of body sent. Its headers were prepared when it was cached, so
// a hit neither formats nor canonicalizes any.
func (s *Server) writeTo(w http.ResponseWriter, req *http.Request, r *response) (status int, size int64, err error) {
	h := w.Header()
	r.setMeta(h)
	if vary := h["Vary"]; len(vary) > 0 { // a handler may have set Vary: Accept
		h["Vary"] = append(vary[:len(vary):len(vary)], "Accept-Encoding")
	} else {
		h["Vary"] = varyEncoding
	}
	if inm := req.Header["If-None-Match"]; len(inm) > 0 && etagMatches(strings.Join(inm, ","), r.etag) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, 0, nil
	}
	zipped := r.gzipped != nil && acceptsGzip(strings.Join(req.Header["Accept-Encoding"], ","))
	body := r.body
	if zipped {
		body = r.gzipped
	}
	r.setEntity(h, zipped)
	w.WriteHeader(http.StatusOK)
	if req.Method == http.MethodHead {
		return http.StatusOK, 0, nil
	}
	if len(body) <= batchAbove {
		n, err := w.Write(body)
		return http.StatusOK, int64(n), err
	}
	// net/http would send the headers and the body in two writes: batch them into one.
	batch := connlimit.BatchOf(req.Context())
	batch.Start()
	defer batch.End() // also on a panic
	n, err := w.Write(body)
	if batch != nil && err == nil {
		// Echo's Flush hides net/http's error, and panics where flushing is not supported.
		under := w
		if er, ok := w.(*echo.Response); ok {
			under = er.Writer
		}
		if err = http.NewResponseController(under).Flush(); err == nil {
			err = batch.End()
		}
	}
	return http.StatusOK, int64(n), err
}

// batchAbove is the size of body above which net/http may write a response in two: the headers
// and a body up to this size fit in its 4 KiB buffer.
const batchAbove = 2 << 10

// headerValue is a header with a canonical key and a value shared by every response.
type headerValue struct {
	key   string
	value []string
}

// varyEncoding is the Vary of every cached response; never modified.
var varyEncoding = []string{"Accept-Encoding"}

// etagMatches reports whether an If-None-Match header value matches etag (weak comparison, RFC 9110).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (and does not give it q=0).
func acceptsGzip(header string) bool {
	if header == "" {
		return false
	}
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		allowed := true
		if params != "" {
			allowed = !slices.Contains([]string{"q=0", "q=0.0", "q=0.00", "q=0.000"}, strings.ReplaceAll(params, " ", ""))
		}
		switch {
		case strings.EqualFold(name, "gzip"):
			return allowed // an explicit gzip entry wins over *
		case name == "*":
			star = allowed
		}
	}
	return star
}

func (s *Server) registerOpsRoutes() {
	s.get("/healthz", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	s.get("/readyz", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		if !s.ready.Load() {
			return problemf(http.StatusServiceUnavailable, "shutting down")
		}
		return c.JSON(http.StatusOK, map[string]any{"status": "ready", "dataset": s.ds.Version, "sites": len(s.ds.Sites)})
	})
}
