package api

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
)

// response is an encoded answer kept for reuse: a hit costs no computing, encoding or compressing.
type response struct {
	contentType  string
	disposition  string // Content-Disposition, empty when none
	cacheControl string
	csp          string // Content-Security-Policy, empty for the server's default
	etag         string
	body         []byte
	gzipped      []byte // body compressed, nil when compression does not pay

	// Header values prepared once by prepare, shared by every answer and never modified.
	once                                 sync.Once
	etagV, ccV, dispV, cspV, typeV       []string
	plainLenV, zippedLenV, gzipEncodingV []string
}

// prepare builds the response's headers once; the fields above must not change afterwards.
func (r *response) prepare() {
	r.once.Do(func() {
		cc := r.cacheControl
		if cc == "" {
			cc = "public, max-age=300, stale-while-revalidate=3600"
		}
		r.etagV, r.ccV, r.typeV = []string{r.etag}, []string{cc}, []string{r.contentType}
		if r.disposition != "" {
			r.dispV = []string{r.disposition}
		}
		if r.csp != "" {
			r.cspV = []string{r.csp}
		}
		r.plainLenV = []string{strconv.Itoa(len(r.body))}
		if r.gzipped != nil {
			r.zippedLenV, r.gzipEncodingV = []string{strconv.Itoa(len(r.gzipped))}, []string{"gzip"}
		}
	})
}

// setMeta sets the headers of every answer, 304 included.
func (r *response) setMeta(h http.Header) {
	r.prepare()
	h["Etag"], h["Cache-Control"] = r.etagV, r.ccV
	if r.dispV != nil {
		h["Content-Disposition"] = r.dispV
	}
	if r.cspV != nil {
		h["Content-Security-Policy"] = r.cspV
	}
}

// setEntity sets the headers of the body as sent, compressed or not.
func (r *response) setEntity(h http.Header, zipped bool) {
	h["Content-Type"] = r.typeV
	if zipped {
		h["Content-Length"], h["Content-Encoding"] = r.zippedLenV, r.gzipEncodingV
	} else {
		h["Content-Length"] = r.plainLenV
	}
}

// Rough sizes of what the cache holds beside bodies and keys: a response with its prepared header
// values, and a key's list element and map slot.
const (
	entryOverhead = 512
	keyOverhead   = 128
)

// newUncompressedResponse is newResponse for bodies that gzip cannot shrink, such as PNG.
func newUncompressedResponse(contentType string, body []byte) *response {
	h := sha256.Sum256(body)
	return &response{contentType: contentType, etag: `"` + hex.EncodeToString(h[:12]) + `"`, body: body}
}

// size is roughly how many bytes the response holds.
func (r *response) size() int { return len(r.body) + len(r.gzipped) + entryOverhead }

// gzipLevel is the compression of cached bodies, done on the request path of a miss: level 5
// takes about half the CPU of gzip.BestCompression for bodies 2% larger (GeoJSON of the sites).
const gzipLevel = 5

// minGzipSize is the body size below which compression is not worth it.
const minGzipSize = 512

// newResponse encodes a response once: its ETag, a hash of the body (so it changes exactly when the
// bytes do, whatever changed them: data, code or base map), and its gzip form when that pays.
func newResponse(contentType string, body []byte) *response {
	r := newUncompressedResponse(contentType, body)
	if len(body) >= minGzipSize {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzipLevel)
		if _, err := zw.Write(body); err == nil && zw.Close() == nil && buf.Len() < len(body) {
			r.gzipped = buf.Bytes()
		}
	}
	return r
}

// cache keeps responses by key, evicting the least recently used beyond a byte budget. One
// response may be kept under several keys (a request's raw key and its normal key): its bodies
// count once against the budget, for as long as any key holds it. It is safe for concurrent use.
type cache struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	order    *list.List // front = most recent; values are *cacheItem
	items    map[string]*list.Element
	refs     map[*response]int // how many keys hold each response
	hits     uint64
	misses   uint64
}

type cacheItem struct {
	key string
	r   *response
}

func newCache(maxBytes int) *cache {
	return &cache{maxBytes: maxBytes, order: list.New(), items: map[string]*list.Element{}, refs: map[*response]int{}}
}

func (c *cache) get(key string) (*response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*cacheItem).r, true
}

// peek is get for a lookup that may well miss (a request's raw key): it counts hits, not misses.
func (c *cache) peek(key string) (*response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*cacheItem).r, true
}

// peekBytes is peek for a key held in bytes; it does not copy them.
func (c *cache) peekBytes(key []byte) (*response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[string(key)]
	if !ok {
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(el)
	return el.Value.(*cacheItem).r, true
}

func (c *cache) put(key string, r *response) {
	if r.size()+len(key)+keyOverhead > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*cacheItem)
		if it.r == r {
			c.order.MoveToFront(el)
			return
		}
		c.unref(it.r)
		it.r = r
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&cacheItem{key, r})
		c.bytes += len(key) + keyOverhead
	}
	if c.refs[r]++; c.refs[r] == 1 {
		c.bytes += r.size()
	}
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		it := last.Value.(*cacheItem)
		c.order.Remove(last)
		delete(c.items, it.key)
		c.bytes -= len(it.key) + keyOverhead
		c.unref(it.r)
	}
}

// unref drops one key's hold on r, and r's bytes with the last one.
func (c *cache) unref(r *response) {
	if c.refs[r]--; c.refs[r] == 0 {
		delete(c.refs, r)
		c.bytes -= r.size()
	}
}

// stats returns the hit and miss counts, the number of entries and their bytes.
func (c *cache) stats() (hits, misses uint64, entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, len(c.items), c.bytes
}
