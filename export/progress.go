package export

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports done/total on a terminal as one line redrawn in place, and elsewhere (a log, a
// pipe) as a plain line every tenth of the work.
type progress struct {
	w        io.Writer
	total    int
	done     atomic.Int64
	terminal bool
	mu       sync.Mutex
	last     time.Time // last redraw on a terminal
	lastStep int       // last tenth printed elsewhere
	stop     chan struct{}
	stopped  chan struct{}
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, terminal: isTerminal(w), stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.draw(false)
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) add(n int) { p.done.Add(int64(n)) }

func (p *progress) draw(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := int(p.done.Load())
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(done) / float64(p.total)
	}
	if p.terminal {
		const width = 30
		bar := strings.Repeat("█", int(pct/100*width)) + strings.Repeat("░", width-int(pct/100*width))
		fmt.Fprintf(p.w, "\r%s %d/%d tiles (%.1f%%)", bar, done, p.total, pct)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	step := int(pct / 10)
	if step > p.lastStep || (final && done != p.total) {
		p.lastStep = step
		fmt.Fprintf(p.w, "%d/%d tiles (%.0f%%)\n", done, p.total, pct)
	}
}

// finish stops the redraws and draws the final state.
func (p *progress) finish() {
	close(p.stop)
	<-p.stopped
	p.draw(true)
}
