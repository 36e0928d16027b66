// dcatlas viewer: wires the map, the time slider and chart, the filters, search, downloads, the share
// dialog and the URL together. The page is /map (and / for browsers) or /embed; the server renders
// its configuration into data- attributes of <body>, so the page needs no inline script.

import { parseState, toQuery, itemsQuery, downloadQuery, formatView, STATUSES, allStatuses, defaultState } from './state.js';
import { addMonths, monthStart, monthsBetween, formatDay, formatDayShort, formatEDTF, edtfWindow, STATUS_WORDS } from './dates.js';
import { Api } from './data.js';
import { SiteMap, countryName } from './map.js';
import { symbol } from './symbols.js';
import { TimelineChart } from './chart.js';
import { ShareDialog } from './share.js';

const $ = (id) => document.getElementById(id);
const body = document.body;
const embed = body.dataset.mode === 'embed';
const root = body.dataset.root || '';
const api = new Api(root, { static: body.dataset.static === '1', server: body.dataset.serverUrl || '' });
const STEP_MS = 320; // playback: the time each month is shown, at least

let { state, problems } = parseState(location.search);
let today = null; // the server's today, the last date of the slider
let startMonth = null; // the first month of the slider
let maxPos = 0; // the slider's last position (today)
let features = []; // sites at the date, filtered by country and provider but not by status
let allSites = []; // every site there is today, for search and the filter options
let renderSeq = 0;
let playing = false;
let playGen = 0; // which playback loop is current: a pause and play start a new one
let chartSeq = 0; // the latest chart request; older answers are dropped
let gesture = false; // a slider drag is under way: its first move pushes a history entry, the rest replace it
let siteMap;
let chart;
let share;

/** What the browser tests (and the curious) can read. */
const hooks = {
  ready: false,
  busy: 0,
  rendered: null,
  idle: () => hooks.ready && hooks.busy === 0,
  state: () => JSON.parse(JSON.stringify(state)),
  markerCount: () => siteMap.count(),
  ids: () => siteMap.ids(),
  counts: () => countBy(features),
  playing: () => playing,
  sliderStart: () => startMonth,
  // The map is still and the URL holds its view (or none was ever written).
  viewSynced: () => !state.view || new URLSearchParams(location.search).get('view') === formatView(siteMap.view()),
};
window.dcatlas = hooks;

const currentAt = () => state.at ?? today;

function countBy(fs) {
  const c = { active: 0, announced: 0, closing: 0, closed: 0, pending: 0 };
  for (const f of fs) {
    c[f.properties.status]++;
    if (f.properties.pending_status) c.pending++;
  }
  return c;
}

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
}

// --- messages -------------------------------------------------------------------------------------

/** Shows a message over the map, with an optional action button. */
function message(text, action) {
  const box = $('map-message');
  box.replaceChildren();
  if (!text) {
    box.classList.remove('is-shown');
    return;
  }
  const p = document.createElement('p');
  p.textContent = text;
  box.append(p);
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-small';
    b.textContent = action.label;
    b.addEventListener('click', () => { message(''); action.run(); });
    box.append(b);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn btn-icon btn-small';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => message(''));
  box.append(close);
  box.classList.add('is-shown');
}

// --- history --------------------------------------------------------------------------------------

/** Writes the state into the URL: push for a user's action, replace for map moves and playback. */
function commit(kind) {
  const q = toQuery(state);
  const url = location.pathname + (q ? `?${q}` : '');
  if (url !== location.pathname + location.search) {
    if (kind === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }
  stateChanged();
}

/** The links that show the current view, for the share dialog and the embed page. */
function links() {
  const at = currentAt();
  const view = state.view ?? siteMap.view();
  const q = toQuery({ ...state, view }, { at });
  const origin = location.origin;
  // The image shows the view's centre at its zoom: a box would break across the antimeridian.
  const c = siteMap.map.getCenter();
  const lng = ((((c.lng + 180) % 360) + 360) % 360) - 180;
  const center = `${lng.toFixed(4)},${Math.max(-85, Math.min(85, c.lat)).toFixed(4)}`;
  const zoom = String(Math.round(siteMap.map.getZoom() * 100) / 100);
  const params = { at };
  if (!allStatuses(state)) params.status = state.statuses.join(',');
  if (state.countries.length) params.country = state.countries.join(',');
  if (state.providers.length) params.provider = state.providers.join(',');
  return {
    origin,
    query: q,
    map: `${origin}${root}/map?${q}`,
    embed: `${origin}${root}/embed?${q}`,
    params,
    center,
    zoom,
    title: `Map of cloud data-center regions on ${formatDay(at)}`,
  };
}

function stateChanged() {
  if (embed) {
    $('open-full').href = `${root}/map?${toQuery(state, { at: currentAt() })}`;
  } else {
    share?.refresh();
  }
}

// --- time -----------------------------------------------------------------------------------------

function dayAt(pos) {
  return pos >= maxPos ? today : addMonths(startMonth, pos);
}

function posOf(day) {
  if (day >= today) return maxPos;
  if (day < startMonth) return 0;
  return Math.min(monthsBetween(startMonth, day), maxPos);
}

function showDate(at) {
  const label = $('date-label');
  label.textContent = formatDay(at);
  label.dateTime = at;
  if (embed) return;
  const slider = $('slider');
  slider.value = String(posOf(at));
  slider.setAttribute('aria-valuetext', formatDay(at));
  chart.setDate(at);
}

/** Moves to a day as the user's action. */
function goTo(day, kind = 'push') {
  state.at = day;
  commit(kind);
  render();
}

function setPlaying(on) {
  playing = on;
  const btn = $('play');
  btn.classList.toggle('is-playing', on);
  btn.setAttribute('aria-label', on ? 'Pause' : 'Play: step through time month by month');
  btn.setAttribute('aria-pressed', String(on));
}

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

async function play() {
  if (playing) return;
  const gen = ++playGen;
  setPlaying(true);
  let pushed = false;
  const step = async (day) => {
    state.at = day;
    commit(pushed ? 'replace' : 'push');
    pushed = true;
    await render();
  };
  if (posOf(currentAt()) >= maxPos) await step(dayAt(0)); // at the end: start again
  // A loop paused during its sleep must not resume when play starts the next one.
  const current = () => playing && gen === playGen;
  while (current()) {
    await sleep(STEP_MS);
    if (!current()) break;
    const pos = posOf(currentAt()) + 1;
    if (pos > maxPos) break;
    await step(dayAt(pos));
    if (pos >= maxPos) break;
  }
  if (gen === playGen) setPlaying(false);
}

function togglePlay() {
  if (playing) setPlaying(false);
  else play();
}

// --- rendering ------------------------------------------------------------------------------------

/** Loads the sites at the state's date and shows them. Later calls win over earlier ones. */
async function render() {
  const seq = ++renderSeq;
  hooks.busy++;
  body.setAttribute('aria-busy', 'true');
  try {
    if (state.at || today) showDate(currentAt());
    let res;
    try {
      // Without a date, ask for the server's today: the same request as allSites.
      res = await api.items(itemsQuery(state, state.at));
    } catch (err) {
      if (seq === renderSeq) message(`The sites could not be loaded: ${err.message}`);
      return;
    }
    if (seq !== renderSeq) return;
    if (!today && !state.at) {
      today = res.at;
      showDate(currentAt());
    }
    const at = res.at;
    features = res.features;
    const shown = features.filter((f) => state.statuses.includes(f.properties.status));
    siteMap.setSites(shown, at);
    showCounts(at, shown.length);
    if (!embed) updateDownloads(at, shown.length);
    restoreSelection();
    hooks.rendered = at;
  } finally {
    hooks.busy--;
    if (!hooks.busy) body.removeAttribute('aria-busy');
  }
}

function showCounts(at, shownCount) {
  const c = countBy(features);
  const box = $('counts');
  box.replaceChildren();
  for (const s of STATUSES) {
    const span = document.createElement('span');
    span.className = `count count-${s}${state.statuses.includes(s) ? '' : ' is-hidden'}`;
    span.dataset.status = s;
    span.dataset.count = String(c[s]);
    span.insertAdjacentHTML('afterbegin', symbol(s, { size: 16 }));
    const n = document.createElement('strong');
    n.textContent = String(c[s]);
    span.append(n, ` ${STATUS_WORDS[s].label.toLowerCase()}`);
    box.append(span);
  }
  if (c.pending) {
    const span = document.createElement('span');
    span.className = 'count count-pending';
    span.dataset.count = String(c.pending);
    span.textContent = `(${c.pending} pending)`;
    box.append(span);
  }
  box.dataset.total = String(shownCount);
  if (!embed) {
    for (const li of $('status-list').children) {
      li.querySelector('.n').textContent = String(c[li.dataset.status]);
    }
  }
}

function updateDownloads(at, n) {
  for (const f of ['geojson', 'csv']) {
    const a = $(`download-${f}`);
    const q = downloadQuery(state, at, f);
    a.hidden = !q;
    if (q) a.href = api.url('/collections/sites/items', q);
  }
  $('downloads-summary').textContent = state.statuses.length
    ? `${n} site${n === 1 ? '' : 's'} on ${formatDay(at)}, with the filters above.`
    : 'No status is chosen above, so there is nothing to download.';
}

let explained = null;

/** Opens the selected site's popup when it is on the map; says why when it is not. */
function restoreSelection() {
  if (!state.site) {
    siteMap.close();
    return;
  }
  if (siteMap.has(state.site)) {
    if (siteMap.popupSite !== state.site) siteMap.open(state.site);
    return;
  }
  siteMap.close();
  if (explained !== state.site && !playing) {
    explained = state.site;
    explainHidden(state.site);
  }
}

// --- selection and search -------------------------------------------------------------------------

function select(id, { fly = false, focus = false } = {}) {
  state.site = id;
  commit('push');
  if (siteMap.has(id)) {
    message('');
    siteMap.open(id, { fly, focus });
  } else {
    explained = id;
    explainHidden(id);
  }
}

/** Says why a site is not on the map, with a way to show it. */
async function explainHidden(id) {
  const at = currentAt();
  const f = features.find((x) => x.id === id);
  if (f) {
    const st = f.properties.status;
    message(`${f.properties.name} is ${STATUS_WORDS[st].label.toLowerCase()} on ${formatDay(at)}, and ${st} sites are hidden.`, {
      label: 'Show every status',
      run: () => { state.statuses = [...STATUSES]; syncFilters(); commit('push'); render().then(() => siteMap.open(id, { fly: true })); },
    });
    return;
  }
  const site = allSites.find((x) => x.id === id);
  if (!site) {
    message(embed ? `The site “${id}” is not on this map on ${formatDay(at)}.` : `There is no site “${id}”.`);
    return;
  }
  const filtered = (state.countries.length && !state.countries.includes(site.properties.country))
    || (state.providers.length && !state.providers.includes(site.properties.provider));
  if (filtered) {
    message(`${site.properties.name} is hidden by the country or provider filter.`, {
      label: 'Clear filters',
      run: () => { clearFilters(); render().then(() => siteMap.open(id, { fly: true })); },
    });
    return;
  }
  let first = null;
  try {
    const { events } = await api.events(id);
    first = events[0];
  } catch {
    // Without the history, say less.
  }
  if (!first) {
    message(`${site.properties.name} is not on the map on ${formatDay(at)}.`);
    return;
  }
  const w = edtfWindow(first.date);
  const day = w?.latest ?? first.latest;
  const verb = at < day && w && w.earliest <= at ? 'may not exist yet' : 'does not exist yet';
  message(`${site.properties.name} ${verb} on ${formatDay(at)}: it was first ${first.status} ${formatEDTF(first.date)}.`, {
    label: `Go to ${formatDayShort(day)}`,
    run: () => { state.at = day; commit('push'); render().then(() => siteMap.open(id, { fly: true })); },
  });
}

function optionLabel(p) {
  return p.region ? `${p.name} — ${p.region}` : p.name;
}

function find(text) {
  const q = text.trim().toLowerCase();
  if (!q) return;
  const fields = (f) => [f.properties.name, f.properties.region, f.properties.city, f.id].filter(Boolean).map((v) => v.toLowerCase());
  const site = allSites.find((f) => optionLabel(f.properties).toLowerCase() === q)
    ?? allSites.find((f) => fields(f).includes(q))
    ?? allSites.find((f) => fields(f).some((v) => v.includes(q)));
  if (!site) {
    message(`No site matches “${text.trim()}”. Try a city, a country's name or a region code such as cn-hangzhou.`);
    return;
  }
  select(site.id, { fly: true, focus: true });
}

// --- filters --------------------------------------------------------------------------------------

function buildFilters(timeline) {
  const list = $('status-list');
  for (const s of STATUSES) {
    const li = document.createElement('li');
    li.dataset.status = s;
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'status';
    box.value = s;
    label.append(box);
    label.insertAdjacentHTML('beforeend', symbol(s, { size: 20 }));
    const name = document.createElement('span');
    name.className = 'status-name';
    name.textContent = STATUS_WORDS[s].label;
    const n = document.createElement('span');
    n.className = 'n';
    n.textContent = '–';
    label.append(name, n);
    li.append(label);
    list.append(li);
  }
  list.addEventListener('change', () => {
    state.statuses = STATUSES.filter((s) => list.querySelector(`input[value="${s}"]`).checked);
    commit('push');
    render();
  });

  const countries = [...new Set(allSites.map((f) => f.properties.country))]
    .map((c) => ({ c, name: countryName(c) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const csel = $('country');
  for (const { c, name } of countries) csel.append(new Option(`${name} (${c})`, c));
  const psel = $('provider');
  const names = new Map((timeline.providers ?? []).map((p) => [p.provider, p.name]));
  for (const p of [...new Set(allSites.map((f) => f.properties.provider))].sort()) psel.append(new Option(names.get(p) ?? p, p));
  const onSelect = () => {
    state.countries = csel.value ? csel.value.split(',') : [];
    state.providers = psel.value ? psel.value.split(',') : [];
    commit('push');
    render();
    refreshChart();
  };
  csel.addEventListener('change', onSelect);
  psel.addEventListener('change', onSelect);
  $('clear-filters').addEventListener('click', () => { clearFilters(); render(); });
  syncFilters();
}

/** Makes a select show a list of values, adding an option for a combination it lacks. */
function selectValues(sel, values) {
  const v = values.join(',');
  if (v && ![...sel.options].some((o) => o.value === v)) sel.append(new Option(values.join(', '), v));
  sel.value = v;
}

function syncFilters() {
  if (embed) return;
  for (const box of $('status-list').querySelectorAll('input')) box.checked = state.statuses.includes(box.value);
  selectValues($('country'), state.countries);
  selectValues($('provider'), state.providers);
  $('clear-filters').hidden = allStatuses(state) && !state.countries.length && !state.providers.length;
}

function clearFilters() {
  state.statuses = [...STATUSES];
  state.countries = [];
  state.providers = [];
  syncFilters();
  commit('push');
  refreshChart();
}

function filterQuery() {
  const q = new URLSearchParams();
  if (state.countries.length) q.set('country', state.countries.join(','));
  if (state.providers.length) q.set('provider', state.providers.join(','));
  return q.toString().replace(/%2C/g, ',');
}

async function refreshChart() {
  if (embed) return;
  const seq = ++chartSeq;
  hooks.busy++;
  try {
    const tl = await api.timeline(filterQuery());
    if (seq !== chartSeq) return; // a newer filter's chart is on its way
    chart.setData(tl.changes, startMonth, today);
    chart.setDate(currentAt());
  } catch (err) {
    message(`The timeline could not be loaded: ${err.message}`);
  } finally {
    hooks.busy--;
  }
  syncFilters();
}

// --- start ----------------------------------------------------------------------------------------

function tileConfig() {
  const d = body.dataset;
  const text = escapeHTML(d.basemapAttribution || 'Natural Earth');
  const link = d.basemapAttributionUrl ? `<a href="${escapeHTML(d.basemapAttributionUrl)}">${text}</a>` : text;
  return {
    url: d.basemapTiles || `${root}/tiles/basemap/{z}/{x}/{y}{r}.png`,
    attribution: `Base map: ${link}`,
    maxZoom: Number(d.basemapMaxZoom) || 10,
  };
}

function wireControls() {
  const slider = $('slider');
  slider.addEventListener('input', () => {
    setPlaying(false);
    state.at = dayAt(Number(slider.value));
    commit(gesture ? 'replace' : 'push');
    gesture = true;
    render();
  });
  slider.addEventListener('change', () => { gesture = false; });
  slider.addEventListener('keydown', (e) => {
    if (e.key === ' ' || e.key === 'Spacebar') {
      e.preventDefault();
      togglePlay();
    } else if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      setPlaying(false);
      const pos = Math.max(0, Math.min(maxPos, Number(slider.value) + (e.key === 'PageUp' ? 12 : -12)));
      goTo(dayAt(pos));
    }
  });
  $('play').addEventListener('click', togglePlay);
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    find($('search').value);
  });
  $('search').addEventListener('input', (e) => {
    // Choosing a suggestion fills the whole label in: go there at once.
    const v = e.target.value.trim().toLowerCase();
    if (v && !e.inputType?.startsWith('insertText') && allSites.some((f) => optionLabel(f.properties).toLowerCase() === v)) find(v);
  });
  // On a phone the panel covers the map; on a wide screen it is always there.
  const toggle = $('panel-toggle');
  const setPanel = (open) => {
    body.classList.toggle('panel-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) $('panel').querySelector('#status-list input')?.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => setPanel(!body.classList.contains('panel-open')));
  $('panel-close').addEventListener('click', () => setPanel(false));
  $('panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && body.classList.contains('panel-open')) setPanel(false);
  });
  share = new ShareDialog($('share-dialog'), { api, links });
  $('share-open').addEventListener('click', () => share.open());
}

async function start() {
  if (!window.L || !window.L.markerClusterGroup) {
    message('The map could not start: its scripts did not load.');
    return;
  }
  const narrow = window.matchMedia('(max-width: 640px)').matches;
  siteMap = new SiteMap($('map'), {
    root,
    tiles: tileConfig(),
    siteAttribution: `Sites: <a href="${escapeHTML(root)}/api.html">dcatlas</a>, sources in each site's history`,
    legendOpen: !narrow && !(embed && window.innerHeight < 420),
    legendPosition: narrow ? 'topright' : 'bottomleft',
    onSelect: (id, { focus }) => select(id, { focus }),
    onClose: (id) => {
      if (state.site === id) {
        state.site = null;
        commit('push');
      }
    },
    onView: (view) => {
      state.view = view;
      commit('replace');
    },
    events: (id) => api.events(id),
  });
  hooks.map = siteMap.map;
  hooks.cluster = siteMap.cluster;
  if (!embed) {
    chart = new TimelineChart($('chart'), {
      pad: 9,
      onPick: (day) => {
        setPlaying(false);
        goTo(dayAt(posOf(day)));
      },
    });
    wireControls();
  }
  try {
    // Start every request the first view needs at once; later calls get the same promises.
    // (Filters are checked against the data first: a filtered request waits for that.)
    if (embed || (!state.countries.length && !state.providers.length)) api.items(itemsQuery(state, state.at)).catch(() => {});
    const everySite = embed ? null : api.items(itemsQuery(defaultState(), null));
    const [collection, timeline] = await Promise.all([api.collection(), embed ? null : api.timeline('')]);
    const interval = collection.extent?.temporal?.interval?.[0] ?? [];
    startMonth = monthStart((interval[0] ?? '2009-01-01').slice(0, 10));
    siteMap.show(state.view, state.view ? null : collection.extent?.spatial?.bbox?.[0]);
    if (!embed) {
      today = timeline.until;
      maxPos = monthsBetween(startMonth, today) + (today === monthStart(today) ? 0 : 1);
      const slider = $('slider');
      slider.max = String(maxPos);
      chart.setData(timeline.changes, startMonth, today);
      allSites = (await everySite).features;
      const names = $('site-names');
      for (const f of [...allSites].sort((a, b) => a.properties.name.localeCompare(b.properties.name))) {
        names.append(new Option(optionLabel(f.properties)));
      }
      // Filters on values no site has would show an empty map: drop them and say so.
      const known = (key) => new Set(allSites.map((f) => f.properties[key]));
      for (const [field, key, what] of [['countries', 'country', 'country'], ['providers', 'provider', 'provider']]) {
        const bad = state[field].filter((v) => !known(key).has(v));
        if (bad.length) {
          state[field] = state[field].filter((v) => known(key).has(v));
          problems.push(`the ${what} ${bad.map((v) => `“${v}”`).join(', ')} (no site there)`);
          history.replaceState(null, '', location.pathname + (toQuery(state) ? `?${toQuery(state)}` : ''));
        }
      }
      buildFilters(timeline);
      if (state.countries.length || state.providers.length) refreshChart();
      const providers = (timeline.providers ?? []).map((p) => p.name);
      if (providers.length && providers.length <= 2) $('tagline').textContent = `${providers.join(' and ')} regions over time`;
    }
  } catch (err) {
    message(`The map could not load its data: ${err.message}`);
    hooks.ready = true;
    return;
  }
  if (problems.length) message(`Ignored ${problems.join('; ')}.`);
  await render();
  if (!state.view) siteMap.fitSites();
  hooks.ready = true;
  hooks.readyAt = performance.now();
  stateChanged();
  window.addEventListener('popstate', () => {
    setPlaying(false);
    ({ state } = parseState(location.search));
    syncFilters();
    if (state.view) siteMap.show(state.view);
    render();
    refreshChart();
  });
}

start();
