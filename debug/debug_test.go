package debug

import (
	"io"
	"net/http/httptest"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// TestDebugRuntime reads /debug/runtime of the debug listener after a collection: it reports the
// scheduler's latencies, the collector's pauses and cycles, and CPU by class.
func TestDebugRuntime(t *testing.T) {
	ts := httptest.NewServer(Mux())
	defer ts.Close()
	runtime.GC()
	res, err := ts.Client().Get(ts.URL + "/debug/runtime")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, re := range []string{
		`(?m)^/sched/latencies:seconds count [1-9]\d* p50 \S+ p99 \S+ p99\.9 \S+ max \S+$`,
		`(?m)^/sched/pauses/total/gc:seconds count [1-9]\d* p50 `,
		`(?m)^/gc/cycles/total:gc-cycles [1-9]\d*$`,
		`(?m)^/cpu/classes/gc/mark/assist:cpu-seconds \d+\.\d{3}$`,
		`(?m)^/cpu/classes/total:cpu-seconds \d+\.\d{3}$`,
	} {
		if !regexp.MustCompile(re).Match(body) {
			t.Errorf("no line matching %s in:\n%s", re, body)
		}
	}
}

// TestHistQuantile takes quantiles of a histogram as the upper bound of the bucket holding them.
func TestHistQuantile(t *testing.T) {
	h := &metrics.Float64Histogram{
		Counts:  []uint64{50, 40, 9, 1},
		Buckets: []float64{0, 0.001, 0.01, 0.1, 1},
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0.5, time.Millisecond}, {0.51, 10 * time.Millisecond}, {0.9, 10 * time.Millisecond},
		{0.99, 100 * time.Millisecond}, {1, time.Second}, {0, time.Millisecond},
	} {
		if got := histQuantile(h, tc.q); got != tc.want {
			t.Errorf("q %s: %v, want %v", strconv.FormatFloat(tc.q, 'f', -1, 64), got, tc.want)
		}
	}
	if got := histQuantile(&metrics.Float64Histogram{Counts: []uint64{0}, Buckets: []float64{0, 1}}, 0.5); got != 0 {
		t.Errorf("empty histogram: %v", got)
	}
}
