package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestLogBufferBuffersUntilFlush(t *testing.T) {
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newLogBuffer(ctx, &out, time.Hour)
	b.Write([]byte("one\n"))
	if got := out.String(); got != "" {
		t.Errorf("written through at once: %q", got)
	}
	if err := b.Flush(); err != nil || out.String() != "one\n" {
		t.Errorf("Flush: %v, %q", err, out.String())
	}
}

func TestLogBufferFlushesPeriodically(t *testing.T) {
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newLogBuffer(ctx, &out, 10*time.Millisecond)
	b.Write([]byte("one\n"))
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "one\n" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := out.String(); got != "one\n" {
		t.Fatalf("never flushed: %q", got)
	}
}
