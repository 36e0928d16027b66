package web_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The checks of the viewer that tells the story: the whole history in the browser, playback,
// labels and groups that never overlap, phone and embed layouts, compare, list, chart marks.

// requests returns how many requests the page has made so far.
func (p *page) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

// requestsSince returns the requests made after the first n (data: URLs, which ask no server, left out).
func (p *page) requestsSince(n int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	// A data: URL asks no server: Leaflet sets one on a tile it drops (the map's size changed).
	return slices.DeleteFunc(slices.Clone(p.reqs[n:]), func(u string) bool { return strings.HasPrefix(u, "data:") })
}

// slideTo moves the slider to a position, as a drag would.
func (p *page) slideTo(pos int) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`new Promise((done) => {
		const s = document.getElementById('slider');
		s.value = '%d';
		s.dispatchEvent(new Event('input', { bubbles: true }));
		s.dispatchEvent(new Event('change', { bubbles: true }));
		setTimeout(() => done(document.getElementById('date-label').dateTime));
	})`, pos))
}

// testEveryMonth checks, for every month from the first site to today, that the counts the page
// shows equal /timeline's, and that moving through them asks the server nothing.
func testEveryMonth(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", desktop)
	var tl timeline
	srv.json(t, "/timeline", &tl)
	maxPos := eval[int](p, `Number(document.getElementById('slider').max)`)
	if maxPos < 100 {
		t.Fatalf("the slider has %d months; want the whole history", maxPos)
	}
	before := p.requests()
	for pos := 0; pos <= maxPos; pos++ {
		day := p.slideTo(pos)
		p.waitRendered(day)
		want := tl.at(day)
		got := p.shownCounts()
		got.Date = day
		if got != want {
			t.Errorf("counts on %s: page %+v, /timeline %+v", day, got, want)
		}
	}
	if reqs := p.requestsSince(before); len(reqs) > 0 {
		t.Errorf("moving through %d months made %d requests: %v", maxPos+1, len(reqs), reqs)
	}
}

// loadAverage returns the machine's load average (Linux), or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func percentile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	return s[int(math.Min(float64(len(s)-1), math.Floor(q*float64(len(s)))))]
}

// testPlaybackAsksNothing plays the whole history (from the end it starts at the first site),
// checks that no request is made while it plays, and reports the frame times.
func testPlaybackAsksNothing(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", desktop)
	first := eval[string](p, `window.dcatlas.sliderStart()`)
	p.waitTiles()
	before := p.requests()
	start := time.Now()
	p.do("clicking play", chromedp.Click(chromedp.ID("play")))
	p.waitFor(`window.dcatlas.playing()`)
	if got := eval[string](p, `window.dcatlas.rendered`); got > addMonths(first, 1) {
		t.Errorf("play from today started at %s, want the first site's month %s", got, first)
	}
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!window.dcatlas.playing()`, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("playback did not end within 60s: %v", err)
	}
	took := time.Since(start)
	if reqs := p.requestsSince(before); len(reqs) > 0 {
		t.Errorf("playing made %d requests: %v", len(reqs), reqs)
	}
	frames := eval[[]float64](p, `window.dcatlas.frames()`)
	if len(frames) < 100 {
		t.Fatalf("only %d frames measured", len(frames))
	}
	t.Logf("a full play took %s (aim 20-30 s); %d frames, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
		took.Round(100*time.Millisecond), len(frames), percentile(frames, 0.5), percentile(frames, 0.99), slices.Max(frames))
	for name, cs := range eval[map[string][]float64](p, `window.dcatlas.costs()`) {
		if len(cs) > 0 {
			t.Logf("render of the %s while playing: %d times, p50 %.1f ms, p99 %.1f ms", name, len(cs), percentile(cs, 0.5), percentile(cs, 0.99))
		}
	}
	t.Logf("load average while measured: %s", loadAverage())
	_, today := srv.countsAt(t, "2000-01-01")
	if got := eval[string](p, `window.dcatlas.rendered`); got != today {
		t.Errorf("playback ended at %s, want today %s", got, today)
	}
	// A faster speed, and a step with the keys.
	p.do("choosing 4×", chromedp.SetValue(chromedp.ID("speed"), "4"))
	eval[bool](p, `document.getElementById('speed').dispatchEvent(new Event('change', {bubbles: true}))`)
	eval[bool](p, `(document.activeElement.blur(), true)`)
	p.do("stepping back a year with {", chromedp.KeyEvent("{"))
	p.waitFor(fmt.Sprintf(`window.dcatlas.rendered === %q`, addMonths(today, -11)))
	if !eval[bool](p, `document.getElementById('changes-list').children.length > 0`) {
		t.Log("no change in the last year of the history")
	}
}

type rect struct {
	Kind                     string
	Name                     string
	Left, Top, Right, Bottom float64
}

func (r rect) overlaps(o rect) bool {
	return r.Left < o.Right && o.Left < r.Right && r.Top < o.Bottom && o.Top < r.Bottom
}

func (r rect) area() float64 { return (r.Right - r.Left) * (r.Bottom - r.Top) }

// boxes returns the boxes of the symbols, groups and labels on the map.
func boxes(p *page) []rect {
	return eval[[]rect](p, `[...document.querySelectorAll('.site-marker svg.sym, .site-group svg, .site-label')].map((e) => {
		const r = e.getBoundingClientRect();
		const m = e.closest('.leaflet-marker-icon');
		return { Kind: e.classList.contains('site-label') ? 'label' : m.classList.contains('site-group') ? 'group' : 'site',
			Name: m.getAttribute('aria-label') ?? e.textContent, Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom };
	})`)
}

// testBoxes checks at the phone, desktop and embed sizes that no two symbols, groups or labels
// overlap, that no control covers more than a sixth of the map, and on a phone that a site's card
// fits the screen with its close button reachable.
func testBoxes(t *testing.T, srv *server, b *browser) {
	sizes := []struct {
		name, path string
		vp         viewport
	}{
		{"phone 390x844", "/map?at=2024-01-01", viewport{390, 844, 1}},
		{"phone 360x640", "/map?at=2024-01-01", viewport{360, 640, 1}},
		{"desktop 1440x900", "/map?at=2024-01-01", viewport{1440, 900, 1}},
		{"laptop 1280x800", "/map?at=2024-01-01", viewport{1280, 800, 1}},
		{"embed 800x450", "/embed?at=2024-01-01&controls=play", viewport{800, 450, 1}},
		{"embed 600x340", "/embed?at=2024-01-01&controls=play", viewport{600, 340, 1}},
	}
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			var setup []chromedp.Action[chromedp.Void]
			if sz.vp.w < 640 {
				setup = append(setup, touch(sz.vp)) // a phone has a touch screen, and bigger controls
			}
			p := b.open(t, srv, sz.path, sz.vp, setup...)
			for _, zoom := range []int{-1, 1} {
				if zoom < 0 {
					// The map has followed its container's size as the page settled, and refitted.
					p.waitFor(`window.dcatlas.laidOut()`)
				}
				if zoom > 0 {
					// Leaflet starts a zoom on the next animation frame: wait for the new zoom, then
					// for its layout with no symbol still sliding.
					before := eval[float64](p, `window.dcatlas.map.getZoom()`)
					p.do("zooming in", chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")))
					p.waitFor(fmt.Sprintf(`window.dcatlas.map.getZoom() > %v && window.dcatlas.laidOut() && window.dcatlas.viewSynced() && window.dcatlas.idle()`, before))
				}
				bs := boxes(p)
				sites := 0
				for _, r := range bs {
					if r.Kind != "label" {
						sites++
					}
				}
				if sites == 0 {
					t.Fatal("no symbol on the map")
				}
				for i := range bs {
					for j := i + 1; j < len(bs); j++ {
						if bs[i].overlaps(bs[j]) {
							t.Errorf("zoom %v: %s %q overlaps %s %q", eval[float64](p, `window.dcatlas.map.getZoom()`), bs[i].Kind, bs[i].Name, bs[j].Kind, bs[j].Name)
						}
					}
				}
				// As the page opens (a reader who zooms moves sites under controls).
				if zoom < 0 {
					checkSitesClear(t, p, bs)
					if sz.vp.w < 640 {
						p.screenshot(fmt.Sprintf("phone-%dx%d-open.png", sz.vp.w, sz.vp.h))
					}
				}
			}
			mapBox := eval[rect](p, `(() => { const r = document.getElementById('map').getBoundingClientRect(); return { Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom }; })()`)
			controls := eval[[]rect](p, `[...document.querySelectorAll('.leaflet-control:not(.leaflet-control-attribution), .embed-bar, .leaflet-control-attribution')].map((e) => {
				const r = e.getBoundingClientRect();
				return { Kind: 'control', Name: e.className, Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom };
			})`)
			checkLabelsClear(t, p)
			checkAttribution(t, p, mapBox)
			for _, c := range controls {
				if c.area() > mapBox.area()/6 {
					t.Errorf("%q covers %.0f%% of the map", c.Name, 100*c.area()/mapBox.area())
				}
			}
			if strings.HasPrefix(sz.path, "/embed") {
				if !eval[bool](p, `!document.getElementById('play').hidden`) {
					t.Error("controls=play shows no play button")
				}
				return
			}
			// A site's card fits the screen, its close button reachable and uncovered.
			p.do("searching for Frankfurt", chromedp.SendKeys(chromedp.ID("search"), "eu-central-1"), chromedp.KeyEvent(kb.Enter))
			p.waitFor(`!!document.querySelector('.site-card .sources a') && window.dcatlas.viewSynced()`)
			card := eval[rect](p, `(() => { const e = document.querySelector('#sheet:not([hidden]), .site-popup'); const r = e.getBoundingClientRect(); return { Name: e.id || e.className, Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom }; })()`)
			if card.Left < 0 || card.Top < 0 || card.Right > float64(sz.vp.w) || card.Bottom > float64(sz.vp.h) {
				t.Errorf("the site card %+v does not fit the %dx%d screen", card, sz.vp.w, sz.vp.h)
			}
			if !eval[bool](p, `(() => {
				const b = document.querySelector('#sheet:not([hidden]) .sheet-close, .site-popup .leaflet-popup-close-button');
				const r = b.getBoundingClientRect();
				return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight && b.contains(document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2));
			})()`) {
				t.Error("the card's close button is off-screen or covered")
			}
			if sz.vp.w < 640 {
				p.screenshot(fmt.Sprintf("phone-%dx%d-site.png", sz.vp.w, sz.vp.h))
			}
		})
	}
}

// checkSitesClear checks that every site and group of bs lies on the map, under no control.
func checkSitesClear(t *testing.T, p *page, bs []rect) {
	t.Helper()
	m := eval[rect](p, `(() => { const r = document.getElementById('map').getBoundingClientRect(); return { Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom }; })()`)
	for _, r := range bs {
		if r.Kind != "label" && (r.Left < m.Left || r.Top < m.Top || r.Right > m.Right || r.Bottom > m.Bottom) {
			t.Errorf("the %s %q %+v is not wholly on the map %+v", r.Kind, r.Name, r, m)
		}
		for _, c := range controlBoxes(p) {
			if r.Kind != "label" && r.overlaps(c) {
				t.Errorf("the %s %q is under the control %q", r.Kind, r.Name, c.Name)
			}
		}
	}
}

// checkAttribution checks that the base map's and the sites' credits are whole on the map and
// legible (a phone may shorten the sites' credit to one line, never drop one).
func checkAttribution(t *testing.T, p *page, mapBox rect) {
	t.Helper()
	type attribution struct {
		rect
		Text     string
		FontSize float64
		Clipped  bool
	}
	a := eval[attribution](p, `(() => {
		const e = document.querySelector('.leaflet-control-attribution');
		const r = e.getBoundingClientRect();
		return { Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom, Text: e.textContent,
			FontSize: parseFloat(getComputedStyle(e).fontSize), Clipped: e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight };
	})()`)
	for _, want := range []string{"Leaflet", "Base map: Natural Earth", "Sites: dcatlas"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("the attribution %q lacks %q", a.Text, want)
		}
	}
	if a.FontSize < 10 || a.Clipped || a.Left < mapBox.Left || a.Top < mapBox.Top || a.Right > mapBox.Right || a.Bottom > mapBox.Bottom {
		t.Errorf("the attribution is not whole and legible on the map %+v: %+v", mapBox, a)
	}
}

// controlBoxes are the boxes of the map's controls and of the embed's bar over it.
func controlBoxes(p *page) []rect {
	return eval[[]rect](p, `[...document.querySelectorAll('.leaflet-control, .embed-bar')].map((e) => {
		const r = e.getBoundingClientRect();
		return { Kind: 'control', Name: e.className, Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom };
	})`)
}

// checkLabelsClear checks that no label hides under a map control (the legend, the zoom
// buttons, the attribution).
func checkLabelsClear(t *testing.T, p *page) {
	t.Helper()
	controls := controlBoxes(p)
	for _, r := range boxes(p) {
		for _, c := range controls {
			if r.Kind == "label" && r.overlaps(c) {
				t.Errorf("the label %q is under the control %q", r.Name, c.Name)
			}
		}
	}
}

// testSiteLink opens a shared link with a site and a view: the card opens on the site itself
// (not a group), and the view stays exactly the shared one.
func testSiteLink(t *testing.T, srv *server, b *browser) {
	for _, vp := range []viewport{desktop, {390, 844, 2}} {
		const path = "/map?at=2024-01-01&site=alibaba-eu-central-1&view=2/30.00/60.00"
		p := b.open(t, srv, path, vp)
		p.waitFor(`!!document.querySelector('.site-card h2')`)
		if got := eval[string](p, `document.querySelector('.site-card h2').textContent`); !strings.Contains(got, "Frankfurt") && !strings.Contains(got, "Germany") {
			t.Errorf("%dx%d: the card is about %q, want Frankfurt", vp.w, vp.h, got)
		}
		if vp.w >= 640 {
			ll := eval[[]float64](p, `(() => { const l = window.dcatlas.map._popup.getLatLng(); return [l.lat, l.lng]; })()`)
			var site struct {
				Geometry struct{ Coordinates []float64 } `json:"geometry"`
			}
			srv.json(t, "/collections/sites/items/alibaba-eu-central-1", &site)
			if math.Abs(ll[0]-site.Geometry.Coordinates[1]) > 1e-6 || math.Abs(ll[1]-site.Geometry.Coordinates[0]) > 1e-6 {
				t.Errorf("the popup points at %v, the site is at %v", ll, site.Geometry.Coordinates)
			}
		}
		if got := eval[string](p, `location.pathname + location.search`); got != path {
			t.Errorf("%dx%d: the shared link became %s", vp.w, vp.h, got)
		}
		if got := eval[string](p, `(() => { const c = window.dcatlas.map.getCenter(); return window.dcatlas.map.getZoom() + '/' + c.lat.toFixed(2) + '/' + c.lng.toFixed(2); })()`); got != "2/30.00/60.00" {
			t.Errorf("%dx%d: the view moved to %s", vp.w, vp.h, got)
		}
	}
}

// testCompare compares two dates: the list says what changed between them, the map marks those
// sites, and the permalink carries both dates.
func testCompare(t *testing.T, srv *server, b *browser) {
	const a, bDay = "2016-01-01", "2020-01-01"
	p := b.open(t, srv, "/map?at="+bDay+"&compare="+a, desktop)
	p.waitRendered(bDay)
	before, after := srv.items(t, "at="+a), srv.items(t, "at="+bDay)
	was := map[string]string{}
	for _, f := range before.Features {
		was[f.ID] = f.Properties.Status
	}
	var want []string
	for _, f := range after.Features {
		if was[f.ID] != f.Properties.Status {
			want = append(want, f.ID)
		}
	}
	slices.Sort(want)
	got := eval[[]string](p, `[...document.querySelectorAll('#changes-list .site-link')].map((b) => b.dataset.site).sort()`)
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("compare %s → %s lists %v, want %v", a, bDay, got, want)
	}
	if n := eval[int](p, `document.querySelectorAll('.is-compared').length`); n == 0 {
		t.Error("no site is marked as changed on the map")
	}
	if !eval[bool](p, `document.getElementById('compare-on').checked && document.getElementById('compare').value === '2016-01-01'`) {
		t.Error("the compare field does not show the date A")
	}
	p.do("opening the share dialog", chromedp.Click(chromedp.ID("share-open")))
	p.waitFor(`document.getElementById('share-link').value.includes('compare=2016-01-01') && document.getElementById('share-link').value.includes('at=2020-01-01')`)
	p.do("closing the dialog", chromedp.KeyEvent(kb.Escape))
	// Turning compare off drops it from the URL.
	p.do("unchecking compare", chromedp.Click(chromedp.ID("compare-on")))
	p.waitFor(`!location.search.includes('compare=') && document.querySelectorAll('.is-compared').length === 0`)
}

// testSiteList checks the list of sites (searchable, sortable, linked to the map) and the counts
// per country in the country filter.
func testSiteList(t *testing.T, srv *server, b *browser) {
	const day = "2022-01-01"
	p := b.open(t, srv, "/map?at="+day, desktop)
	p.waitRendered(day)
	all := srv.items(t, "at="+day)
	if n := eval[int](p, `document.querySelectorAll('#site-list tbody tr').length`); n != all.NumberMatched {
		t.Errorf("the list has %d rows, want %d", n, all.NumberMatched)
	}
	names := eval[[]string](p, `[...document.querySelectorAll('#site-list tbody .site-link')].map((b) => b.textContent)`)
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Logf("names: %v", names)
	}
	p.do("sorting by name, descending", chromedp.Click(chromedp.CSS(`#site-list th[data-key="name"] button`)))
	p.waitFor(`document.querySelector('#site-list th[data-key="name"]').getAttribute('aria-sort') === 'descending'`)
	desc := eval[[]string](p, `[...document.querySelectorAll('#site-list tbody .site-link')].map((b) => b.textContent)`)
	if !slices.Equal(desc, reversed(names)) {
		t.Errorf("descending order %v is not the reverse of %v", desc, names)
	}
	hk := srv.items(t, "at="+day+"&q=hong")
	p.do("filtering the list", chromedp.SendKeys(chromedp.ID("list-q"), "hong"))
	p.waitFor(fmt.Sprintf(`document.querySelectorAll('#site-list tbody tr').length === %d`, hk.NumberMatched))
	p.do("choosing a site in the list", chromedp.Click(chromedp.CSS(`#site-list tbody .site-link`)))
	p.waitFor(`!!document.querySelector('.site-popup h2') && new URL(location.href).searchParams.has('site')`)

	cn := srv.items(t, "at="+day+"&country=CN")
	text := eval[string](p, `document.querySelector('#country option[value="CN"]').textContent`)
	if !strings.HasSuffix(text, fmt.Sprintf("· %d", cn.NumberMatched)) {
		t.Errorf("the country filter reads %q, want %d sites in China", text, cn.NumberMatched)
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// testChartMarks checks that the chart reads: counts on its axis, the date marked, and events as
// marks that jump to their date when clicked.
func testChartMarks(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2019-06-01", desktop)
	p.waitRendered("2019-06-01")
	if n := eval[int](p, `document.querySelectorAll('#chart .chart-count').length`); n < 2 {
		t.Errorf("the chart's axis has %d counts", n)
	}
	if got := eval[string](p, `document.querySelector('#chart .chart-cursor-label').textContent`); !strings.HasPrefix(got, "1 June 2019") {
		t.Errorf("the chart marks the date as %q", got)
	}
	if h := eval[float64](p, `document.getElementById('chart').getBoundingClientRect().height`); h < 60 {
		t.Errorf("the chart is %.0f px tall", h)
	}
	mark := eval[struct{ Day, Tip string }](p, `(() => { const m = document.querySelectorAll('#chart .chart-mark')[3]; return { Day: m.dataset.day, Tip: m.dataset.tip }; })()`)
	p.do("clicking an event mark", chromedp.Click(chromedp.CSS(`#chart .chart-mark:nth-of-type(4)`)))
	_ = mark
	p.waitFor(`window.dcatlas.idle() && window.dcatlas.rendered !== '2019-06-01'`)
	got := eval[string](p, `window.dcatlas.rendered`)
	if got > mark.Day || addMonths(got, 1) <= mark.Day {
		t.Errorf("clicking the mark of %s (%s) went to %s, want its month", mark.Day, mark.Tip, got)
	}
}

// testFullscreen checks the fullscreen button: a named button that enters and leaves full screen.
func testFullscreen(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", desktop)
	if got := eval[string](p, `document.querySelector('.fullscreen-button').getAttribute('aria-label')`); got != "Full screen" {
		t.Fatalf("fullscreen button reads %q", got)
	}
	p.do("pressing the fullscreen button", chromedp.Focus(chromedp.CSS(".fullscreen-button")), chromedp.KeyEvent(kb.Enter))
	p.waitFor(`document.fullscreenElement === document.getElementById('main') && document.querySelector('.fullscreen-button').getAttribute('aria-pressed') === 'true'`)
	p.do("pressing it again", chromedp.Click(chromedp.CSS(".fullscreen-button")))
	p.waitFor(`!document.fullscreenElement`)
}

// dark emulates a reader who prefers a dark colour scheme.
func dark() chromedp.Action[chromedp.Void] {
	return func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(c, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return chromedp.Void{}, err
	}
}

// testScreenshots writes the screenshots to look at: desktop, phone, embed and dark, at 2016-11-21
// and today.
func testScreenshots(t *testing.T, srv *server, b *browser) {
	screenshots(t, srv, b, "")
}

// screenshots writes the screenshots, their names starting with prefix.
func screenshots(t *testing.T, srv *server, b *browser, prefix string) {
	_, today := srv.countsAt(t, "2000-01-01")
	for _, day := range []string{"2016-11-21", today} {
		for _, s := range []struct {
			name, path string
			vp         viewport
			dark       bool
		}{
			{"desktop", "/map?at=" + day, viewport{1440, 900, 1}, false},
			{"phone", "/map?at=" + day, viewport{390, 844, 2}, false},
			{"embed", "/embed?at=" + day + "&controls=play", viewport{800, 450, 1}, false},
			{"dark", "/map?at=" + day, viewport{1440, 900, 1}, true},
			{"dark-phone", "/map?at=" + day, viewport{390, 844, 2}, true},
		} {
			var setup []chromedp.Action[chromedp.Void]
			if s.dark {
				setup = append(setup, dark())
			}
			p := b.open(t, srv, s.path, s.vp, setup...)
			p.waitRendered(day)
			if s.dark && !eval[bool](p, `matchMedia('(prefers-color-scheme: dark)').matches && [...document.querySelectorAll('img.leaflet-tile')].every((i) => i.src.includes('/tiles/basemap-dark/'))`) {
				t.Errorf("%s: the dark theme does not show the dark base map", s.name)
			}
			p.screenshot(fmt.Sprintf("%s%s-%s.png", prefix, s.name, day))
		}
	}
}

// testLoadTimes measures the time to the first markers and to interactive, on loopback and with
// 150 ms of latency and a 4× slower CPU, and the page's weight. It reports; it does not judge.
func testLoadTimes(t *testing.T, srv *server, b *browser) {
	type timing struct {
		Markers, Ready, Weight float64
		Count                  int
	}
	const read = `(() => {
		const rs = performance.getEntriesByType('resource');
		const nav = performance.getEntriesByType('navigation')[0];
		const w = rs.filter((r) => !r.name.includes('/tiles/')).reduce((n, r) => n + (r.encodedBodySize || 0), nav ? nav.encodedBodySize : 0);
		return { Markers: window.dcatlas.firstMarkersAt, Ready: window.dcatlas.readyAt, Weight: w, Count: rs.length + 1 };
	})()`
	var slow chromedp.Action[chromedp.Void] = func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(c, tg, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(c, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Latency: 150, DownloadThroughput: -1, UploadThroughput: -1}},
		})
		return chromedp.Void{}, err
	}
	for _, run := range []struct {
		name  string
		setup []chromedp.Action[chromedp.Void]
	}{
		{"loopback", nil},
		{"150 ms latency, 4x slower CPU", []chromedp.Action[chromedp.Void]{slow}},
	} {
		p := b.open(t, srv, "/map?at=2024-01-01", desktop, run.setup...)
		p.waitRendered("2024-01-01")
		tm := eval[timing](p, read)
		t.Logf("%s: first markers at %.0f ms, interactive at %.0f ms; %d requests; page weight without base-map tiles %.0f kB (compressed)",
			run.name, tm.Markers, tm.Ready, tm.Count, tm.Weight/1000)
	}
}
