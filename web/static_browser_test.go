package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"dcatlas/api"
	"dcatlas/data"
	"dcatlas/export"
	"dcatlas/internal/heavytest"
	"dcatlas/internal/nginxtest"
)

// TestStaticSite runs the browser suite's core checks on the atlas exported as static files
// (dcatlas export site, without --server-url), served by nginx to Chromium that reaches no other
// host: slider, playback, filters, search, popups with their sources, permalinks, downloads (of
// the default monthly snapshots and of an export with --snapshots yearly), the live server's
// parts hidden, and no link of the page that nginx cannot answer. Every tab fails its test naming
// each URL it asks of another host (nginxtest.Offsite, in page.check). The figures to
// match come from a dcatlas server on the same data. It needs Chromium and nginx.
func TestStaticSite(t *testing.T) {
	if testing.Short() {
		t.Skip("the static site suite exports the atlas and drives Chromium for minutes: skipped with -short")
	}
	chromium, nginx := nginxtest.Tools(t)
	heavytest.Lock(t)
	root, err := os.MkdirTemp("", "dcatlas-site-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	www := filepath.Join(root, "www")
	var stdout, stderr bytes.Buffer
	if err := export.Site(context.Background(), []string{"site", "--basemap-maxzoom", "2", "--data", "", www}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	t.Log(strings.TrimSpace(stdout.String()))

	atlas, ds, err := data.Open("")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(api.New(ds, api.Options{Atlas: atlas}))
	t.Cleanup(ts.Close)
	live := &server{base: ts.URL, host: strings.TrimPrefix(ts.URL, "http://")}

	// nginx serves the export, and the live server under /live for a second export, in
	// /served/, made with --server-url: one host for both, as a CDN in front of them may be.
	base, accessLog := nginxtest.Serve(t, nginx, root, www, nginxtest.Proxy{Path: "/live", URL: ts.URL})
	site := &server{base: base, host: strings.TrimPrefix(base, "http://")}
	stdout.Reset()
	if err := export.Site(context.Background(), []string{"site", "--basemap-maxzoom", "0", "--server-url", base + "/live", filepath.Join(www, "served")}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	// A third, in /yearly/, with the download snapshots of 1 January only (and today), no server.
	if err := export.Site(context.Background(), []string{"site", "--basemap-maxzoom", "0", "--snapshots", "yearly", filepath.Join(www, "yearly")}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}

	b := &browser{ctx: nginxtest.Browser(t, chromium, 1280, 800, 15*time.Minute)}
	t.Run("SliderCounts", func(t *testing.T) { testStaticSlider(t, site, live, b) })
	t.Run("Playback", func(t *testing.T) { testStaticPlayback(t, site, live, b) })
	t.Run("Filters", func(t *testing.T) { testStaticFilters(t, site, live, b) })
	t.Run("SearchPopupPermalink", func(t *testing.T) { testStaticPermalink(t, site, live, b) })
	t.Run("Downloads", func(t *testing.T) {
		testStaticDownloads(t, site, live, b, "", "2024-07-01", "2024-07-15", "first of each month")
	})
	t.Run("YearlyDownloads", func(t *testing.T) {
		testStaticDownloads(t, site, live, b, "/yearly", "2019-01-01", "2019-03-01", "1 January of each year")
	})
	t.Run("NoLiveServer", func(t *testing.T) { testStaticWithoutServer(t, site, b) })
	t.Run("DarkBaseMap", func(t *testing.T) { testStaticDarkBaseMap(t, site, b) })
	t.Run("EveryLinkAnswers", func(t *testing.T) { testStaticLinks(t, site, b, "") })
	t.Run("WithServerURL", func(t *testing.T) { testStaticWithServer(t, site, live, b, "/served") })
	t.Run("EveryLinkAnswersWithServerURL", func(t *testing.T) { testStaticLinks(t, site, b, "/served") })

	// nginx found every file the pages asked for.
	logged, err := os.ReadFile(accessLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(logged)), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[1] != "200" && f[1] != "304" {
			t.Errorf("nginx answered %s", line)
		}
	}
}

// staticPage opens the viewer of the export in dir ("" at the root) at a query in a new tab and
// waits until it shows day.
func staticPage(t *testing.T, site *server, b *browser, dir, query, day string) *page {
	t.Helper()
	p := b.open(t, site, dir+"/index.html?"+query, desktop)
	p.waitRendered(day)
	return p
}

func testStaticSlider(t *testing.T, site, live *server, b *browser) {
	p := staticPage(t, site, b, "", "at=2012-06-01", "2012-06-01")
	checkCounts(t, p, live, "2012-06-01")
	for _, day := range []string{"2016-01-01", "2018-09-01", "2021-03-01", "2024-07-01"} {
		p.setSlider(day)
		p.waitRendered(day)
		checkCounts(t, p, live, day)
		if got := eval[string](p, `new URL(location.href).searchParams.get('at')`); got != day {
			t.Errorf("URL at= after moving the slider: %q, want %s", got, day)
		}
	}
	_, today := live.countsAt(t, "2000-01-01")
	p.do("pressing End on the slider", chromedp.Focus(chromedp.ID("slider")), chromedp.KeyEvent(kb.End))
	p.waitRendered(today)
	checkCounts(t, p, live, today)
}

func testStaticPlayback(t *testing.T, site, live *server, b *browser) {
	p := staticPage(t, site, b, "", "at=2016-01-01", "2016-01-01")
	p.waitTiles()
	p.do("choosing 4×", chromedp.SetValue(chromedp.ID("speed"), "4"))
	eval[bool](p, `document.getElementById('speed').dispatchEvent(new Event('change', {bubbles: true}))`)
	before := p.requests()
	p.do("clicking play", chromedp.Click(chromedp.ID("play")))
	p.waitFor(`window.dcatlas.playing()`)
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!window.dcatlas.playing() && window.dcatlas.idle()`, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("playback did not end within 60s: %v", err)
	}
	if reqs := p.requestsSince(before); len(reqs) > 0 {
		t.Errorf("playing made %d requests: %v", len(reqs), reqs)
	}
	_, today := live.countsAt(t, "2000-01-01")
	if got := eval[string](p, `window.dcatlas.rendered`); got != today {
		t.Errorf("playback ended at %s, want today %s", got, today)
	}
	checkCounts(t, p, live, today)
}

// choose sets a select of the filters and waits for the viewer.
func (p *page) choose(id, value string) {
	p.t.Helper()
	p.do("choosing "+value, chromedp.SetValue(chromedp.ID(id), value))
	eval[bool](p, fmt.Sprintf(`document.getElementById(%q).dispatchEvent(new Event('change', {bubbles: true}))`, id))
	p.waitIdle()
}

func testStaticFilters(t *testing.T, site, live *server, b *browser) {
	const day = "2020-06-01"
	p := staticPage(t, site, b, "", "at="+day, day)
	all := eval[int](p, `window.dcatlas.markerCount()`)
	// What the page shows with a filter is what the server answers for it: the markers are its
	// items, the counts its /timeline with the same filter.
	check := func(what, query string) {
		t.Helper()
		fc := live.items(t, "at="+day+"&"+query)
		if got := eval[int](p, `window.dcatlas.markerCount()`); got != fc.NumberMatched {
			t.Errorf("markers with %s: got %d, want %d", what, got, fc.NumberMatched)
		}
		if fc.NumberMatched == 0 || fc.NumberMatched == all {
			t.Errorf("%s should change the markers: %d of %d", what, fc.NumberMatched, all)
		}
	}
	checkCounts := func(what, query string) {
		t.Helper()
		var tl timeline
		live.json(t, "/timeline?"+query, &tl)
		want := tl.at(day)
		got := p.shownCounts()
		got.Date = day
		if got != want {
			t.Errorf("counts with %s: got %+v, the server's /timeline?%s %+v", what, got, query, want)
		}
	}
	p.choose("provider", "aws")
	check("provider=aws", "provider=aws")
	checkCounts("provider=aws", "provider=aws")
	p.choose("provider", "")
	p.choose("country", "CN")
	check("country=CN", "country=CN")
	checkCounts("country=CN", "country=CN")
	p.choose("country", "")
	p.do("unchecking active", chromedp.Click(chromedp.CSS(`#status-list input[value="active"]`)))
	p.waitIdle()
	check("active hidden", "status=announced,closing,closed")
	q := eval[string](p, `location.search`)
	for _, want := range []string{"at=" + day, "status=announced,closing,closed"} {
		if !strings.Contains(q, want) {
			t.Errorf("URL %q lacks %q", q, want)
		}
	}
}

// siteFeature is one site from the server, with its events' sources.
type siteFeature struct {
	ID         string `json:"id"`
	Properties struct {
		Name   string `json:"name"`
		Events []struct {
			Sources []struct {
				URL string `json:"url"`
			} `json:"sources"`
		} `json:"events"`
	} `json:"properties"`
}

func testStaticPermalink(t *testing.T, site, live *server, b *browser) {
	const day, compare = "2018-09-01", "2016-01-01"
	p := staticPage(t, site, b, "", "at="+day+"&compare="+compare, day)
	var want siteFeature
	live.json(t, "/collections/sites/items/alibaba-eu-central-1?properties=name,events", &want)

	p.do("searching for "+want.Properties.Name, chromedp.SendKeys(chromedp.ID("search"), want.Properties.Name), chromedp.KeyEvent(kb.Enter))
	p.waitFor(`!!document.querySelector('.site-popup .sources a') && window.dcatlas.idle()`)
	if got := eval[string](p, `document.querySelector('.site-popup h2').textContent`); got != want.Properties.Name {
		t.Errorf("popup title: got %q, want %q", got, want.Properties.Name)
	}
	links := eval[[]string](p, `[...document.querySelectorAll('.site-popup .sources a')].map((a) => a.href)`)
	n := 0
	for _, e := range want.Properties.Events {
		for _, s := range e.Sources {
			if s.URL != "" {
				n++
				if !slices.Contains(links, s.URL) {
					t.Errorf("the popup does not link the source %s (it links %v)", s.URL, links)
				}
			}
		}
	}
	if n == 0 {
		t.Errorf("the server gives %s no source with a URL", want.ID)
	}

	type view struct {
		State, Popup, Counts string
		Zoom, Lat, Lng       float64
		Count                int
	}
	const read = `(() => { const c = window.dcatlas.map.getCenter(); const s = window.dcatlas.state(); delete s.view; return {
		State: JSON.stringify(s), Zoom: window.dcatlas.map.getZoom(), Lat: c.lat, Lng: c.lng,
		Count: window.dcatlas.markerCount(), Popup: document.querySelector('.site-popup h2')?.textContent ?? '',
		Counts: JSON.stringify(window.dcatlas.counts()) }; })()`
	p.waitFor(`new URL(location.href).searchParams.has('view') && window.dcatlas.viewSynced()`)
	before := eval[view](p, read)
	permalink := eval[string](p, `location.href`)
	u, err := url.Parse(permalink)
	if err != nil || u.Path != "/index.html" {
		t.Fatalf("permalink %q: want the export's index.html", permalink)
	}
	for _, k := range []string{"at", "compare", "site", "view"} {
		if u.Query().Get(k) == "" {
			t.Errorf("permalink %s lacks %s", permalink, k)
		}
	}
	p2 := b.open(t, site, strings.TrimPrefix(permalink, site.base), desktop)
	p2.waitRendered(day)
	p2.waitFor(`!!document.querySelector('.site-popup .sources a') && window.dcatlas.viewSynced()`)
	after := eval[view](p2, read)
	if after.State != before.State || after.Count != before.Count || after.Popup != before.Popup || after.Counts != before.Counts {
		t.Errorf("the permalink restores\n%+v\nwant\n%+v", after, before)
	}
	// The URL keeps the centre to within a pixel of the zoom: 360/256/2^zoom degrees of longitude,
	// times the cosine of the latitude in latitude (Web Mercator).
	pixel := 360.0 / 256 / math.Pow(2, before.Zoom)
	if after.Zoom != before.Zoom || abs(after.Lat-before.Lat) > pixel*math.Cos(before.Lat*math.Pi/180) || abs(after.Lng-before.Lng) > pixel {
		t.Errorf("the permalink restores the view %v/%v/%v, want %v/%v/%v", after.Zoom, after.Lat, after.Lng, before.Zoom, before.Lat, before.Lng)
	}
	if !strings.Contains(after.State, compare) {
		t.Errorf("the permalink's state %s lacks compare=%s", after.State, compare)
	}
}

// testStaticDownloads checks the download buttons of the export in dir on day, which has a
// snapshot: they name its files, which hold the sites the map shows, as the server answers. On
// the day other, which has none, and on day with a filter, the buttons hide and the page says on
// which days there are downloads (said).
func testStaticDownloads(t *testing.T, site, live *server, b *browser, dir, day, other, said string) {
	p := staticPage(t, site, b, dir, "at="+day, day)
	if dir == "" {
		p.screenshot("static-site-" + day + ".png")
	}
	shown := eval[[]string](p, `window.dcatlas.ids()`)
	var want []string
	for _, f := range live.items(t, "at="+day).Features {
		want = append(want, f.ID)
	}
	slices.Sort(want)
	if len(shown) == 0 || !slices.Equal(shown, want) {
		t.Fatalf("the page shows %d sites on %s, the server %d", len(shown), day, len(want))
	}
	href := eval[string](p, `document.getElementById('download-geojson').href`)
	if want := site.base + dir + "/downloads/dcatlas-sites-" + day + ".geojson"; href != want {
		t.Errorf("the GeoJSON download is %s, want the snapshot %s", href, want)
	}
	var fc featureCollection
	if err := json.Unmarshal(site.body(t, href), &fc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	if fc.At != day || !slices.Equal(ids, shown) {
		t.Errorf("the GeoJSON download is of %q and holds %d sites; the map shows %d on %s", fc.At, len(ids), len(shown), day)
	}
	ids = csvIDs(t, site.body(t, eval[string](p, `document.getElementById('download-csv').href`)))
	if !slices.Equal(ids, shown) {
		t.Errorf("the CSV download holds %d sites, the map shows %d", len(ids), len(shown))
	}
	// A filtered view, or a day with no snapshot, has no file: the buttons hide and say so.
	for _, q := range []string{"at=" + day + "&country=CN", "at=" + other} {
		p := staticPage(t, site, b, dir, q, strings.TrimPrefix(strings.Split(q, "&")[0], "at="))
		if !eval[bool](p, `document.getElementById('download-geojson').hidden && document.getElementById('download-csv').hidden`) {
			t.Errorf("%s: the download buttons show, with no file to download", q)
		}
		if got := eval[string](p, `document.getElementById('downloads-summary').textContent`); !strings.Contains(got, said) {
			t.Errorf("%s: the downloads say %q, want %q", q, got, said)
		}
	}
}

func testStaticWithoutServer(t *testing.T, site *server, b *browser) {
	p := staticPage(t, site, b, "", "at=2019-03-01&site=alibaba-eu-central-1", "2019-03-01")
	p.waitFor(`!!document.querySelector('.site-popup .sources a')`)
	if got := eval[string](p, `document.querySelector('.site-popup .site-links a')?.href ?? ''`); got != site.base+"/sites/alibaba-eu-central-1.json" {
		t.Errorf("the card's GeoJSON link is %q, want the site's file", got)
	}
	p.do("opening the share dialog", chromedp.Click(chromedp.ID("share-open")))
	p.waitFor(`document.getElementById('share-dialog').open && document.getElementById('share-link').value !== ''`)
	if !eval[bool](p, `document.getElementById('share-image-field').hidden`) {
		t.Error("the share dialog offers a static image, which needs a live server")
	}
	link := eval[string](p, `document.getElementById('share-link').value`)
	if u, err := url.Parse(link); err != nil || u.Path != "/index.html" || u.Query().Get("at") != "2019-03-01" {
		t.Errorf("share link %q: want the export's index.html at the date", link)
	}
	if snippet := eval[string](p, `document.getElementById('share-embed').value`); !strings.Contains(snippet, site.base+"/embed.html?") {
		t.Errorf("embed snippet %q: want the export's embed.html", snippet)
	}
	about := eval[string](p, `document.querySelector('.about').textContent`)
	for _, s := range []string{"API documentation", "OGC API"} {
		if strings.Contains(about, s) {
			t.Errorf("the page offers %s, which needs a live server", s)
		}
	}
}

// testStaticLinks fetches every link and resource the pages of the export in dir name (with a
// site's card open): each is a file nginx serves or an answer of the live server behind it, or a
// source or attribution on another host.
func testStaticLinks(t *testing.T, site *server, b *browser, dir string) {
	for _, path := range []string{dir + "/index.html?at=2019-03-01&site=alibaba-eu-central-1", dir + "/embed.html?at=2019-03-01&site=alibaba-eu-central-1"} {
		p := b.open(t, site, path, desktop)
		p.waitRendered("2019-03-01")
		p.waitFor(`!!document.querySelector('.site-popup .sources a, .sheet .sources a')`)
		type ref struct{ URL, Where string }
		refs := eval[[]ref](p, `[...document.querySelectorAll('[href], [src]')].map((e) => ({
			URL: e.href || e.src,
			Where: e.closest('.sources, .leaflet-control-attribution') ? 'external' : e.outerHTML.slice(0, 120) }))`)
		if len(refs) < 10 {
			t.Fatalf("%s names %d links and resources", path, len(refs))
		}
		for _, r := range refs {
			u, err := url.Parse(r.URL)
			switch {
			case err != nil:
				t.Errorf("%s: %s names %q", path, r.Where, r.URL)
			case u.Host == site.host:
				res, err := http.Get(r.URL)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: %s: GET %s: %s", path, r.Where, r.URL, res.Status)
				}
			case r.Where != "external" && u.Scheme != "data":
				t.Errorf("%s: %s links another host: %s", path, r.Where, r.URL)
			}
		}
	}
}

// testStaticWithServer checks the export in dir, made with --server-url: what needs a live
// server points to it, and it answers.
func testStaticWithServer(t *testing.T, site, live *server, b *browser, dir string) {
	const day = "2019-03-01"
	server := site.base + "/live"
	p := staticPage(t, site, b, dir, "at="+day+"&site=alibaba-eu-central-1", day)
	p.waitFor(`!!document.querySelector('.site-popup .sources a')`)
	if got, want := eval[string](p, `document.querySelector('.site-popup .site-links a')?.href ?? ''`), server+"/collections/sites/items/alibaba-eu-central-1?at="+day; got != want {
		t.Errorf("the card's GeoJSON link is %q, want %q", got, want)
	}
	about := eval[[]string](p, `[...document.querySelectorAll('.about a')].map((a) => a.href)`)
	for _, want := range []string{server + "/api.html", server + "/collections/sites", site.base + dir + "/timeline.json"} {
		if !slices.Contains(about, want) {
			t.Errorf("the page's links %v lack %s", about, want)
		}
	}
	if got := eval[string](p, `document.querySelector('link[rel="alternate"]')?.href ?? ''`); got != server+"/changes.atom" {
		t.Errorf("the page's feed is %q, want the server's", got)
	}
	// This export's base map stops at zoom 0: the map magnifies it to the server's zoom 10.
	if got := eval[int](p, `window.dcatlas.map.getMaxZoom()`); got != 10 {
		t.Errorf("the map zooms to %d, want 10", got)
	}
	eval[bool](p, `(window.dcatlas.map.setZoom(3, {animate: false}), true)`)
	p.waitTiles()
	for _, tile := range loadedTiles(p) {
		if !strings.Contains(tile.Src, "/tiles/basemap/0/") {
			t.Errorf("at zoom 3 the map shows the tile %s; the export stops at zoom 0", tile.Src)
		}
	}
	p.do("opening the share dialog", chromedp.Click(chromedp.ID("share-open")))
	p.waitFor(`!document.getElementById('share-image-field').hidden && document.getElementById('share-image').value !== ''`)
	img := eval[string](p, `document.getElementById('share-image').value`)
	if !strings.HasPrefix(img, server+"/static/map.png?") || !strings.Contains(img, "at="+day) {
		t.Errorf("static image URL %q: want the server's /static/map.png at the date", img)
	}
	if res, _ := site.get(t, img); res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("static image %s: Content-Type %q", img, res.Header.Get("Content-Type"))
	}
	// A filtered download, which no file holds, comes from the server.
	p2 := staticPage(t, site, b, dir, "at="+day+"&country=CN", day)
	shown := eval[[]string](p2, `window.dcatlas.ids()`)
	href := eval[string](p2, `document.getElementById('download-geojson').href`)
	if !strings.HasPrefix(href, server+"/collections/sites/items?") {
		t.Fatalf("the filtered GeoJSON download is %q, want the server's", href)
	}
	var fc featureCollection
	if err := json.Unmarshal(site.body(t, href), &fc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	if len(ids) == 0 || !slices.Equal(ids, shown) {
		t.Errorf("the server's download holds %v, the map shows %v", ids, shown)
	}
}
