//go:build unix

package main

import (
	"context"
	"testing"
	"time"
)

func TestLogBufferBuffersUntilFlush(t *testing.T) {
	var out syncBuffer
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
	var out syncBuffer
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
