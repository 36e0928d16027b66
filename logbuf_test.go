//go:build unix

package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLogBufferBuffersUntilFlush(t *testing.T) {
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newLogBuffer(ctx, &out, 1<<10, time.Hour)
	b.Write([]byte("one\n"))
	if got := out.String(); got != "" {
		t.Errorf("written through at once: %q", got)
	}
	if !b.Flush(time.Minute) || out.String() != "one\n" {
		t.Errorf("Flush: %q", out.String())
	}
}

func TestLogBufferFlushesPeriodically(t *testing.T) {
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newLogBuffer(ctx, &out, 1<<10, 10*time.Millisecond)
	b.Write([]byte("one\n"))
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "one\n" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := out.String(); got != "one\n" {
		t.Fatalf("never flushed: %q", got)
	}
}

// stalledWriter blocks every write until release is closed, as a pipe nobody reads.
type stalledWriter struct {
	syncBuffer
	release chan struct{}
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.syncBuffer.Write(p)
}

// TestLogBufferNeverBlocks writes far more than the buffer holds to an output that does not
// move: every Write returns, what does not fit is dropped and counted, and once the output moves
// again the lines kept come out whole.
func TestLogBufferNeverBlocks(t *testing.T) {
	out := &stalledWriter{release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newLogBuffer(ctx, out, 1<<10, time.Millisecond)
	line := []byte(strings.Repeat("x", 99) + "\n")
	done := make(chan struct{})
	go func() {
		for range 1000 { // 100 KB into a 1 KiB buffer
			b.Write(line)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Write blocked on a stalled output")
	}
	if b.Flush(10 * time.Millisecond) {
		t.Error("Flush reported success while the output was stalled")
	}
	// At most the batch the writer holds plus a full buffer can have been kept.
	if d := b.Dropped(); d < 1000-2*10 || d > 1000 {
		t.Errorf("dropped %d of 1000 lines; want all but at most 20", d)
	}
	close(out.release)
	if !b.Flush(time.Minute) {
		t.Fatal("Flush did not finish once the output moved")
	}
	got := out.String()
	if n := strings.Count(got, "\n"); uint64(n) != 1000-b.Dropped() {
		t.Errorf("%d lines written, %d dropped: want 1000 in all", n, b.Dropped())
	}
	if strings.Trim(got, "x\n") != "" || !strings.HasSuffix(got, "\n") {
		t.Error("a line came out cut")
	}
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("broken pipe") }

func TestLogBufferCountsFailedWrites(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := newLogBuffer(ctx, failingWriter{}, 1<<10, time.Hour)
	b.Write([]byte("one\n"))
	b.Write([]byte("two\n"))
	b.Flush(time.Minute)
	if d := b.Dropped(); d != 2 {
		t.Errorf("dropped %d lines, want 2", d)
	}
}
