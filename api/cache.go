package api

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"
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

// defaultCacheControl is the Cache-Control of answers that set none.
const defaultCacheControl = "public, max-age=300, stale-while-revalidate=3600"

// meta are the headers of an answer that are known before it is built: what a HEAD of an
// uncached answer sends (Server.headMeta), and what the built response gets (newResponse).
type meta struct {
	contentType  string
	cacheControl string // empty for defaultCacheControl
	disposition  string // Content-Disposition, empty when none
	csp          string // Content-Security-Policy, empty for the server's default
}

// newResponse is the package's newResponse for body with m's headers.
func (m meta) newResponse(body []byte) *response {
	r := newResponse(m.contentType, body)
	r.cacheControl, r.disposition, r.csp = m.cacheControl, m.disposition, m.csp
	return r
}

// prepare builds the response's headers once; the fields above must not change afterwards.
func (r *response) prepare() {
	r.once.Do(func() {
		cc := cmp.Or(r.cacheControl, defaultCacheControl)
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
// values; a body's key in the cache (otter's node and map slot); a raw key's index entry.
const (
	entryOverhead = 512
	keyOverhead   = 128
	rawOverhead   = 96
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

// cache keeps encoded answers within a byte budget. Each answer is held once, under its normal
// key (a cacheKey: the route and the parsed inputs the answer depends on), so that any number of
// equivalent requests (other Host headers when a base URL is set, other percent-encodings, other
// parameter orders) cost one body. Requests as they came (raw keys, see Server.appendRawKey) lead to
// normal keys through a small index of their own, which holds keys only.
//
// Bodies are kept by otter (github.com/maypok86/otter/v2), a W-TinyLFU cache with eviction by
// weight: a newcomer displaces the entry eviction would drop only if it has been asked for more
// often (a count-min sketch of recent lookups), so a flood of keys asked for once cannot push out
// the answers being hit, while a small LRU window still lets a new answer that is asked for again
// soon in. It was chosen over ristretto, whose Set may drop entries under contention and settles
// costs asynchronously, and over a hand-written segmented LRU: it is maintained, measured, and
// weighs every entry exactly. It is safe for concurrent use.
type cache struct {
	bodies *otter.Cache[string, *response]
	counts *stats.Counter
	raw    *rawIndex
}

// rawShare is the part of the cache's budget that the raw-key index may use.
const rawShare = 16

// bodyWeight is what an answer under key counts against the budget.
func bodyWeight(key string, r *response) int { return len(key) + keyOverhead + r.size() }

func newCache(maxBytes int) *cache {
	counts := stats.NewCounter()
	rawBytes := maxBytes / rawShare
	return &cache{
		counts: counts,
		raw:    newRawIndex(rawBytes),
		bodies: otter.Must(&otter.Options[string, *response]{
			MaximumWeight: uint64(max(1, maxBytes-rawBytes)),
			Weigher: func(key string, r *response) uint32 {
				return uint32(min(bodyWeight(key, r), math.MaxUint32))
			},
			// Sized from the start, the frequency sketch counts lookups before the cache is half
			// full (otter's default), so early favourites are known when eviction begins.
			InitialCapacity: 1024,
			StatsRecorder:   counts,
			// Upkeep (recording hits in the policy, evicting) is done by the request that finds it
			// due, not by a new goroutine: the budget holds at once, and a burst of hits is not
			// forgotten because the goroutine that would drain them has not run yet.
			Executor: func(upkeep func()) { upkeep() },
		}),
	}
}

// get returns the answer under a normal key, counting a hit or a miss.
func (c *cache) get(key string) (*response, bool) { return c.bodies.GetIfPresent(key) }

// peek returns the answer under a normal key without counting the lookup: for a second look
// after a miss.
func (c *cache) peek(key string) (*response, bool) {
	e, ok := c.bodies.GetEntryQuietly(key)
	return e.Value, ok
}

// peekRaw returns the answer to a request seen before, by its raw key, and the route pattern that
// answered it. It counts hits, not misses: most new requests have no raw key yet, and their
// normal key is looked up next.
func (c *cache) peekRaw(raw []byte) (r *response, route string, ok bool) {
	key, route, ok := c.raw.lookup(raw)
	if !ok {
		return nil, "", false
	}
	r, ok = c.bodies.GetIfPresent(key)
	return r, route, ok
}

// put keeps an answer under its normal key.
func (c *cache) put(key string, r *response) {
	if uint64(bodyWeight(key, r)) > c.bodies.GetMaximum() {
		return
	}
	c.bodies.Set(key, r)
}

// alias records that the request with the raw key is answered by the answer under key, on the
// route with that pattern.
func (c *cache) alias(raw, key, route string) { c.raw.add(raw, key, route) }

// stats returns the hit and miss counts, the number of answers and raw keys held and their bytes.
func (c *cache) stats() (hits, misses uint64, entries, bytes int) {
	s := c.counts.Snapshot()
	n, b := c.raw.size()
	return s.Hits, s.Misses, c.bodies.EstimatedSize() + n, int(c.bodies.WeightedSize()) + b
}

// maxRawKey is the longest raw key indexed; longer requests are parsed each time, which costs
// microseconds, rather than letting long spellings crowd the index.
const maxRawKey = 2048

// rawIndex maps raw keys to normal keys within a byte budget of its own: however many ways a
// request is spelled, no spelling takes a body's room. Beyond its budget it drops keys by CLOCK
// (second chance: a key looked up since the hand last passed survives one more turn), an
// approximation of LRU whose lookups take only a read lock and, at most, set a flag.
type rawIndex struct {
	mu    sync.RWMutex
	max   int
	bytes int
	m     map[string]*rawEntry
	ring  []*rawEntry // the clock's face, in no particular order
	hand  int
}

type rawEntry struct {
	raw, key string
	route    string // the route's pattern, shared with the router: not counted in weight
	used     atomic.Bool
}

func (e *rawEntry) weight() int { return len(e.raw) + len(e.key) + rawOverhead }

func newRawIndex(maxBytes int) *rawIndex {
	return &rawIndex{max: maxBytes, m: map[string]*rawEntry{}}
}

// lookup returns the normal key that raw leads to and its route. It takes bytes so that a hit
// allocates nothing.
func (x *rawIndex) lookup(raw []byte) (key, route string, ok bool) {
	x.mu.RLock()
	e := x.m[string(raw)]
	var rk, rr string
	if e != nil {
		rk, rr = e.key, e.route // read under the lock: add may change them
	}
	x.mu.RUnlock()
	if e == nil {
		return "", "", false
	}
	if !e.used.Load() { // write only when it changes: lookups share the entry
		e.used.Store(true)
	}
	return rk, rr, true
}

// add makes raw lead to key, answered on route.
func (x *rawIndex) add(raw, key, route string) {
	e := &rawEntry{raw: raw, key: key, route: route}
	if len(raw) > maxRawKey || e.weight() > x.max {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old := x.m[raw]; old != nil {
		if old.key == key && old.route == route {
			return
		}
		x.bytes += len(key) - len(old.key)
		old.key, old.route = key, route
	} else {
		x.m[raw] = e
		x.ring = append(x.ring, e)
		x.bytes += e.weight()
	}
	for x.bytes > x.max {
		x.evict()
	}
}

// evict drops one key: the first the hand reaches that was not used since its last turn.
func (x *rawIndex) evict() {
	for {
		if x.hand >= len(x.ring) {
			x.hand = 0
		}
		e := x.ring[x.hand]
		if e.used.Swap(false) {
			x.hand++
			continue
		}
		// The newest key takes the slot and waits a whole turn, as a new key would behind the hand.
		last := len(x.ring) - 1
		x.ring[x.hand], x.ring[last] = x.ring[last], nil
		x.ring = x.ring[:last]
		x.hand++
		delete(x.m, e.raw)
		x.bytes -= e.weight()
		return
	}
}

// size returns how many raw keys are held and their bytes.
func (x *rawIndex) size() (n, bytes int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.m), x.bytes
}
