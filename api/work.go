package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"dcatlas/geo/render"
)

// Expensive answers (base-map tiles, site tiles, static images, items and timelines) are built
// under a work limiter: each build holds a share of a memory budget while it runs, so however many
// requests come in, building takes at most that much memory, and a slot, so that builds never
// outnumber the CPUs. Drawing pixels (images, raster tiles) and encoding data (documents, vector
// tiles) have budgets and slots of their own: a small document never waits behind a large
// drawing. A build that cannot start within the wait is answered 503 with Retry-After. Answers in
// the cache never wait.

// DefaultWorkBytes is the work budget when Options leave it zero: two of the largest static
// images (see rasterWork).
const DefaultWorkBytes = 480 << 20

// DefaultWorkWait is how long a build waits for its share when Options leave it zero: less than the
// shutdown grace period, so that no request is still waiting when the server stops.
const DefaultWorkWait = 10 * time.Second

// DefaultWorkSlots is how many builds of each kind run at once when Options leave it zero: one less
// than the CPUs the runtime uses (at least one), so that a CPU is always free for the answers that
// need no building, and builds, which use all the CPU they get, gain nothing from running more.
func DefaultWorkSlots() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// Costs of builds, in bytes allocated while building, as TestWorkCostsCoverMeasured measures them
// (allocated, not merely live: the garbage is memory too until the collector runs). Drawing: a
// base-map tile takes 2.0–3.3 MB at 256² and 4.4–5.6 MB at 512² device pixels (zooms 0–8); a
// static map 2.9 MB at 320×200, 13.8 MB at 1200×800, 54 MB at 2400×1600, 194 MB at 4096² and
// 223 MB at 4096² with labels at zoom 6; a timeline chart 204 MB at 4096². A fixed 3 MB and 14
// bytes per device pixel cover every one of them. An SVG map takes 1.9 MB at 320×200 and 16–17 MB
// at 2048², covered by 2 MB and 4 bytes per pixel. Documents (SVG charts included) and vector
// tiles of the built-in data take 0.3–2.3 MB.
const (
	rasterFixedBytes = 3 << 20 // a drawing's fixed part: paths, labels, encoder state
	bytesPerPixel    = 14      // per device pixel: RGBA image, coverage masks, PNG encoding
	vectorFixedBytes = 2 << 20 // an SVG map's fixed part
	bytesPerSVGPixel = 4       // per pixel of an SVG map: the base map's outlines clipped to it
	jsonWorkBytes    = 4 << 20 // an items page or a timeline: the matches and the encoded document
	tileWorkBytes    = 2 << 20 // a vector tile
)

// idleCanvases is how many bytes of PNG canvases the server keeps for reuse between drawings
// (render.Canvases): the largest canvas for each drawing slot, since no more are drawn at once.
// They are not part of the work budget: a drawing's cost counts its canvas while it runs, and the
// idle ones lie beside the budget, at most 64 MiB a slot.
func idleCanvases(slots int) int64 {
	return int64(slots) * 4 * (render.MaxSize * render.MaxScale) * (render.MaxSize * render.MaxScale)
}

// work is what a build costs: the budget it draws on and how many bytes of it. The zero work is
// free: the build does not wait.
type work struct {
	raster bool // drawing pixels, not encoding data
	bytes  int64
}

// rasterWork is the cost of drawing an image of that many device pixels.
func rasterWork(width, height int) work {
	return work{raster: true, bytes: rasterFixedBytes + int64(width)*int64(height)*bytesPerPixel}
}

// namesBytesPerPixel is what a base-map tile's country names add per device pixel: the name mask,
// its halo and their crops (about five one-byte buffers a little larger than the tile, with room).
const namesBytesPerPixel = 8

// basemapTileWork is the cost of drawing a base-map tile of size² device pixels, names included.
func basemapTileWork(size int) work {
	w := rasterWork(size, size)
	w.bytes += int64(size) * int64(size) * namesBytesPerPixel
	return w
}

// vectorMapWork is the cost of drawing an SVG map of that many pixels.
func vectorMapWork(width, height int) work {
	return work{raster: true, bytes: vectorFixedBytes + int64(width)*int64(height)*bytesPerSVGPixel}
}

// The costs of encoding data.
var (
	documentWork   = work{bytes: jsonWorkBytes}
	vectorTileWork = work{bytes: tileWorkBytes}
)

// dataShare is the part of the work budget that encoding data has, beside drawing's; at least
// minDataBytes.
const (
	dataShare    = 8
	minDataBytes = 8 * jsonWorkBytes
)

// workLimiter bounds the memory that builds hold at once, and how many run, in two lanes.
type workLimiter struct {
	raster, data lane
	wait         time.Duration
	// waiting, when set (in tests), is called as a build starts to wait for its share.
	waiting func()
	// draining ends when the server starts shutting down (drain): waiting builds give up.
	draining context.Context
	drain    context.CancelFunc
}

// lane is a memory budget and a number of slots; a build holds some of one and one of the other.
type lane struct {
	budget int64
	mem    *semaphore.Weighted
	slots  *semaphore.Weighted
}

func newLane(budget int64, slots int) lane {
	return lane{budget: budget, mem: semaphore.NewWeighted(budget), slots: semaphore.NewWeighted(int64(slots))}
}

// newWorkLimiter splits budget between drawing and data, each with slots builds at once.
func newWorkLimiter(budget int64, slots int, wait time.Duration) *workLimiter {
	data := max(budget/dataShare, minDataBytes)
	draining, drain := context.WithCancel(context.Background())
	return &workLimiter{raster: newLane(max(budget-data, 1), slots), data: newLane(data, slots), wait: wait,
		draining: draining, drain: drain}
}

// lane returns the lane that builds costing w go through.
func (l *workLimiter) lane(w work) *lane {
	if w.raster {
		return &l.raster
	}
	return &l.data
}

// acquire waits for w's share of its lane's budget (at most the whole budget) and a slot, until
// ctx ends or the wait passes, and returns the function that gives them back. When the wait
// passes, the error is a 503 problem with Retry-After; when ctx ends, it is ctx's error. Memory
// comes first: a build waiting for a slot holds no CPU, and the slots stay busy.
func (l *workLimiter) acquire(ctx context.Context, w work) (release func(), err error) {
	ln := l.lane(w)
	cost := max(1, min(w.bytes, ln.budget))
	release = func() { ln.slots.Release(1); ln.mem.Release(cost) }
	if ln.mem.TryAcquire(cost) {
		if ln.slots.TryAcquire(1) {
			return release, nil
		}
		ln.mem.Release(cost)
	}
	wctx, cancel := context.WithTimeout(ctx, l.wait)
	defer cancel()
	stop := context.AfterFunc(l.draining, cancel)
	defer stop()
	if l.waiting != nil {
		l.waiting()
	}
	err = ln.mem.Acquire(wctx, cost)
	if err == nil {
		if err = ln.slots.Acquire(wctx, 1); err != nil {
			ln.mem.Release(cost)
		}
	}
	if err != nil {
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
	return release, nil
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
