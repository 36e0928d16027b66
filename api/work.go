package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// Expensive answers (base-map tiles, site tiles, static images, items and timelines) are built
// under a work limiter: each build holds a share of a memory budget while it runs, so however many
// requests come in, building takes at most that much memory. A build that cannot get its share
// within the wait is answered 503 with Retry-After. Answers in the cache never wait.

// DefaultWorkBytes is the work budget when Options leave it zero: two of the largest static
// images (BenchmarkStaticLargest allocates about 200 MB each).
const DefaultWorkBytes = 400 << 20

// DefaultWorkWait is how long a build waits for its share when Options leave it zero: less than the
// shutdown grace period, so that no request is still waiting when the server stops.
const DefaultWorkWait = 10 * time.Second

// Estimated costs of builds, in bytes of memory held while building.
const (
	bytesPerPixel = 12      // drawing a raster: RGBA image, coverage masks, PNG encoding
	jsonWorkBytes = 4 << 20 // an items page or a timeline: the matches and the encoded document
	tileWorkBytes = 1 << 20 // a vector tile
)

// pixelWork is the cost of drawing an image of that many device pixels.
func pixelWork(width, height int) int64 { return int64(width) * int64(height) * bytesPerPixel }

// workLimiter bounds the memory that builds hold at once.
type workLimiter struct {
	budget int64
	sem    *semaphore.Weighted
	wait   time.Duration
	// waiting, when set (in tests), is called as a build starts to wait for its share.
	waiting func()
	// draining ends when the server starts shutting down (drain): waiting builds give up.
	draining context.Context
	drain    context.CancelFunc
}

func newWorkLimiter(budget int64, wait time.Duration) *workLimiter {
	draining, drain := context.WithCancel(context.Background())
	return &workLimiter{budget: budget, sem: semaphore.NewWeighted(budget), wait: wait, draining: draining, drain: drain}
}

// acquire waits for cost bytes of the budget (at most the whole budget) until ctx ends or the
// wait passes, and returns the function that gives them back. When the wait passes, the error is
// a 503 problem with Retry-After; when ctx ends, it is ctx's error.
func (l *workLimiter) acquire(ctx context.Context, cost int64) (release func(), err error) {
	cost = max(1, min(cost, l.budget))
	if l.sem.TryAcquire(cost) {
		return func() { l.sem.Release(cost) }, nil
	}
	wctx, cancel := context.WithTimeout(ctx, l.wait)
	defer cancel()
	stop := context.AfterFunc(l.draining, cancel)
	defer stop()
	if l.waiting != nil {
		l.waiting()
	}
	if err := l.sem.Acquire(wctx, cost); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if l.draining.Err() != nil {
			p := problemf(http.StatusServiceUnavailable, "the server is shutting down; retry after the Retry-After seconds")
			p.retryAfter = 5
			return nil, p
		}
		p := problemf(http.StatusServiceUnavailable, "the server is busy: no room to build this answer within %s; retry after the Retry-After seconds", l.wait)
		p.retryAfter = max(1, int(l.wait.Seconds()/2))
		return nil, p
	}
	return func() { l.sem.Release(cost) }, nil
}

// flights coalesces concurrent builds of one key: the first miss starts the build, later ones wait
// for it. The build has its own context, cancelled when every request waiting for it has gone: one
// client leaving does not fail the others, and the last one leaving stops the work.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done    chan struct{}
	r       *response
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns the answer of the build of key, starting it unless one is under way, or ctx's error
// when ctx ends first.
func (g *flights) do(ctx context.Context, key string, build func(context.Context) (*response, error)) (*response, error) {
	g.mu.Lock()
	if g.m == nil {
		g.m = map[string]*flight{}
	}
	f, ok := g.m[key]
	if !ok {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		g.m[key] = f
		go g.run(bctx, key, f, build)
	}
	f.waiters++
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.r, f.err
	case <-ctx.Done():
		g.mu.Lock()
		if f.waiters--; f.waiters == 0 {
			f.cancel()
		}
		g.mu.Unlock()
		return nil, ctx.Err()
	}
}

// run builds a flight's answer; a panic in the build is its error.
func (g *flights) run(ctx context.Context, key string, f *flight, build func(context.Context) (*response, error)) {
	defer func() {
		if v := recover(); v != nil {
			f.r, f.err = nil, fmt.Errorf("panic while building %q: %v\n%s", key, v, debug.Stack())
		}
		g.mu.Lock()
		delete(g.m, key)
		g.mu.Unlock()
		f.cancel()
		close(f.done)
	}()
	f.r, f.err = build(ctx)
}

// isGone reports whether err means the request ended before its answer was ready.
func isGone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
