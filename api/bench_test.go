package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// benchmarkHit measures answering a cached request through the whole handler stack, on the whole
// built-in dataset.
func benchmarkHit(b *testing.B, target string) { benchmarkHitWith(b, target, Options{}) }

// benchmarkHitWith is benchmarkHit for a server with the given options.
func benchmarkHitWith(b *testing.B, target string, opts Options) {
	s := newFullServer(b, opts) // every provider: the size the service runs at
	if rec := get(b, s, target); rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", target, rec.Code)
	}
	benchmarkServe(b, s, target)
}

// benchmarkServe measures h answering GET target, on both CPUs.
func benchmarkServe(b *testing.B, h http.Handler, target string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	defer func() { b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op") }()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{header: http.Header{}}
		for pb.Next() {
			clear(w.header)
			w.code = 0
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Fatalf("%d", w.code)
			}
		}
	})
}

// cpuTime is the CPU time the process has used (user and system), which other work on a shared
// machine does not inflate as it does the wall time of ns/op.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardWriter is a ResponseWriter that keeps the status and drops the body, so that benchmarks
// measure the server rather than a recorder copying bytes.
type discardWriter struct {
	header http.Header
	code   int
}

func (w *discardWriter) Header() http.Header  { return w.header }
func (w *discardWriter) WriteHeader(code int) { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}

func BenchmarkHitItemsAll(b *testing.B) { benchmarkHit(b, "/collections/sites/items?limit=1000") }
func BenchmarkHitItemsAt(b *testing.B) {
	benchmarkHit(b, "/collections/sites/items?at=2018-09-01&status=active")
}
func BenchmarkHitTimeline(b *testing.B) { benchmarkHit(b, "/timeline") }
func BenchmarkHitSiteTile(b *testing.B) { benchmarkHit(b, "/tiles/sites/2/3/1.mvt") }

// BenchmarkHitLogged is a hit with a request log line written as in production (serve.go: JSON,
// info level, the line written straight to the log's writer).
func BenchmarkHitLogged(b *testing.B) {
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	benchmarkHitWith(b, "/tiles/sites/0/0/0.mvt", Options{Logger: log, RequestLog: io.Discard})
}

// BenchmarkHitSlogged is BenchmarkHitLogged with the line written by the logger's JSON handler.
func BenchmarkHitSlogged(b *testing.B) {
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	benchmarkHitWith(b, "/tiles/sites/0/0/0.mvt", Options{Logger: log})
}

// BenchmarkHitBare is the reference of the BenchmarkHit* figures: what bench/bare does for a
// request (copy the headers dcatlas sent, write the body), in the same harness. The difference is
// what dcatlas's routing, middleware, cache lookup, metrics and log add to a hit.
func BenchmarkHitBare(b *testing.B) {
	rec := get(b, newFullServer(b, Options{}), "/tiles/sites/0/0/0.mvt")
	header, body := rec.Header().Clone(), rec.Body.Bytes()
	benchmarkServe(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	}), "/tiles/sites/0/0/0.mvt")
}

// BenchmarkMissItemsAt measures computing and encoding an items answer, as on a cache miss.
func BenchmarkMissItemsAt(b *testing.B) {
	s := newFullServer(b, Options{}) // every provider: the size the service runs at
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.cache = newCache(DefaultCacheBytes)
		if rec := get(b, s, "/collections/sites/items?at=2018-09-01&status=active"); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
