package connlimit

import (
	"context"
	"io"
	"net"
	"sync"
)

// maxHeld is the most a Batch copies and holds: net/http's connection buffer, which it writes
// out whole before writing the rest of a large body straight to the connection.
const maxHeld = 4 << 10

// Batch gathers what one response writes to its connection, to send it in one system call.
// net/http writes a response bigger than its 4 KiB buffer in two: the headers with the start of
// the body, then the rest. Each write is a packet, and on a fast network a wake-up of a client
// waiting for it. While a Batch is on, writes of up to 4 KiB in all are copied and held; the
// write that does not fit goes out together with them (writev), and End sends what is still held.
// A connection whose held bytes cannot be sent is closed: net/http, which saw them written,
// must not answer another request on it.
//
// A Batch belongs to one connection and is used by the goroutine writing its response, as the
// response itself is. Its methods do nothing on nil.
type Batch struct {
	conn   *net.TCPConn
	pool   *sync.Pool // of *[]byte, shared by the Limiter's connections
	on     bool
	held   *[]byte // from pool, nil when nothing is held
	vecs   [2][]byte
	bufs   net.Buffers
	writes int // system calls writing to the connection, batched or not
}

// batchKey is the context key of a connection's Batch.
type batchKey struct{}

// ConnContext is the http.Server ConnContext hook that gives the requests of a TCP connection
// the Limiter admitted their connection's Batch (BatchOf).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if t, ok := c.(*tcpConn); ok {
		return context.WithValue(ctx, batchKey{}, &t.batch)
	}
	return ctx
}

// BatchOf is the Batch of the connection a request came on, given the request's context: nil
// unless the server's ConnContext is this package's and the connection is TCP.
func BatchOf(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	return b
}

// Start holds the connection's writes until End.
func (b *Batch) Start() {
	if b != nil {
		b.on = true
	}
}

// End sends what is held in one write, reporting its error, and stops holding writes.
func (b *Batch) End() error {
	if b == nil || !b.on {
		return nil
	}
	b.on = false
	return b.send()
}

// Writes is how many times the connection has been written to so far, batched or not: a
// system call each (a ReadFrom, which may take several, counts once).
func (b *Batch) Writes() int {
	if b == nil {
		return 0
	}
	return b.writes
}

// send writes out what is held, closing the connection if it cannot.
func (b *Batch) send() error {
	if b.held == nil {
		return nil
	}
	b.writes++
	_, err := b.conn.Write(*b.held)
	b.release()
	if err != nil {
		b.conn.Close()
	}
	return err
}

// write is the connection's Write while the Batch is on.
func (b *Batch) write(p []byte) (int, error) {
	n := 0
	if b.held != nil {
		n = len(*b.held)
	}
	if n+len(p) <= maxHeld {
		if b.held == nil {
			b.held = b.buffer()
		}
		*b.held = append(*b.held, p...)
		return len(p), nil
	}
	b.writes++
	if n == 0 {
		return b.conn.Write(p)
	}
	b.bufs = append(b.vecs[:0], *b.held, p)
	sent, err := b.bufs.WriteTo(b.conn)
	b.vecs = [2][]byte{}
	b.release()
	return max(0, int(sent)-n), err // net/http, told of an error, closes the connection
}

// buffer lends a buffer to hold writes in.
func (b *Batch) buffer() *[]byte {
	if p, ok := b.pool.Get().(*[]byte); ok {
		return p
	}
	buf := make([]byte, 0, maxHeld)
	return &buf
}

// release returns the held buffer, emptied.
func (b *Batch) release() {
	*b.held = (*b.held)[:0]
	b.pool.Put(b.held)
	b.held = nil
}

// Write writes p to the connection, through its Batch while one is on.
func (c *tcpConn) Write(p []byte) (int, error) {
	if c.batch.on {
		return c.batch.write(p)
	}
	c.batch.writes++
	return c.TCPConn.Write(p)
}

// ReadFrom is *net.TCPConn's (sendfile), after what a Batch holds.
func (c *tcpConn) ReadFrom(r io.Reader) (int64, error) {
	if c.batch.on {
		if err := c.batch.send(); err != nil {
			return 0, err
		}
	}
	c.batch.writes++
	return c.TCPConn.ReadFrom(r)
}
