// Package debug serves what an operator needs to see inside a running server: the pprof profiles
// and the Go runtime's own measures of scheduling and collection (runtime/metrics), as text.
package debug

import (
	"fmt"
	"math"
	"net/http"
	"net/http/pprof"
	"runtime/metrics"
	"time"
)

// Mux serves the pprof profiles and the runtime's own measures. It is for a listener of its own
// (--debug-addr), never the public one.
func Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/runtime", runtimeMetrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// runtimeMetrics writes, as text, what the Go runtime measured since the start that bears on the
// latency of cheap answers under load (runtime/metrics): how long runnable goroutines waited for a
// CPU, how long the collector stopped the world, and the CPU spent collecting and assisting.
func runtimeMetrics(w http.ResponseWriter, _ *http.Request) {
	samples := []metrics.Sample{
		{Name: "/sched/latencies:seconds"},
		{Name: "/sched/pauses/total/gc:seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/cpu/classes/gc/mark/assist:cpu-seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/user:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
	}
	metrics.Read(samples)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			fmt.Fprintf(w, "%s %d\n", s.Name, s.Value.Uint64())
		case metrics.KindFloat64:
			fmt.Fprintf(w, "%s %.3f\n", s.Name, s.Value.Float64())
		case metrics.KindFloat64Histogram:
			h := s.Value.Float64Histogram()
			fmt.Fprintf(w, "%s count %d p50 %s p99 %s p99.9 %s max %s\n", s.Name, histCount(h),
				histQuantile(h, 0.5), histQuantile(h, 0.99), histQuantile(h, 0.999), histQuantile(h, 1))
		}
	}
}

// histCount is the number of samples in h.
func histCount(h *metrics.Float64Histogram) uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// histQuantile is the upper bound of the bucket that holds the q quantile of h, as a duration.
func histQuantile(h *metrics.Float64Histogram, q float64) time.Duration {
	n := histCount(h)
	if n == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i, c := range h.Counts {
		if seen += c; seen >= max(want, 1) {
			up := h.Buckets[i+1]
			if math.IsInf(up, 1) {
				up = h.Buckets[i]
			}
			return time.Duration(up * float64(time.Second))
		}
	}
	return 0
}
