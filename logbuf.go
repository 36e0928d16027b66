package main

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// logBuffer batches log lines into few writes, and never makes its writers wait for the output:
// one goroutine writes the batches out, so a stalled or closed stderr stalls only that goroutine.
// Lines that do not fit in the bounded buffer, or whose write fails, are dropped and counted.
type logBuffer struct {
	out      io.Writer
	maxBytes int
	flushReq chan chan struct{}
	wake     chan struct{} // the buffer is half full

	mu      sync.Mutex
	buf     []byte
	dropped atomic.Uint64 // lines
}

// newLogBuffer buffers up to maxBytes of writes to out and writes them out every interval, when
// half full, and on Flush, until ctx ends.
func newLogBuffer(ctx context.Context, out io.Writer, maxBytes int, interval time.Duration) *logBuffer {
	b := &logBuffer{out: out, maxBytes: maxBytes, flushReq: make(chan chan struct{}), wake: make(chan struct{}, 1)}
	go b.run(ctx, interval)
	return b
}

func (b *logBuffer) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var spare []byte
	for {
		var done chan struct{}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.wake:
		case done = <-b.flushReq:
		}
		b.mu.Lock()
		chunk := b.buf
		b.buf = spare[:0]
		b.mu.Unlock()
		if len(chunk) > 0 {
			if _, err := b.out.Write(chunk); err != nil {
				b.dropped.Add(uint64(max(1, bytes.Count(chunk, []byte{'\n'}))))
			}
		}
		spare = chunk
		if done != nil {
			close(done)
		}
	}
}

// Write appends p to the buffer, or drops it when the buffer is full. It never blocks on the
// output and never fails: a logger has nowhere to report an error.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	if len(b.buf)+len(p) > b.maxBytes {
		b.mu.Unlock()
		b.dropped.Add(uint64(max(1, bytes.Count(p, []byte{'\n'}))))
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	half := len(b.buf) > b.maxBytes/2
	b.mu.Unlock()
	if half {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Flush writes out what is buffered, waiting at most timeout; it reports whether it finished.
func (b *logBuffer) Flush(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	done := make(chan struct{})
	select {
	case b.flushReq <- done:
	case <-t.C:
		return false
	}
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// Dropped is how many log lines were lost: the buffer was full or the write failed.
func (b *logBuffer) Dropped() uint64 { return b.dropped.Load() }

// collector exposes the count of dropped lines as a Prometheus counter.
func (b *logBuffer) collector() prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dcatlas_log_lines_dropped_total",
		Help: "Log lines dropped because the log buffer was full (stderr slower than the logging) or writing them failed.",
	}, func() float64 { return float64(b.Dropped()) })
}
