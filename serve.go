package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"dcatlas/api"
	"dcatlas/connlimit"
	"dcatlas/data"
	"dcatlas/debug"
)

// serveConfig is the server's configuration from flags and environment.
type serveConfig struct {
	addr        string
	dataDir     string
	baseURL     string
	cacheBytes  int
	logLevel    string
	logBuffer   int // bytes
	shutdown    time.Duration
	rateLimit   float64
	debugAddr   string
	metricsAddr string
	maxConns    int
	rateBurst   int
	// basemapURL and basemapAttribution configure an external base map for the web viewer.
	basemapURL         string
	basemapAttribution string
	// memoryLimit and workMemory are sizes as given, empty when not; see resolveMemory.
	memoryLimit, workMemory string
	// gcPercent is --gc-percent as given, empty when not; see resolveGCPercent.
	gcPercent string
	workWait  time.Duration
	workSlots int
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&cfg.addr, "addr", envOr("DCATLAS_ADDR", "127.0.0.1:8080"), "listen address (env DCATLAS_ADDR)")
	fl.StringVar(&cfg.dataDir, "data", envOr("DCATLAS_DATA", ""), "directory of *.yaml data files; empty for the built-in data (env DCATLAS_DATA)")
	fl.StringVar(&cfg.baseURL, "base-url", envOr("DCATLAS_BASE_URL", ""), "public URL for links, e.g. https://maps.example.org/dcatlas (env DCATLAS_BASE_URL)")
	cacheMB, err := strconv.Atoi(envOr("DCATLAS_CACHE_MB", "64"))
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_CACHE_MB: %w", err)
	}
	fl.IntVar(&cfg.cacheBytes, "cache-mb", cacheMB, "memory for cached responses and tiles, in MiB (env DCATLAS_CACHE_MB)")
	fl.StringVar(&cfg.logLevel, "log-level", envOr("DCATLAS_LOG_LEVEL", "info"), "debug, info, warn or error (env DCATLAS_LOG_LEVEL)")
	logKB, err := strconv.Atoi(envOr("DCATLAS_LOG_BUFFER_KB", "1024"))
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_LOG_BUFFER_KB: %w", err)
	}
	fl.IntVar(&cfg.logBuffer, "log-buffer-kb", logKB, "log lines held while stderr is slow, in KiB; beyond it lines are dropped and counted (env DCATLAS_LOG_BUFFER_KB)")
	fl.StringVar(&cfg.basemapURL, "basemap-url", envOr("DCATLAS_BASEMAP_URL", ""), "external XYZ base map for the web viewer instead of the built-in one, e.g. https://{s}.tile.example.org/{z}/{x}/{y}{r}.png (env DCATLAS_BASEMAP_URL)")
	fl.StringVar(&cfg.basemapAttribution, "basemap-attribution", envOr("DCATLAS_BASEMAP_ATTRIBUTION", ""), "attribution of the external base map, as plain text (env DCATLAS_BASEMAP_ATTRIBUTION)")
	rate, err := strconv.ParseFloat(envOr("DCATLAS_RATE_LIMIT", "0"), 64)
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_RATE_LIMIT: %w", err)
	}
	burst, err := strconv.Atoi(envOr("DCATLAS_RATE_BURST", "20"))
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_RATE_BURST: %w", err)
	}
	fl.Float64Var(&cfg.rateLimit, "rate-limit", rate, "requests per second allowed per client IP; 0 turns the limit off (env DCATLAS_RATE_LIMIT)")
	fl.IntVar(&cfg.rateBurst, "rate-burst", burst, "requests a client may burst above --rate-limit (env DCATLAS_RATE_BURST)")
	fl.StringVar(&cfg.debugAddr, "debug-addr", envOr("DCATLAS_DEBUG_ADDR", ""), "address for pprof profiles (/debug/pprof/), e.g. 127.0.0.1:6060; off when empty (env DCATLAS_DEBUG_ADDR)")
	fl.StringVar(&cfg.metricsAddr, "metrics-addr", envOr("DCATLAS_METRICS_ADDR", ""), "serve /metrics on this address only, e.g. 127.0.0.1:9090, instead of on --addr (env DCATLAS_METRICS_ADDR)")
	maxConns, err := strconv.Atoi(envOr("DCATLAS_MAX_CONNS", strconv.Itoa(connlimit.DefaultMax())))
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_MAX_CONNS: %w", err)
	}
	fl.IntVar(&cfg.maxConns, "max-conns", maxConns, "open connections at most; idle ones are closed to make room, and beyond it new ones get 503 (env DCATLAS_MAX_CONNS; default 10000 or the open-file limit less 128)")
	fl.DurationVar(&cfg.shutdown, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish on SIGTERM")
	fl.StringVar(&cfg.memoryLimit, "memory-limit", envOr("DCATLAS_MEMORY_LIMIT", ""), "soft memory limit of the process, e.g. 1GiB, or off; default GOMEMLIMIT, else 90% of the cgroup's limit, else 1GiB (env DCATLAS_MEMORY_LIMIT)")
	fl.StringVar(&cfg.gcPercent, "gc-percent", envOr("DCATLAS_GC_PERCENT", ""), "how far the heap grows past what is live before the collector runs, in percent; default GOGC, else 300 (env DCATLAS_GC_PERCENT)")
	fl.StringVar(&cfg.workMemory, "work-memory", envOr("DCATLAS_WORK_MEMORY", ""), "memory that answers being built may hold at once, e.g. 480MiB; default half of what the memory limit leaves beside the cache (env DCATLAS_WORK_MEMORY)")
	workWait, err := time.ParseDuration(envOr("DCATLAS_WORK_WAIT", api.DefaultWorkWait.String()))
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_WORK_WAIT: %w", err)
	}
	workSlots, err := strconv.Atoi(envOr("DCATLAS_WORK_SLOTS", strconv.Itoa(api.DefaultWorkSlots())))
	if err != nil {
		return cfg, fmt.Errorf("DCATLAS_WORK_SLOTS: %w", err)
	}
	fl.IntVar(&cfg.workSlots, "work-slots", workSlots, "answers of each kind (drawings, data) built at once; default one less than the CPUs, at least 1 (env DCATLAS_WORK_SLOTS)")
	fl.DurationVar(&cfg.workWait, "work-wait", workWait, "how long a request waits for room to build its answer before it is answered 503 with Retry-After; under --shutdown-timeout (env DCATLAS_WORK_WAIT)")
	if err := fl.Parse(args); err != nil {
		return cfg, errUsage
	}
	if fl.NArg() > 0 {
		return cfg, fmt.Errorf("serve: unexpected argument %q", fl.Arg(0))
	}
	if cfg.rateLimit < 0 || cfg.rateBurst < 1 {
		return cfg, fmt.Errorf("--rate-limit must be at least 0 and --rate-burst at least 1")
	}
	if cfg.maxConns < 1 {
		return cfg, fmt.Errorf("--max-conns must be at least 1")
	}
	if cfg.cacheBytes < 1 {
		return cfg, fmt.Errorf("--cache-mb must be at least 1")
	}
	if cfg.workWait <= 0 || cfg.workSlots < 1 {
		return cfg, fmt.Errorf("--work-wait must be above 0 and --work-slots at least 1")
	}
	cfg.cacheBytes <<= 20
	if cfg.logBuffer < 4 {
		return cfg, fmt.Errorf("--log-buffer-kb must be at least 4")
	}
	cfg.logBuffer <<= 10
	if cfg.basemapURL != "" {
		if err := api.ValidateBasemapURL(cfg.basemapURL); err != nil {
			return cfg, fmt.Errorf("--basemap-url: %w", err)
		}
	}
	return cfg, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logCtx, stopLog := context.WithCancel(context.Background())
	logs := newLogBuffer(logCtx, stderr, cfg.logBuffer, 250*time.Millisecond)
	// The last lines, unless stderr is stalled: then they are lost rather than the exit.
	defer func() { logs.Flush(time.Second); stopLog() }()
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
	mem, err := resolveMemory(cfg.memoryLimit, cfg.workMemory, cfg.cacheBytes, systemMemoryEnv(os.LookupEnv))
	if err != nil {
		return err
	}
	gc, err := resolveGCPercent(cfg.gcPercent, os.LookupEnv)
	if err != nil {
		return err
	}
	mem.apply()
	gc.apply()
	log.Info("memory", "limit_bytes", mem.limit, "limit_from", mem.from, "work_bytes", mem.workBytes, "cache_bytes", cfg.cacheBytes,
		"gc_percent", gc.percent, "gc_percent_from", gc.from)
	start := time.Now()
	atlas, ds, err := data.Open(cfg.dataDir)
	if err != nil {
		return fmt.Errorf("refusing to start: %w", err)
	}
	// Under pressure (over half the cap open), connections idle for 5 s are closed.
	conns := connlimit.New(cfg.maxConns, 5*time.Second)
	srv := api.New(ds, api.Options{BaseURL: cfg.baseURL, CacheBytes: cfg.cacheBytes, Logger: log, RequestLog: requestLogFor(level, logs), Atlas: atlas,
		RateLimit: cfg.rateLimit, RateBurst: cfg.rateBurst, WorkBytes: mem.workBytes, WorkWait: cfg.workWait, WorkSlots: cfg.workSlots,
		BasemapURL: cfg.basemapURL, BasemapAttribution: cfg.basemapAttribution,
		HideMetrics: cfg.metricsAddr != "",
		Metrics:     append(conns.Collectors(), logs.collector())})
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	ln = conns.Listener(ln)
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	go conns.Sweep(sweepCtx, time.Second)
	hs := &http.Server{
		Handler:           srv,
		ConnState:         conns.ConnState,
		ConnContext:       connlimit.ConnContext,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.debugAddr != "" {
		dln, err := net.Listen("tcp", cfg.debugAddr)
		if err != nil {
			return fmt.Errorf("--debug-addr: %w", err)
		}
		debug := &http.Server{Handler: debug.Mux(), ReadHeaderTimeout: 5 * time.Second}
		go debug.Serve(dln)
		defer debug.Close()
		log.Info("profiling", "addr", dln.Addr().String())
	}
	metricsAddr := ""
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
		go ms.Serve(mln)
		defer ms.Close()
		metricsAddr = mln.Addr().String()
		log.Info("metrics", "addr", metricsAddr)
	}
	log.Info("listening", "addr", ln.Addr().String(), "sites", len(ds.Sites), "dataset", ds.Version, "startup_ms", time.Since(start).Milliseconds())
	if metricsAddr != "" {
		fmt.Fprintf(stdout, "dcatlas metrics on http://%s/metrics\n", metricsAddr)
	}
	fmt.Fprintf(stdout, "dcatlas serving %d sites on http://%s\n", len(ds.Sites), ln.Addr())
	logs.Flush(time.Second) // the start-up lines now; request lines are batched
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go atlas.Prepare() // the base map's geometry and name places, so the first tiles are not slower
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.shutdown.String())
	srv.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdown)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// requestLogFor is where the server writes its request lines at the log level: straight to the
// log's output, in the form of the logger's JSON handler (api.Options.RequestLog), when requests
// are logged at all (level info or below); else nowhere.
func requestLogFor(level slog.Level, out io.Writer) io.Writer {
	if level <= slog.LevelInfo {
		return out
	}
	return nil
}
