package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// settle runs the cache's pending eviction work, which otter otherwise does in the background.
func settle(c *cache) { c.bodies.CleanUp() }

// bodiesWeight is what the answers in c count against its budget, raw keys aside.
func bodiesWeight(c *cache) int {
	settle(c)
	return int(c.bodies.WeightedSize())
}

func TestCacheStaysWithinItsBudget(t *testing.T) {
	const budget = 64 << 10
	c := newCache(budget)
	for i := range 200 {
		c.put(fmt.Sprint("k", i), &response{body: make([]byte, 1000)})
		c.alias(fmt.Sprint("raw\x00k", i), fmt.Sprint("k", i), "/k")
	}
	settle(c)
	if _, _, n, bytes := c.stats(); n == 0 || bytes > budget {
		t.Errorf("%d entries hold %d bytes, budget %d", n, bytes, budget)
	}
	c.put("huge", &response{body: make([]byte, budget)})
	settle(c)
	if _, ok := c.get("huge"); ok {
		t.Error("an answer larger than the cache was kept")
	}
}

// TestCacheHoldsABodyOnce checks that however many raw keys lead to an answer, its body counts
// once, and that raw keys never take a body's room: they have an index of their own.
func TestCacheHoldsABodyOnce(t *testing.T) {
	body := func() *response { return &response{body: make([]byte, 10_000)} }
	one := bodyWeight("k00", body())
	// Room for exactly 10 bodies, with less to spare than one more raw key costs.
	c := newCache((10*one + 10) * rawShare / (rawShare - 1))
	for i := range 10 {
		c.put(fmt.Sprintf("k%02d", i), body())
	}
	before := bodiesWeight(c)
	if before != 10*one {
		t.Fatalf("10 bodies weigh %d, want %d", before, 10*one)
	}
	// A flood of spellings of every answer, each far longer than the spare room.
	for i := range 10_000 {
		k := fmt.Sprintf("k%02d", i%10)
		c.alias(fmt.Sprintf("raw\x00%d\x00%s?title=%s", i, k, strings.Repeat("%41", 20)), k, "/k")
	}
	if after := bodiesWeight(c); after != before {
		t.Errorf("raw keys changed the bodies' weight from %d to %d", before, after)
	}
	for i := range 10 {
		if _, ok := c.peek(fmt.Sprintf("k%02d", i)); !ok {
			t.Errorf("k%02d was evicted by raw keys", i)
		}
	}
	n, bytes := c.raw.size()
	if n == 0 || bytes > c.raw.max {
		t.Errorf("the raw index holds %d keys in %d bytes, budget %d", n, bytes, c.raw.max)
	}
	long := "raw\x00" + strings.Repeat("x", maxRawKey)
	c.alias(long, "k00", "/k")
	if _, _, ok := c.peekRaw([]byte(long)); ok {
		t.Error("a raw key longer than maxRawKey was indexed")
	}
}

// TestCacheKeepsHotAnswersThroughAFlood checks the admission policy: answers being hit survive
// floods of keys asked for once, each flood larger than the whole cache. Under plain LRU, every
// flood would push the hot answers out.
func TestCacheKeepsHotAnswersThroughAFlood(t *testing.T) {
	const (
		budget = 1 << 20
		size   = 9_000
		hot    = 20  // 20 × 9 kB: a fifth of the cache
		flood  = 200 // 200 × 9 kB: more than the cache
		rounds = 30
	)
	c := newCache(budget)
	next := 0
	lookup := func(key string) bool {
		if _, ok := c.get(key); ok {
			return true
		}
		c.put(key, &response{body: make([]byte, size)}) // as the server does after a build
		return false
	}
	for round := range rounds {
		missed := 0
		for i := range hot {
			if !lookup(fmt.Sprint("hot", i)) {
				missed++
			}
		}
		for range flood {
			lookup(fmt.Sprint("once", next))
			next++
		}
		settle(c)
		if round > 0 && missed > 0 {
			t.Errorf("round %d: %d of %d hot answers were evicted by a flood of one-off keys", round, missed, hot)
		}
		if _, _, _, bytes := c.stats(); bytes > budget {
			t.Fatalf("round %d: %d bytes held, budget %d", round, bytes, budget)
		}
	}
	// New answers still get in once they are asked for again.
	lookup("late")
	for range 20 {
		lookup("late")
	}
	for range flood {
		lookup(fmt.Sprint("once", next))
		next++
	}
	settle(c)
	if _, ok := c.peek("late"); !ok {
		t.Error("an answer asked for 20 times was not admitted")
	}
}

// TestRawIndexKeepsUsedKeys checks the raw index's CLOCK: keys looked up between floods of new
// keys stay; the flood's keys go.
func TestRawIndexKeepsUsedKeys(t *testing.T) {
	x := newRawIndex(100 * (len("raw\x00hot00") + len("k") + rawOverhead))
	for i := range 10 {
		x.add(fmt.Sprintf("raw\x00hot%02d", i), "k", "/k")
	}
	next := 0
	for round := range 20 {
		for i := range 10 {
			if _, _, ok := x.lookup(fmt.Appendf(nil, "raw\x00hot%02d", i)); !ok {
				t.Fatalf("round %d: hot%02d was dropped", round, i)
			}
		}
		for range 60 {
			x.add(fmt.Sprintf("raw\x00new%04d", next), "k", "/k")
			next++
		}
		if n, bytes := x.size(); bytes > x.max || n != len(x.ring) {
			t.Fatalf("round %d: %d keys (%d on the clock) in %d bytes, budget %d", round, n, len(x.ring), bytes, x.max)
		}
	}
	if _, _, ok := x.lookup([]byte("raw\x00new0000")); ok {
		t.Error("the flood's first key, never used, outlived 1,000 newer ones")
	}
}

// TestWarmMapsSurviveVariants is the 24-warm-maps check of issue 13: 24 maps fill the cache, then
// 100 requests for them spelled otherwise (another Host, with a base URL set; another
// percent-encoding of the title; another parameter order) get the same bodies and leave all 24
// cached. The cache has room for the 24 maps and less to spare than one raw key costs, so any
// charge of a spelling against the bodies' room would evict a map.
func TestWarmMapsSurviveVariants(t *testing.T) {
	const maps = 24
	target := func(i int) string {
		return fmt.Sprintf("/static/map.png?at=%s&width=320&height=200&title=Sites%%20map", time.Date(2015, 1, 1+30*i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
	}
	variant := func(i, v int) (host, path string) {
		at := time.Date(2015, 1, 1+30*i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		titles := []string{"Sites+map", "%53ites%20map", "Sites%20%6dap", "%53%69%74%65%73+%6D%61%70"}
		title := titles[v%len(titles)]
		if v%2 == 0 {
			return fmt.Sprintf("variant-%d.example", v), fmt.Sprintf("/static/map.png?title=%s&height=200&width=320&at=%s", title, at)
		}
		return fmt.Sprintf("variant-%d.example:8080", v), fmt.Sprintf("/static/map.png?width=320&at=%s&title=%s&height=200", at, title)
	}
	opts := Options{Atlas: loadAtlas(t), BaseURL: "https://maps.example.org"}
	s := newTestServer(t, opts)
	etags := make([]string, maps)
	for i := range etags {
		rec := get(t, s, target(i))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target(i), rec.Code, rec.Body)
		}
		etags[i] = rec.Header().Get("ETag")
	}
	room := bodiesWeight(s.cache) + 10
	s.cache = newCache(room * rawShare / (rawShare - 1))
	for i := range maps {
		if rec := get(t, s, target(i)); rec.Code != http.StatusOK || rec.Header().Get("ETag") != etags[i] {
			t.Fatalf("warming %s: %d", target(i), rec.Code)
		}
	}
	settle(s.cache)
	if _, _, n, _ := s.cache.stats(); n < maps {
		t.Fatalf("the cache holds %d entries after warming %d maps", n, maps)
	}

	_, missesBefore, _, _ := s.cache.stats()
	for v := range 100 {
		i := v % maps
		host, path := variant(i, v)
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("ETag") != etags[i] {
			t.Fatalf("Host %s, %s: %d, ETag %s, want %s", host, path, rec.Code, rec.Header().Get("ETag"), etags[i])
		}
	}
	settle(s.cache)
	hitsBefore, misses, _, _ := s.cache.stats()
	if misses != missesBefore {
		t.Errorf("the variants missed %d times: a spelling was not recognised as its map", misses-missesBefore)
	}
	for i := range maps {
		if rec := get(t, s, target(i)); rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", target(i), rec.Code)
		}
	}
	hits, misses, _, _ := s.cache.stats()
	if hits-hitsBefore != maps || misses != missesBefore {
		t.Errorf("after 100 variants, %d of %d warm maps still hit (%d misses)", hits-hitsBefore, maps, misses-missesBefore)
	}
}
