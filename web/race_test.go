package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"dcatlas/internal/heavytest"
)

// The race: the viewer on the full data (every provider the binary embeds), where a symbol's
// colour is its provider's, a legend counts each provider's regions in service at the date, and
// the chart shows the race between them.

// TestBrowserRace runs the multi-provider checks against one server with all the embedded data.
func TestBrowserRace(t *testing.T) {
	chromium := browserSuite(t)
	heavytest.Lock(t)
	srv := runServer(t, buildServer(t)) // no --data: the embedded files of every provider
	var provs providersDoc
	srv.json(t, "/providers", &provs)
	if len(provs.Providers) < 2 {
		t.Fatalf("the embedded data has %d providers; the race needs several", len(provs.Providers))
	}
	b := startBrowser(t, chromium)

	t.Run("WorldFillsFrame", func(t *testing.T) { testWorldFillsFrame(t, srv, b) })
	t.Run("TouchTargets", func(t *testing.T) { testTouchTargets(t, srv, b) })
	t.Run("SteadyPlayback", func(t *testing.T) { testSteadyPlayback(t, srv, b) })
	t.Run("ProviderColours", func(t *testing.T) { testProviderColours(t, srv, b) })
	t.Run("ProviderLegend", func(t *testing.T) { testProviderLegend(t, srv, b) })
	t.Run("RaceSeries", func(t *testing.T) { testRaceSeries(t, srv, b) })
	t.Run("RaceLineFilters", func(t *testing.T) { testRaceLineFilters(t, srv, b) })
	t.Run("UndisclosedCities", func(t *testing.T) { testUndisclosedCities(t, srv, b) })
	t.Run("SinceColumn", func(t *testing.T) { testSinceColumn(t, srv, b) })
	t.Run("Boxes", func(t *testing.T) { testBoxes(t, srv, b) })
	t.Run("FirstViewSettles", func(t *testing.T) { testFirstViewSettles(t, srv, b) })
	t.Run("Playback", func(t *testing.T) { testPlaybackAsksNothing(t, srv, b) })
	t.Run("Screenshots", func(t *testing.T) { screenshots(t, srv, b, "race-") })
	t.Run("LoadTimes", func(t *testing.T) { testLoadTimes(t, srv, b) })
	t.Run("Accessibility", func(t *testing.T) { testRaceAccessibility(t, srv, b) })
}

type providersDoc struct {
	At        string `json:"at"`
	Providers []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		ShortName string `json:"short_name"`
		Colour    string `json:"colour"`
		InService int    `json:"in_service"`
	} `json:"providers"`
}

// raceDoc is /timeline?by=provider: each provider's counts at every change.
type raceDoc struct {
	Until     string `json:"until"`
	Providers []struct {
		Provider string   `json:"provider"`
		Changes  []counts `json:"changes"`
	} `json:"providers"`
}

// testProviderColours checks that with several providers a symbol's colour is its provider's and
// its shape its status, and that with one provider left the colour is the status's again.
func testProviderColours(t *testing.T, srv *server, b *browser) {
	var provs providersDoc
	srv.json(t, "/providers", &provs)
	colour := map[string]string{}
	for _, p := range provs.Providers {
		colour[p.ID] = p.Colour
	}
	p := b.open(t, srv, "/map?at=2024-01-01", desktop)
	p.waitRendered("2024-01-01")
	type sym struct {
		ID, Provider, Status, Fill string
	}
	const read = `(() => {
		const sites = new Map(window.dcatlas.ids().map((id) => [id, true]));
		return [...document.querySelectorAll('.site-marker svg.sym')].map((s) => {
			const st = [...s.classList].find((c) => c.startsWith('st-')).slice(3);
			const pv = [...s.classList].find((c) => c.startsWith('pv-'))?.slice(3) ?? '';
			const fill = s.querySelector('.c-fill, .c-stroke');
			const c = getComputedStyle(fill);
			return { ID: '', Provider: pv, Status: st, Fill: fill.classList.contains('c-fill') ? c.fill : c.stroke };
		});
	})()`
	syms := eval[[]sym](p, read)
	if len(syms) == 0 {
		t.Fatal("no site symbol on the map")
	}
	seen := map[string]bool{}
	for _, s := range syms {
		if s.Provider == "" {
			t.Errorf("a %s symbol has no provider colour in the multi-provider view", s.Status)
			continue
		}
		seen[s.Provider] = true
		if want := rgb(colour[s.Provider]); s.Fill != want {
			t.Errorf("a %s %s symbol is painted %s, want the provider's %s", s.Provider, s.Status, s.Fill, want)
		}
	}
	if len(seen) < 2 {
		t.Errorf("symbols of %d providers on the world map, want several", len(seen))
	}
	// Groups split their ring by provider.
	if n := eval[int](p, `document.querySelectorAll('.site-group circle[class*="st-"]').length`); n != 0 {
		t.Errorf("%d group ring segments are split by status in the multi-provider view", n)
	}
	if eval[int](p, `document.querySelectorAll('.site-group').length`) > 0 && eval[int](p, `document.querySelectorAll('.site-group circle[class*="pv-"]').length`) == 0 {
		t.Error("the groups' rings are not split by provider")
	}
	// One provider: colour by status.
	p = b.open(t, srv, "/map?at=2024-01-01&provider=aws", desktop)
	p.waitRendered("2024-01-01")
	for _, s := range eval[[]sym](p, read) {
		if s.Provider != "" {
			t.Errorf("with one provider a %s symbol still has the provider colour", s.Status)
			break
		}
	}
}

// rgb turns #rrggbb into the rgb(r, g, b) of computed styles.
func rgb(hex string) string {
	var r, g, b int
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return hex
	}
	return fmt.Sprintf("rgb(%d, %d, %d)", r, g, b)
}

// testProviderLegend checks at several dates that the legend's count for every provider equals
// /providers?at=DAY's in_service, and that its entries toggle the provider filter by keyboard.
func testProviderLegend(t *testing.T, srv *server, b *browser) {
	_, today := srv.countsAt(t, "2000-01-01")
	p := b.open(t, srv, "/map", desktop)
	before := p.requests()
	for _, day := range []string{"2010-01-01", "2016-11-21", "2020-06-30", today} {
		var want providersDoc
		srv.json(t, "/providers?at="+day, &want)
		eval[bool](p, fmt.Sprintf(`(history.pushState(null, '', '/map?at=%s'), dispatchEvent(new PopStateEvent('popstate')), true)`, day))
		p.waitRendered(day)
		got := eval[map[string]int](p, `Object.fromEntries([...document.querySelectorAll('#provider-legend [data-provider]')].map((b) => [b.dataset.provider, Number(b.querySelector('.n').textContent)]))`)
		if len(got) != len(want.Providers) {
			t.Errorf("%s: the legend has %d providers, /providers %d", day, len(got), len(want.Providers))
		}
		for _, pr := range want.Providers {
			if n, ok := got[pr.ID]; !ok || n != pr.InService {
				t.Errorf("%s: the legend counts %d for %s, /providers?at=%s says %d in service", day, n, pr.ID, day, pr.InService)
			}
		}
	}
	// The browser fetches the page's icon when it pleases: that is not the viewer asking.
	reqs := slices.DeleteFunc(p.requestsSince(before), func(u string) bool { return strings.HasSuffix(u, "/favicon.svg") })
	if len(reqs) > 0 {
		t.Errorf("the legend asked the server: %v", reqs)
	}
	// The keyboard: Tab reaches an entry, Enter toggles it.
	p.do("focusing Alibaba's entry", chromedp.Focus(chromedp.CSS(`#provider-legend [data-provider="alibaba-cloud"]`)))
	p.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	p.waitFor(`new URL(location.href).searchParams.get('provider') === 'alibaba-cloud' && document.querySelector('#provider-legend [data-provider="alibaba-cloud"]').getAttribute('aria-pressed') === 'true' && window.dcatlas.idle()`)
	p.do("pressing Space on AWS's entry", chromedp.Focus(chromedp.CSS(`#provider-legend [data-provider="aws"]`)), chromedp.KeyEvent(" "))
	p.waitFor(`new URL(location.href).searchParams.get('provider') === 'alibaba-cloud,aws' && window.dcatlas.idle()`)
	if race := eval[[]struct{ Provider string }](p, `window.dcatlas.race()`); len(race) != 2 {
		t.Errorf("two providers chosen: the race has %d lines, want 2", len(race))
	}
	p.do("toggling both off", chromedp.Click(chromedp.CSS(`#provider-legend [data-provider="aws"]`)))
	p.waitFor(`new URL(location.href).searchParams.get('provider') === 'alibaba-cloud' && window.dcatlas.idle()`)
	p.do("toggling Alibaba off", chromedp.Click(chromedp.CSS(`#provider-legend [data-provider="alibaba-cloud"]`)))
	p.waitFor(`!new URL(location.href).searchParams.has('provider') && window.dcatlas.race() !== null`)
}

// testRaceSeries checks that the default viewer opens on the race, and that its lines equal
// /timeline?by=provider's sites in service (active or closing) at every month.
func testRaceSeries(t *testing.T, srv *server, b *browser) {
	var want raceDoc
	srv.json(t, "/timeline?by=provider", &want)
	p := b.open(t, srv, "/map", desktop)
	type line struct {
		Provider string
		Points   []struct {
			Date string
			N    int
		}
	}
	got := eval[[]line](p, `window.dcatlas.race()`)
	if len(got) != len(want.Providers) {
		t.Fatalf("the default viewer's chart has %d race lines, /timeline?by=provider %d providers", len(got), len(want.Providers))
	}
	at := func(l line, day string) int {
		n := 0
		for _, pt := range l.Points {
			if pt.Date > day {
				break
			}
			n = pt.N
		}
		return n
	}
	wantAt := func(cs []counts, day string) int {
		n := 0
		for _, c := range cs {
			if c.Date > day {
				break
			}
			n = c.Active + c.Closing
		}
		return n
	}
	first := eval[string](p, `window.dcatlas.sliderStart()`)
	months := 0
	for _, wp := range want.Providers {
		i := slices.IndexFunc(got, func(l line) bool { return l.Provider == wp.Provider })
		if i < 0 {
			t.Errorf("no race line for %s", wp.Provider)
			continue
		}
		bad := 0
		for day := first; day <= want.Until; day = addMonths(day, 1) {
			months++
			if g, w := at(got[i], day), wantAt(wp.Changes, day); g != w {
				if bad++; bad <= 3 {
					t.Errorf("%s on %s: the race says %d in service, /timeline?by=provider %d", wp.Provider, day, g, w)
				}
			}
		}
		if g, w := at(got[i], want.Until), wantAt(wp.Changes, want.Until); g != w {
			t.Errorf("%s today: the race says %d, /timeline?by=provider %d", wp.Provider, g, w)
		}
	}
	t.Logf("compared %d provider-months", months)
	// Each line is labelled at its end with its short name and today's count; Alibaba's stands out.
	labels := eval[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('#chart .race-line')].map((g) => [g.dataset.provider, g.querySelector('.race-label').textContent]))`)
	var provs providersDoc
	srv.json(t, "/providers", &provs)
	for _, pr := range provs.Providers {
		if w := fmt.Sprintf("%s %d", pr.ShortName, pr.InService); labels[pr.ID] != w {
			t.Errorf("the end label of %s reads %q, want %q", pr.ID, labels[pr.ID], w)
		}
	}
	widths := eval[map[string]float64](p, `Object.fromEntries([...document.querySelectorAll('#chart .race-line')].map((g) => [g.dataset.provider, parseFloat(getComputedStyle(g.querySelector('.race-path')).strokeWidth)]))`)
	for id, w := range widths {
		if id != "alibaba-cloud" && w >= widths["alibaba-cloud"] {
			t.Errorf("%s's line (%.1f px) is not thinner than Alibaba's (%.1f px)", id, w, widths["alibaba-cloud"])
		}
	}
	checkRaceLabels(t, p)
	phone := b.open(t, srv, "/map", viewport{390, 844, 1})
	checkRaceLabels(t, phone)
	// The time bar grows under the map once the legend is filled: the map's labels follow.
	phone.waitFor(`window.dcatlas.laidOut()`)
	checkLabelsClear(t, phone)
}

// checkRaceLabels checks that the race's end labels overlap neither one another nor the chart's
// bounds.
func checkRaceLabels(t *testing.T, p *page) {
	t.Helper()
	chart := eval[rect](p, `(() => { const r = document.getElementById('chart').getBoundingClientRect(); return { Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom }; })()`)
	lb := eval[[]rect](p, `[...document.querySelectorAll('#chart .race-label')].map((e) => { const r = e.getBoundingClientRect(); return { Kind: 'label', Name: e.textContent, Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom }; })`)
	for i := range lb {
		for j := i + 1; j < len(lb); j++ {
			if lb[i].overlaps(lb[j]) {
				t.Errorf("race labels %q and %q overlap", lb[i].Name, lb[j].Name)
			}
		}
		if lb[i].Top < chart.Top-0.5 || lb[i].Bottom > chart.Bottom+0.5 {
			t.Errorf("the race label %q (%v-%v) leaves the chart (%v-%v)", lb[i].Name, lb[i].Top, lb[i].Bottom, chart.Top, chart.Bottom)
		}
	}
	// The cursor marks each line at the date.
	if n, lines := eval[int](p, `document.querySelectorAll('#chart .chart-cursor .race-dot').length`), eval[int](p, `document.querySelectorAll('#chart .race-line').length`); n != lines {
		t.Errorf("the cursor marks %d lines of %d", n, lines)
	}
}

// testRaceLineFilters clicks Alibaba's line: the URL gets provider=alibaba-cloud, the map and the
// list show Alibaba's sites alone and the chart its statuses; clearing the filter brings the race
// back. Then the same by keyboard on AWS's line.
func testRaceLineFilters(t *testing.T, srv *server, b *browser) {
	const day = "2024-01-01"
	p := b.open(t, srv, "/map?at="+day, desktop)
	p.waitRendered(day)
	p.do("clicking Alibaba's line label", chromedp.Click(chromedp.CSS(`#chart .race-line[data-provider="alibaba-cloud"] .race-label`)))
	p.waitFor(`new URL(location.href).searchParams.get('provider') === 'alibaba-cloud' && window.dcatlas.idle()`)
	ali := srv.items(t, "at="+day+"&provider=alibaba-cloud")
	ids := eval[[]string](p, `window.dcatlas.ids()`)
	var want []string
	for _, f := range ali.Features {
		want = append(want, f.ID)
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("after choosing Alibaba the map shows %d sites, want Alibaba's %d", len(ids), len(want))
	}
	rows := eval[[]string](p, `[...document.querySelectorAll('#site-list tbody .site-link')].map((b) => b.dataset.site).sort()`)
	if !slices.Equal(rows, want) {
		t.Errorf("after choosing Alibaba the list has %d rows, want Alibaba's %d", len(rows), len(want))
	}
	if eval[bool](p, `window.dcatlas.race() !== null || !document.querySelector('#chart .chart-area')`) {
		t.Error("with one provider the chart does not show its statuses")
	}
	if eval[bool](p, `document.body.classList.contains('by-provider')`) {
		t.Error("with one provider the symbols are still coloured by provider")
	}
	p.do("clearing the filters", chromedp.Click(chromedp.ID("clear-filters")))
	p.waitFor(`!new URL(location.href).searchParams.has('provider') && window.dcatlas.race() !== null && !!document.querySelector('#chart .race-line')`)
	// The keyboard: Tab order reaches the lines; Enter picks one.
	p.do("focusing AWS's line", chromedp.Focus(chromedp.CSS(`#chart .race-line[data-provider="aws"]`)))
	p.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	p.waitFor(`new URL(location.href).searchParams.get('provider') === 'aws' && window.dcatlas.idle()`)
}

// testUndisclosedCities checks that no site is named "(not disclosed)" on the map, in its card or
// in the list: a site whose city is not disclosed is labelled by what is known (its country).
func testUndisclosedCities(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2026-01-01&view=6/52.2/5.3&site=alibaba-netherlands", desktop)
	p.waitFor(`!!document.querySelector('.site-card h2') && window.dcatlas.laidOut()`)
	if got := eval[[]string](p, `[...document.querySelectorAll('.site-label, .list-city, .site-where, .leaflet-marker-icon[aria-label]')].map((e) => e.textContent + ' ' + (e.getAttribute('aria-label') ?? '')).filter((s) => /not disclosed\)/.test(s) && !/city not disclosed/.test(s))`); len(got) > 0 {
		t.Errorf("shown as undisclosed places: %v", got)
	}
	if got := eval[string](p, `document.querySelector('.site-card .site-where').textContent`); got != "Netherlands (city not disclosed)" {
		t.Errorf("the Netherlands card says where as %q", got)
	}
	labels := eval[[]string](p, `[...document.querySelectorAll('.site-label')].map((e) => e.textContent)`)
	if !slices.ContainsFunc(labels, func(s string) bool { return strings.HasPrefix(s, "Netherlands") }) {
		t.Errorf("no label reads Netherlands at zoom 6 over the Netherlands: %v", labels)
	}
}

// testSinceColumn checks at 1440x900 that the site list's columns, Since included, fit the panel.
func testSinceColumn(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map", viewport{1440, 900, 1})
	type box struct {
		Wrap, Table, WrapRight, SinceRight float64
		Clipped                            int
	}
	got := eval[box](p, `(() => {
		const w = document.querySelector('.table-wrap');
		const th = document.querySelector('#site-list th[data-key="since"]');
		const clipped = [...document.querySelectorAll('#site-list td, #site-list th')].filter((c) => c.scrollWidth > c.clientWidth + 1).length;
		return { Wrap: w.clientWidth, Table: document.getElementById('site-list').scrollWidth,
			WrapRight: w.getBoundingClientRect().left + w.clientWidth, SinceRight: th.getBoundingClientRect().right, Clipped: clipped };
	})()`)
	if got.Table > got.Wrap+0.5 || got.SinceRight > got.WrapRight+0.5 {
		t.Errorf("the site list is %.0f px wide in a %.0f px panel (Since ends at %.0f, the panel at %.0f): its last column is clipped; columns %v", got.Table, got.Wrap, got.SinceRight, got.WrapRight,
			eval[[]float64](p, `[...document.querySelectorAll('#site-list th')].map((th) => th.getBoundingClientRect().width)`))
	}
	if got.Clipped > 0 {
		t.Errorf("%d cells of the site list are clipped", got.Clipped)
	}
}

// testRaceAccessibility runs axe on the race view, the provider legend pressed, and dark.
func testRaceAccessibility(t *testing.T, srv *server, b *browser) {
	axe, err := os.ReadFile(filepath.Join("vendor", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path string
		dark       bool
	}{
		{"race", "/map?at=2016-11-21", false},
		{"two providers", "/map?at=2020-06-30&provider=alibaba-cloud,aws", false},
		{"dark race", "/map", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var setup []chromedp.Action[chromedp.Void]
			if tt.dark {
				setup = append(setup, dark())
			}
			p := b.open(t, srv, tt.path, desktop, setup...)
			checkAxe(t, p, axe)
		})
	}
}

// testFirstViewSettles checks on the smallest phone that the first view, fitted to the map as the
// page settles, follows the phone turning without writing a view the map then leaves (Leaflet
// once resized the map itself, wrote its view into the URL and the fit went on), and stays put
// once the reader changes a filter (the fit once moved it, ignoring the filter).
func testFirstViewSettles(t *testing.T, srv *server, b *browser) {
	p := b.open(t, srv, "/map?at=2024-01-01", viewport{360, 640, 1})
	const settled = `window.dcatlas.laidOut() && window.dcatlas.idle()`
	p.waitFor(settled)
	view := func() string {
		return eval[string](p, `(() => { const m = window.dcatlas.map, c = m.getCenter(); return [m.getZoom(), c.lat.toFixed(6), c.lng.toFixed(6)].join(' '); })()`)
	}
	synced := func(what string) {
		t.Helper()
		if !eval[bool](p, `window.dcatlas.viewSynced()`) {
			t.Errorf("%s: the URL's view %q is not the map's %s", what, eval[string](p, `new URLSearchParams(location.search).get('view')`), view())
		}
	}
	p.do("turning the phone", chromedp.EmulateViewport(640, 360))
	p.waitFor(`window.dcatlas.map.getSize().x === 640 && ` + settled)
	synced("turned")
	// On its side the phone still shows a map worth the name; the time bar is a scroll away.
	if h := eval[float64](p, `document.getElementById('map').getBoundingClientRect().height`); h < 0.6*360 {
		t.Errorf("turned to 640x360, the map is %.0f px tall", h)
	}
	p.screenshot("phone-640x360-turned.png")
	turned := view()
	p.do("ticking AWS", chromedp.Click(chromedp.CSS(`#provider-legend [data-provider="aws"]`)))
	p.waitFor(`new URLSearchParams(location.search).get('provider') === 'aws' && ` + settled)
	if got := view(); got != turned {
		t.Errorf("ticking a provider moved the map from %s to %s", turned, got)
	}
	synced("ticked")
}
