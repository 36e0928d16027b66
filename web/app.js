// dcatlas viewer: one state (store.js), one pure derive(state, history) (derive.js), and views that
// render from what it gives — the map, the time bar and chart, the counts, the filters, the list of
// what changed, the list of sites and the share dialog. The page is /map (and / for browsers) or
// /embed; the server renders its configuration into data- attributes of <body>, so the page needs no
// inline script, and the whole history comes in one request (/history.json): moving in time asks
// the server nothing.

import { parseState } from './state.js';
import { monthStart, monthsBetween, addMonths, formatDay } from './dates.js';
import { Api } from './data.js';
import { prepareHistory, derive, series, race } from './derive.js';
import { applyVocabulary } from './vocab.js';
import { Store } from './store.js';
import { SiteMap } from './map.js';
import { TimelineChart } from './chart.js';
import { ShareDialog } from './share.js';
import * as views from './views.js';

const $ = (id) => document.getElementById(id);
const body = document.body;
const embed = body.dataset.mode === 'embed';
const root = body.dataset.root || '';
const api = new Api(root, {
  static: body.dataset.static === '1',
  server: body.dataset.serverUrl || '',
  snapshots: body.dataset.snapshots || '',
  snapshotDays: body.dataset.snapshotDays || '',
});

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
}

function tileConfig() {
  const d = body.dataset;
  const text = escapeHTML(d.basemapAttribution || 'Natural Earth');
  const link = d.basemapAttributionUrl ? `<a href="${escapeHTML(d.basemapAttributionUrl)}">${text}</a>` : text;
  // The tiles' last zoom (0 is one); a static export's may be lower than the server's 10
  // (tileset.BasemapMaxZoom), and the map magnifies its tiles up to that.
  const native = d.basemapMaxZoom !== undefined && d.basemapMaxZoom !== '' ? Number(d.basemapMaxZoom) : 10;
  return {
    url: d.basemapTiles || `${root}/tiles/basemap/{z}/{x}/{y}{r}.png`,
    attribution: `Base map: ${link}`,
    maxZoom: d.static === '1' ? Math.max(native, 10) : native,
    nativeZoom: native,
  };
}

/** The slider's months: from the month of the first site to today (its last position). */
function timeScale(history) {
  const start = monthStart(history.first);
  const today = history.today;
  const max = monthsBetween(start, today) + (today === monthStart(today) ? 0 : 1);
  return {
    start,
    today,
    max,
    dayAt: (pos) => (pos >= max ? today : addMonths(start, Math.max(0, pos))),
    posOf: (day) => (day >= today ? max : day < start ? 0 : Math.min(monthsBetween(start, day), max)),
  };
}

async function start() {
  const hooks = { ready: false, busy: 0, rendered: null, idle: () => hooks.ready && hooks.busy === 0 };
  window.dcatlas = hooks;
  if (!window.L) {
    views.message('The map could not start: its scripts did not load.');
    hooks.ready = true;
    return;
  }
  let doc;
  try {
    doc = await api.history();
  } catch (err) {
    views.message(`The map could not load its data: ${err.message}`);
    hooks.ready = true;
    return;
  }
  const vocab = applyVocabulary(doc);
  const history = prepareHistory(doc);
  const time = timeScale(history);
  const { state, problems } = parseState(location.search, vocab.order);
  // Filters on values no site has would show an empty map: drop them and say so.
  for (const [field, key, what] of [['countries', 'country', 'country'], ['providers', 'provider', 'provider']]) {
    const known = new Set(history.sites.map((s) => s[key]));
    const bad = state[field].filter((v) => !known.has(v));
    if (bad.length) {
      state[field] = state[field].filter((v) => known.has(v));
      problems.push(`the ${what} ${bad.map((v) => `“${v}”`).join(', ')} (no site there)`);
    }
  }
  const store = new Store(state, vocab.order, { history, derive });
  if (problems.length) store.replaceURL();

  // What changes the time bar's height (the provider legend, the race's taller chart on a phone)
  // is in place before the map measures its container.
  body.classList.toggle('by-provider', (state.providers.length || history.providers.length) > 1);
  views.buildProviders({ history, store });

  const narrow = window.matchMedia('(max-width: 640px)').matches;
  const siteMap = new SiteMap($('map'), {
    root,
    vocab,
    tiles: tileConfig(),
    // One line on a phone, not two over the southern sites (style.css hides the rest on a narrow
    // screen, so turning the phone shows it): each site's card gives its sources.
    siteAttribution: `Sites: ${api.url('/api.html') ? `<a href="${escapeHTML(api.url('/api.html'))}">dcatlas</a>` : 'dcatlas'}<span class="attribution-more">, sources in each site's history</span>`,
    legendOpen: !narrow && !embed,
    legendPosition: narrow || embed ? 'topright' : 'bottomleft',
    fullscreenTarget: $('main'),
    sheet: $('sheet'),
    over: [...document.querySelectorAll('.embed-bar')],
    onSelect: (id, { focus }) => views.select(ctx, id, { focus }),
    onClose: (id) => {
      if (store.state.site === id) store.update({ site: null }, 'push');
    },
    onView: (view) => store.update({ view }, 'replace', { quiet: true }),
    events: (id) => api.events(id),
    siteURL: (id, at) => api.url(`/collections/sites/items/${encodeURIComponent(id)}`, `at=${at}`),
  });
  // The first view: the shared one, else every site there ever was (not only those of the date).
  const lons = history.sites.map((s) => s.lon);
  const lats = history.sites.map((s) => s.lat);
  siteMap.show(state.view, lons.length ? [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] : null);

  // What the views share: the store, the history, and their own bits of view state.
  const ctx = { api, store, history, vocab, time, siteMap, embed, root, hooks, list: views.listState(), explained: null };
  if (!embed) {
    ctx.chart = new TimelineChart($('chart'), {
      pad: 9,
      vocab,
      onPick: (day) => {
        ctx.player.stop();
        store.update({ at: time.dayAt(time.posOf(day)), stepFrom: null }, 'push');
      },
      // A race line shows its provider alone (and the chart then its statuses).
      onProvider: (id) => store.update({ providers: [id] }, 'push'),
      highlight: 'alibaba-cloud',
    });
    ctx.share = new ShareDialog($('share-dialog'), { api, links: () => views.links(ctx) });
  }
  ctx.player = new views.Player(ctx);
  views.wire(ctx);

  // Every view renders from the derived state; nothing refreshes by hand.
  let chartKey = '';
  let chartSeries = [];
  let chartRace = null;
  const marks = history.sites.flatMap((s) => s.events.filter((e) => e.latest <= history.today).map((e) => ({ day: e.latest, status: e.status, site: s.name, country: s.country, provider: s.provider })));
  // While playing, what each view costs per render (ms), for the browser test to report.
  const costs = { map: [], bar: [], chart: [], panel: [] };
  const timed = (name, f) => {
    if (!ctx.player.playing) return f();
    const t0 = performance.now();
    f();
    costs[name].push(performance.now() - t0);
  };
  // The first view fits itself to the page only while it settles: any change the reader makes
  // (typing a search, a filter, the date, the colouring) ends that, so the map stays put.
  for (const type of ['input', 'change']) document.addEventListener(type, () => siteMap.endFit(), true);
  store.subscribe((d, st) => {
    hooks.busy++;
    try {
      if (hooks.rendered !== null) siteMap.endFit(); // every render after the first is a change the reader made
      body.classList.toggle('by-provider', d.byProvider);
      timed('map', () => siteMap.render(d));
      timed('bar', () => {
        views.renderTime(ctx, d, st);
        views.renderCounts(ctx, d, st);
        views.renderProviders(ctx, d, st);
      });
      if (!embed) timed('chart', () => {
        const key = JSON.stringify([st.countries, st.providers, d.byProvider]);
        if (key !== chartKey) {
          chartKey = key;
          chartSeries = series(history, { countries: st.countries, providers: st.providers }, history.today);
          // Several providers shown: the race of those shown.
          chartRace = d.byProvider ? race(history, { countries: st.countries }, history.today).filter((l) => !st.providers.length || st.providers.includes(l.provider)) : null;
          const m = marks.filter((x) => (!st.countries.length || st.countries.includes(x.country)) && (!st.providers.length || st.providers.includes(x.provider)));
          ctx.chart.setData(chartSeries, m, time.start, time.today, chartRace);
        }
        ctx.chart.setDate(d.at);
      });
      if (!embed) {
        timed('panel', () => {
          views.renderFilters(ctx, d, st);
          views.renderChanges(ctx, d, st);
          views.renderList(ctx, d, st);
          ctx.share.refresh();
        });
      } else {
        $('open-full').href = api.page('map', store.query({ at: d.at }));
      }
      views.restoreSelection(ctx, d, st);
      hooks.rendered = d.at;
      if (hooks.firstMarkersAt === undefined && siteMap.count()) hooks.firstMarkersAt = performance.now();
    } finally {
      hooks.busy--;
    }
  });

  Object.assign(hooks, {
    state: () => JSON.parse(JSON.stringify(store.publicState())),
    markerCount: () => siteMap.count(),
    ids: () => siteMap.ids(),
    counts: () => ({ ...store.derived.counts }),
    // The race the chart draws (null when it shows statuses): [{ provider, points: [{ date, n }] }].
    race: () => (chartRace ? JSON.parse(JSON.stringify(chartRace)) : null),
    playing: () => ctx.player.playing,
    sliderStart: () => time.start,
    frames: () => ctx.player.frames.slice(),
    costs: () => {
      const out = JSON.parse(JSON.stringify(costs));
      for (const k of Object.keys(costs)) costs[k] = [];
      return out;
    },
    map: siteMap.map,
    // The symbols and labels are laid out for the map's zoom and stand still: no zoom under way
    // and none still sliding (Leaflet may end a zoom on a timer while its CSS transitions run).
    // and for the map's size (the observer that follows it has run, any refit with it).
    laidOut: () => !moving && siteMap.sized() && siteMap.settled(),
    // The map is still and the URL holds its view (or none was ever written).
    viewSynced: () => !moving && (!store.state.view || new URLSearchParams(location.search).get('view') === store.viewParam(siteMap.view())),
  });
  let moving = false;
  siteMap.map.on('movestart zoomstart', () => { moving = true; });
  siteMap.map.on('moveend', () => { moving = false; });
  store.render();
  siteMap.resized(); // the time bar, filled in, took its height from the map
  if (problems.length) views.message(`Ignored ${problems.join('; ')}.`);
  window.addEventListener('popstate', () => {
    ctx.player.stop();
    const { state: next } = parseState(location.search, vocab.order);
    store.replaceState(next);
    if (next.view) siteMap.show(next.view);
  });
  hooks.ready = true;
  hooks.readyAt = performance.now();
}

start();
