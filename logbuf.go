package main

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"
)

// logBuffer batches log lines into few writes: under load, one write per request would cost a
// system call each. It flushes every interval, when full, and on Close.
type logBuffer struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// newLogBuffer buffers writes to w and flushes them every interval until ctx ends.
func newLogBuffer(ctx context.Context, w io.Writer, interval time.Duration) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, 64<<10)}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				b.Flush()
			}
		}
	}()
	return b
}

// Write appends p to the buffer.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is buffered.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}
