package render

import (
	"image"
	"sync"
)

// Canvases lends the pixels of PNG images, so that one large image after another reuses memory
// instead of allocating it: a 4096² canvas is 64 MiB, which the collector must find and free and
// the kernel zero again, and under a flood of large images that churn (gigabytes a second) makes
// the collector run back to back and stall every request, cached ones too. A lent canvas is
// cleared before use, so nothing of an earlier image shows through. Idle canvases are kept up to a
// number of bytes; smaller images than minPooled allocate as usual. It is safe for concurrent use;
// the nil *Canvases allocates every canvas.
type Canvases struct {
	max int64 // bytes of idle canvases kept at most

	mu   sync.Mutex
	idle [][]uint8 // oldest first
	held int64     // bytes in idle
}

// minPooled is the least canvas, in bytes, that is lent from the pool: smaller ones cost the
// collector little (1 MiB is 512×512 device pixels).
const minPooled = 1 << 20

// maxWaste is how many times larger than asked a lent canvas may be: a poster's pixels are not
// lent to a thumbnail, which would leave the next poster none.
const maxWaste = 4

// NewCanvases returns a pool that keeps at most maxBytes of idle canvases.
func NewCanvases(maxBytes int64) *Canvases { return &Canvases{max: maxBytes} }

// rgba returns a transparent RGBA image of r's size, lent from the pool when one fits.
func (c *Canvases) rgba(r image.Rectangle) *image.RGBA {
	n := 4 * r.Dx() * r.Dy()
	if c == nil || n < minPooled {
		return image.NewRGBA(r)
	}
	pix := c.take(n)
	if pix == nil {
		return image.NewRGBA(r)
	}
	for i := 0; i < len(pix); i += clearChunk {
		clear(pix[i:min(i+clearChunk, len(pix))])
	}
	return &image.RGBA{Pix: pix, Stride: 4 * r.Dx(), Rect: r}
}

// clearChunk is how many bytes of a lent canvas are cleared at once: clearing is not preemptible,
// and the collector waits for it to stop the world, so 64 MiB are cleared a quarter MiB at a time.
const clearChunk = 256 << 10

// take removes from the pool the smallest idle canvas that holds n bytes without waste, and
// returns its first n bytes, or nil when none fits.
func (c *Canvases) take(n int) []uint8 {
	c.mu.Lock()
	defer c.mu.Unlock()
	best := -1
	for i, b := range c.idle {
		if cap(b) >= n && cap(b) <= maxWaste*n && (best < 0 || cap(b) < cap(c.idle[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := c.idle[best]
	c.idle = append(c.idle[:best], c.idle[best+1:]...)
	c.held -= int64(cap(b))
	return b[:n]
}

// put gives back an image's pixels once it is encoded; the image must not be used again. The
// oldest idle canvases make room when the pool is full.
func (c *Canvases) put(img *image.RGBA) {
	if c == nil || img == nil || cap(img.Pix) < minPooled || int64(cap(img.Pix)) > c.max {
		return
	}
	b := img.Pix[:cap(img.Pix)]
	img.Pix = nil
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.held+int64(cap(b)) > c.max && len(c.idle) > 0 {
		c.held -= int64(cap(c.idle[0]))
		c.idle[0] = nil
		c.idle = c.idle[1:]
	}
	c.idle = append(c.idle, b)
	c.held += int64(cap(b))
}

// Idle reports how many canvases the pool holds and their bytes.
func (c *Canvases) Idle() (canvases int, bytes int64) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.idle), c.held
}
