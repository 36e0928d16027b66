// The views of the viewer besides the map and the chart: the time bar and playback, the counts,
// the filters, the list of what changed, the list of sites, messages, search and selection. Each
// render* function draws from derive's answer; each control changes the store, never a view.

import { formatDay, formatDayShort, formatEDTF, CHANGED_WORDS } from './dates.js';
import { textMatch, stateAt } from './status.js';
import { allStatuses, downloadQuery, toQuery } from './state.js';
import { symbol } from './symbols.js';
import { snapshotDaysSaid } from './files.js';
import { inService } from './derive.js';
import { countryName, el, placeName, reducedMotion } from './map.js';

const $ = (id) => document.getElementById(id);

/** A full play of the whole history takes this long at speed 1. */
export const PLAY_MS = 25000;

// --- messages -------------------------------------------------------------------------------------

/** Shows a message over the map, with an optional action button. */
export function message(text, action) {
  const box = $('map-message');
  box.replaceChildren();
  if (!text) {
    box.classList.remove('is-shown');
    return;
  }
  box.append(el('p', null, text));
  if (action) {
    const b = el('button', 'btn btn-small', action.label);
    b.type = 'button';
    b.addEventListener('click', () => { message(''); action.run(); });
    box.append(b);
  }
  const close = el('button', 'btn btn-icon btn-small', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => message(''));
  box.append(close);
  box.classList.add('is-shown');
}

// --- playback -------------------------------------------------------------------------------------

/** Plays the history month by month, one step per stepMs, on animation frames, measuring them. */
export class Player {
  constructor(ctx) {
    this.ctx = ctx;
    this.playing = false;
    this.speed = 1;
    this.frames = [];
    this.raf = 0;
  }

  stepMs() {
    return PLAY_MS / Math.max(1, this.ctx.time.max) / this.speed;
  }

  start() {
    if (this.playing) return;
    const { store, time, history } = this.ctx;
    const at = store.derived.at;
    let pos = time.posOf(at);
    if (pos >= time.max || at < history.first) {
      pos = time.posOf(history.first);
      store.update({ at: time.dayAt(pos), stepFrom: null }, 'push');
    } else {
      store.writeURL('push');
    }
    this.playing = true;
    this.frames = [];
    this.pos = pos;
    // The clock starts at the first frame: rendering the first step is not playing time, and a
    // slow first render must not skip the first months.
    let last = null;
    let acc = 0;
    const tick = (now) => {
      if (!this.playing) return;
      if (last === null) {
        last = now;
        this.raf = requestAnimationFrame(tick);
        return;
      }
      const dt = now - last;
      last = now;
      this.frames.push(dt);
      acc += dt;
      if (acc >= this.stepMs()) {
        // A slow frame moves on by as many months as its time holds: a play keeps its length.
        const from = time.dayAt(this.pos);
        while (acc >= this.stepMs() && this.pos < time.max) {
          acc -= this.stepMs();
          this.pos++;
        }
        store.update({ at: time.dayAt(this.pos), stepFrom: from }, 'replace');
        if (this.pos >= time.max) {
          this.stop();
          return;
        }
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
    store.schedule();
  }

  stop() {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.ctx.store.schedule();
  }

  toggle() {
    if (this.playing) this.stop();
    else this.start();
  }
}

// --- time -----------------------------------------------------------------------------------------

export function renderTime(ctx, d) {
  const label = $('date-label');
  label.textContent = formatDay(d.at);
  label.dateTime = d.at;
  const play = $('play');
  if (play) {
    play.classList.toggle('is-playing', ctx.player.playing);
    play.setAttribute('aria-label', ctx.player.playing ? 'Pause' : 'Play: step through time month by month');
    play.setAttribute('aria-pressed', String(ctx.player.playing));
  }
  const slider = $('slider');
  if (!slider) return;
  slider.value = String(ctx.time.posOf(d.at));
  slider.setAttribute('aria-valuetext', formatDay(d.at));
}

/** Moves by n months (the slider's steps) as the user's action. */
function stepBy(ctx, n) {
  ctx.player.stop();
  const { time, store } = ctx;
  const pos = Math.max(0, Math.min(time.max, time.posOf(store.derived.at) + n));
  store.update({ at: time.dayAt(pos), stepFrom: store.derived.at }, 'push');
}

// --- counts ---------------------------------------------------------------------------------------

export function renderCounts(ctx, d, st) {
  const box = $('counts');
  // Built once, then only the numbers change: a playback step rebuilds nothing here.
  if (!box.children.length) {
    for (const s of ctx.vocab.order) {
      const span = el('span', `count count-${s}`);
      span.dataset.status = s;
      span.insertAdjacentHTML('afterbegin', symbol(s, { size: 16 }));
      span.append(el('strong'), el('span', 'count-word', ` ${ctx.vocab.label(s).toLowerCase()}`));
      box.append(span);
    }
    if (!ctx.embed) box.append(el('span', 'count count-pending'));
  }
  for (const span of box.children) {
    const s = span.dataset.status;
    if (!s) {
      span.hidden = !d.counts.pending;
      span.dataset.count = String(d.counts.pending);
      const text = `(${d.counts.pending} pending)`;
      if (span.textContent !== text) span.textContent = text;
      continue;
    }
    const n = String(d.counts[s]);
    if (span.dataset.count !== n) {
      span.dataset.count = n;
      span.querySelector('strong').textContent = n;
    }
    span.hidden = ctx.embed && !d.counts[s]; // the embed keeps its bar small
    span.classList.toggle('is-hidden', !st.statuses.includes(s));
  }
  box.dataset.total = String(d.shown.length);
}

// --- providers ------------------------------------------------------------------------------------

/**
 * Toggles a provider in the provider filter: the first choice shows it alone, further ones add to
 * it, and choosing every provider is no filter at all.
 */
export function toggleProvider(ctx, id) {
  const { store, history } = ctx;
  const cur = store.state.providers;
  let next = cur.includes(id) ? cur.filter((p) => p !== id) : [...cur, id].sort();
  if (next.length === history.providers.length) next = [];
  store.update({ providers: next }, 'push');
}

/**
 * The provider legend: each provider's sites in service at the date (with the country filter), as
 * buttons that toggle the provider filter. In the order of today's counts, so nothing moves while
 * playing. Absent with a single provider.
 */
export function renderProviders(ctx, d, st) {
  const box = $('provider-legend');
  if (!box || ctx.history.providers.length < 2) return;
  buildProviders(ctx);
  for (const b of box.children) {
    const n = d.perProvider.get(b.dataset.provider) ?? 0;
    const strong = b.querySelector('.n');
    if (strong.textContent !== String(n)) strong.textContent = String(n);
    b.dataset.count = String(n);
    const pressed = String(st.providers.includes(b.dataset.provider));
    if (b.getAttribute('aria-pressed') !== pressed) b.setAttribute('aria-pressed', pressed);
    b.classList.toggle('is-off', st.providers.length > 0 && !st.providers.includes(b.dataset.provider));
  }
}

/**
 * Builds the provider legend's entries, once, without counts: app.js calls it before the map
 * measures its container, so the time bar has its final height from the start. ctx needs only
 * history and store.
 */
export function buildProviders(ctx) {
  const box = $('provider-legend');
  if (!box || box.children.length || ctx.history.providers.length < 2) return;
  const today = derivedToday(ctx);
  const order = [...ctx.history.providers].sort((a, b) => (today.get(b.id) ?? 0) - (today.get(a.id) ?? 0) || a.name.localeCompare(b.name));
  for (const p of order) {
    const b = el('button', `btn btn-small provider-chip pv-${p.id}`);
    b.type = 'button';
    b.dataset.provider = p.id;
    b.insertAdjacentHTML('afterbegin', '<svg class="swatch" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" rx="2" class="c-fill"/></svg>');
    b.append(el('span', 'provider-name', p.shortName), ' ', el('strong', 'n'));
    b.title = `${p.name}: regions in service at the date; select to show or hide`;
    b.addEventListener('click', () => toggleProvider(ctx, p.id));
    box.append(b);
  }
  box.hidden = false;
}

/** The sites in service per provider today (without filters). */
function derivedToday(ctx) {
  const n = new Map();
  for (const s of ctx.history.sites) {
    if (inService(stateAt(s.events, ctx.history.today).status)) n.set(s.provider, (n.get(s.provider) ?? 0) + 1);
  }
  return n;
}

// --- filters --------------------------------------------------------------------------------------

function buildFilters(ctx) {
  const { vocab, history, store } = ctx;
  const list = $('status-list');
  for (const s of vocab.order) {
    const li = el('li');
    li.dataset.status = s;
    const label = el('label');
    const box = el('input');
    box.type = 'checkbox';
    box.name = 'status';
    box.value = s;
    label.append(box);
    label.insertAdjacentHTML('beforeend', symbol(s, { size: 20 }));
    label.append(el('span', 'status-name', vocab.label(s)), el('span', 'n', '–'));
    li.append(label);
    list.append(li);
  }
  list.addEventListener('change', () => {
    store.update({ statuses: vocab.order.filter((s) => list.querySelector(`input[value="${s}"]`).checked) }, 'push');
  });
  const csel = $('country');
  const countries = [...new Set(history.sites.map((s) => s.country))]
    .map((c) => ({ c, name: countryName(c) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const { c, name } of countries) {
    const o = new Option(`${name} (${c})`, c);
    o.dataset.name = `${name} (${c})`;
    csel.append(o);
  }
  const psel = $('provider');
  for (const p of history.providers) psel.append(new Option(p.name, p.id));
  const onSelect = () => {
    store.update({ countries: csel.value ? csel.value.split(',') : [], providers: psel.value ? psel.value.split(',') : [] }, 'push');
  };
  csel.addEventListener('change', onSelect);
  psel.addEventListener('change', onSelect);
  $('clear-filters').addEventListener('click', () => store.update({ statuses: [...vocab.order], countries: [], providers: [] }, 'push'));
  const compareOn = $('compare-on');
  const compare = $('compare');
  compare.min = ctx.time.start;
  compare.max = history.today;
  const setCompare = () => {
    compare.disabled = !compareOn.checked;
    const day = compareOn.checked && /^\d{4}-\d{2}-\d{2}$/.test(compare.value) ? compare.value : null;
    if (day !== store.state.compare) store.update({ compare: day }, 'push');
  };
  compareOn.addEventListener('change', () => {
    if (compareOn.checked && !compare.value) compare.value = ctx.time.dayAt(Math.max(0, ctx.time.posOf(store.derived.at) - 12));
    setCompare();
  });
  compare.addEventListener('change', setCompare);
}

/** Makes a select show a list of values, adding an option for a combination it lacks. */
function selectValues(sel, values) {
  const v = values.join(',');
  if (v && ![...sel.options].some((o) => o.value === v)) sel.append(new Option(values.join(', '), v));
  if (sel.value !== v) sel.value = v;
}

export function renderFilters(ctx, d, st) {
  if (!$('status-list').children.length) buildFilters(ctx);
  for (const li of $('status-list').children) {
    li.querySelector('input').checked = st.statuses.includes(li.dataset.status);
    li.querySelector('.n').textContent = String(d.counts[li.dataset.status]);
  }
  // Counts per country at the date (with the provider filter): "China (CN) · 12".
  for (const o of $('country').options) {
    if (!o.dataset.name) continue;
    const n = d.perCountry.get(o.value) ?? 0;
    const text = `${o.dataset.name} · ${n}`;
    if (o.textContent !== text) o.textContent = text;
  }
  selectValues($('country'), st.countries);
  selectValues($('provider'), st.providers);
  $('clear-filters').hidden = allStatuses(st, ctx.vocab.order) && !st.countries.length && !st.providers.length;
  const compareOn = $('compare-on');
  compareOn.checked = Boolean(st.compare);
  $('compare').disabled = !st.compare;
  if (st.compare) $('compare').value = st.compare;
  let files = 0;
  for (const f of ['geojson', 'csv']) {
    const a = $(`download-${f}`);
    const q = downloadQuery(st, ctx.vocab.order, d.at, f);
    // A static export without a server has a file only for a whole day it lists (data-snapshot-days).
    const href = q ? ctx.api.url('/collections/sites/items', q) : '';
    a.hidden = !href;
    if (href) {
      a.href = href;
      files++;
    }
  }
  const n = d.shown.length;
  $('downloads-summary').textContent = !st.statuses.length
    ? 'No status is chosen above, so there is nothing to download.'
    : files ? `${n} site${n === 1 ? '' : 's'} on ${formatDay(d.at)}, with the filters above.`
      : `This copy of the atlas has downloads of every site ${snapshotDaysSaid(ctx.api.snapshotRule)}, without filters.`;
}

// --- what changed ---------------------------------------------------------------------------------

function siteButton(ctx, site, text) {
  const b = el('button', 'btn-link site-link', text ?? site.name);
  b.type = 'button';
  b.dataset.site = site.id;
  b.addEventListener('click', () => select(ctx, site.id, { fly: true, focus: true }));
  return b;
}

export function renderChanges(ctx, d) {
  const box = $('changes');
  const head = $('changes-title');
  const summary = $('changes-summary');
  const list = $('changes-list');
  if (!d.from) {
    head.textContent = 'What changed';
    summary.textContent = 'Play, step or compare two dates to see what opened, closed or was announced.';
    list.replaceChildren();
    box.classList.remove('has-changes');
    return;
  }
  const a = d.from < d.at ? d.from : d.at;
  const b = d.from < d.at ? d.at : d.from;
  head.textContent = d.comparing ? 'Compare two dates' : 'What changed';
  const byKind = {};
  for (const c of d.changes) byKind[c.after.status || 'gone'] = (byKind[c.after.status || 'gone'] ?? 0) + 1;
  const parts = ctx.vocab.order.filter((s) => byKind[s]).map((s) => `${byKind[s]} ${CHANGED_WORDS[s]}`);
  const unchanged = d.comparing ? ` · ${d.shown.length - d.changes.filter((c) => c.after.status).length} unchanged` : '';
  summary.textContent = `${formatDayShort(a)} → ${formatDayShort(b)}: ${parts.length ? parts.join(', ') : 'no change'}${unchanged}`;
  const items = [];
  const max = 30;
  for (const c of d.changes.slice(0, max)) {
    const li = el('li', 'change');
    const ev = c.after.since ?? c.before.since;
    li.insertAdjacentHTML('afterbegin', symbol(c.after.status || c.before.status, { size: 16 }));
    const what = c.after.status ? (c.before.status ? `${CHANGED_WORDS[c.after.status]} (was ${ctx.vocab.label(c.before.status).toLowerCase()})` : CHANGED_WORDS[c.after.status]) : 'not there yet';
    li.append(siteButton(ctx, c.site), ` ${placeName(c.site)} · ${what} · `, el('span', 'change-date', formatEDTF(ev?.date ?? '')));
    items.push(li);
  }
  if (d.changes.length > max) items.push(el('li', 'hint', `and ${d.changes.length - max} more`));
  list.replaceChildren(...items);
  box.classList.toggle('has-changes', d.changes.length > 0);
}

// --- the list of sites ----------------------------------------------------------------------------

const COLUMNS = [
  ['name', 'Name', (m) => m.site.name.toLowerCase()],
  ['country', 'Country', (m) => m.site.country],
  ['status', 'Status', (m) => m.state.status],
  ['since', 'Since', (m) => m.state.since?.latest ?? ''],
];

/** The list's own view state: its sort and what it last drew. */
export function listState() {
  return { sort: { key: 'name', dir: 1 }, key: '', drawnAt: 0, rows: new Map() };
}

export function renderList(ctx, d) {
  const ui = ctx.list;
  const table = $('site-list');
  if (!table) return;
  const q = $('list-q').value.trim();
  // While playing, the list follows at most a few times a second.
  const key = JSON.stringify([d.at, q, ui.sort, d.shown.length, ctx.store.state.statuses, d.byProvider]);
  if (key === ui.key) return;
  if (ctx.player.playing && ui.key && performance.now() - ui.drawnAt < 400) return;
  ui.drawnAt = performance.now();
  ui.key = key;
  const listSort = ui.sort;
  const order = new Map(ctx.vocab.order.map((s, i) => [s, i]));
  const col = COLUMNS.find((c) => c[0] === listSort.key);
  const rows = d.shown.filter((m) => textMatch(m.site, q) || countryName(m.site.country).toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => {
      const va = col[0] === 'status' ? order.get(a.state.status) : col[2](a);
      const vb = col[0] === 'status' ? order.get(b.state.status) : col[2](b);
      return (va < vb ? -1 : va > vb ? 1 : 0) * listSort.dir || a.site.name.localeCompare(b.site.name);
    });
  const thead = table.tHead;
  for (const th of thead.rows[0].cells) {
    th.setAttribute('aria-sort', th.dataset.key === listSort.key ? (listSort.dir > 0 ? 'ascending' : 'descending') : 'none');
  }
  const tbody = table.tBodies[0];
  // A site's row is made again only when its status changes: a playback step reorders rows.
  tbody.replaceChildren(...rows.map((m) => {
    const rowKey = `${d.byProvider}:${m.state.status}:${m.state.pending?.status ?? ''}:${m.state.pending?.date ?? ''}:${m.state.since?.date ?? ''}`;
    const cached = ui.rows.get(m.site.id);
    if (cached?.key === rowKey) return cached.tr;
    const tr = el('tr');
    ui.rows.set(m.site.id, { key: rowKey, tr });
    const name = el('td');
    name.append(siteButton(ctx, m.site), el('span', 'list-city', placeName(m.site)));
    const country = el('td', null, m.site.country);
    country.title = countryName(m.site.country);
    const status = el('td', 'list-status');
    status.insertAdjacentHTML('afterbegin', symbol(m.state.status, { size: 14, pending: Boolean(m.state.pending), provider: d.byProvider ? m.site.provider : null }));
    status.append(` ${ctx.vocab.label(m.state.status)}`);
    const since = el('td', 'num', m.state.since ? m.state.since.latest.slice(0, 7) : '');
    if (m.state.since) since.title = formatEDTF(m.state.since.date);
    tr.append(name, country, status, since);
    return tr;
  }));
  $('list-count').textContent = `${rows.length} of ${d.shown.length} site${d.shown.length === 1 ? '' : 's'} on ${formatDayShort(d.at)}`;
}

function wireList(ctx) {
  const table = $('site-list');
  if (!table) return;
  for (const th of table.tHead.rows[0].cells) {
    const b = th.querySelector('button');
    b.addEventListener('click', () => {
      const cur = ctx.list.sort;
      ctx.list.sort = { key: th.dataset.key, dir: cur.key === th.dataset.key ? -cur.dir : 1 };
      ctx.store.schedule();
    });
  }
  $('list-q').addEventListener('input', () => ctx.store.schedule());
}

// --- selection and search -------------------------------------------------------------------------

/** Opens the selected site's card when it is on the map; says why when it is not. */
export function restoreSelection(ctx, d, st) {
  const { siteMap } = ctx;
  if (!st.site) {
    if (siteMap.popupSite) siteMap.close();
    return;
  }
  if (siteMap.has(st.site)) {
    // A shared view stays exactly as shared; without one, the card pans into sight.
    if (siteMap.popupSite !== st.site) siteMap.open(st.site, { pan: !st.view });
    return;
  }
  if (siteMap.popupSite) siteMap.close();
  if (ctx.explained !== st.site && !ctx.player.playing) {
    ctx.explained = st.site;
    explainHidden(ctx, st.site, d);
  }
}

export function select(ctx, id, { fly = false, focus = false } = {}) {
  const { store, siteMap } = ctx;
  store.update({ site: id }, 'push', { quiet: true });
  if (siteMap.has(id)) {
    message('');
    siteMap.open(id, { fly, focus });
  } else {
    ctx.explained = id;
    explainHidden(ctx, id, store.derived);
  }
}

/** Says why a site is not on the map, with a way to show it. */
function explainHidden(ctx, id, d) {
  const { store, history, vocab, siteMap, embed } = ctx;
  const at = d.at;
  const site = history.byId.get(id);
  if (!site) {
    message(embed ? `The site “${id}” is not on this map on ${formatDay(at)}.` : `There is no site “${id}”.`);
    return;
  }
  const st = stateAt(site.events, at);
  const after = () => queueMicrotask(() => siteMap.open(id, { fly: true }));
  const filtered = (store.state.countries.length && !store.state.countries.includes(site.country))
    || (store.state.providers.length && !store.state.providers.includes(site.provider));
  if (st.status && filtered) {
    message(`${site.name} is hidden by the country or provider filter.`, {
      label: 'Clear filters',
      run: () => { store.update({ countries: [], providers: [] }, 'push'); after(); },
    });
    return;
  }
  if (st.status) {
    message(`${site.name} is ${vocab.label(st.status).toLowerCase()} on ${formatDay(at)}, and ${st.status} sites are hidden.`, {
      label: 'Show every status',
      run: () => { store.update({ statuses: [...vocab.order] }, 'push'); after(); },
    });
    return;
  }
  const first = site.events[0];
  if (!first) {
    message(`${site.name} is not on the map on ${formatDay(at)}.`);
    return;
  }
  const verb = first.earliest <= at ? 'may not exist yet' : 'does not exist yet';
  message(`${site.name} ${verb} on ${formatDay(at)}: it was first ${first.status} ${formatEDTF(first.date)}.`, {
    label: `Go to ${formatDayShort(first.latest)}`,
    run: () => { store.update({ at: first.latest }, 'push'); after(); },
  });
}

function optionLabel(s) {
  return s.region ? `${s.name} — ${s.region}` : s.name;
}

function find(ctx, text) {
  const q = text.trim().toLowerCase();
  if (!q) return;
  const sites = ctx.history.sites;
  const fields = (s) => [s.name, s.region, s.city, s.id].filter(Boolean).map((v) => v.toLowerCase());
  const site = sites.find((s) => optionLabel(s).toLowerCase() === q)
    ?? sites.find((s) => fields(s).includes(q))
    ?? sites.find((s) => textMatch(s, q));
  if (!site) {
    message(`No site matches “${text.trim()}”. Try a city, a country's name or a region code such as cn-hangzhou.`);
    return;
  }
  select(ctx, site.id, { fly: true, focus: true });
}

/** The links that show the current view, for the share dialog. */
export function links(ctx) {
  const { store, siteMap, vocab, root, api } = ctx;
  const at = store.derived.at;
  const st = store.state;
  const view = st.view ?? siteMap.view();
  const q = toQuery({ ...st, view }, vocab.order, { at });
  const origin = location.origin;
  const c = siteMap.map.getCenter();
  const lng = ((((c.lng + 180) % 360) + 360) % 360) - 180;
  const center = `${lng.toFixed(4)},${Math.max(-85, Math.min(85, c.lat)).toFixed(4)}`;
  const zoom = String(Math.round(siteMap.map.getZoom() * 100) / 100);
  const params = { at };
  if (!allStatuses(st, vocab.order)) params.status = st.statuses.join(',');
  if (st.countries.length) params.country = st.countries.join(',');
  if (st.providers.length) params.provider = st.providers.join(',');
  return {
    // Where the API is: this server, or on a static export the live server it names ('' for none).
    apiBase: api.static ? api.server : origin + root,
    query: q,
    map: new URL(api.page('map', q), location.href).href,
    embed: new URL(api.page('embed', q), location.href).href,
    params,
    center,
    zoom,
    title: `Map of cloud data-center regions on ${formatDay(at)}`,
  };
}

// --- wiring ---------------------------------------------------------------------------------------

export function wire(ctx) {
  const { store, time, player, history } = ctx;
  const play = $('play');
  play?.addEventListener('click', () => player.toggle());
  if (ctx.embed) {
    if (play && new URLSearchParams(location.search).get('controls') === 'play') play.hidden = false;
    return;
  }
  const slider = $('slider');
  slider.max = String(time.max);
  let gesture = false;
  slider.addEventListener('input', () => {
    player.stop();
    store.update({ at: time.dayAt(Number(slider.value)), stepFrom: store.derived.at }, gesture ? 'replace' : 'push');
    gesture = true;
  });
  slider.addEventListener('change', () => { gesture = false; });
  slider.addEventListener('keydown', (e) => {
    if (e.key === ' ' || e.key === 'Spacebar') {
      e.preventDefault();
      player.toggle();
    } else if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      stepBy(ctx, e.key === 'PageUp' ? 12 : -12);
    }
  });
  for (const [id, n] of [['back-year', -12], ['back-month', -1], ['next-month', 1], ['next-year', 12]]) {
    $(id).addEventListener('click', () => stepBy(ctx, n));
  }
  const speed = $('speed');
  speed.addEventListener('change', () => { player.speed = Number(speed.value) || 1; });
  // Keys anywhere outside a field: [ and ] step a month, { and } a year, p plays.
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.('input, select, textarea, button, dialog, .leaflet-popup, [contenteditable]')) return;
    const n = { '[': -1, ']': 1, '{': -12, '}': 12 }[e.key];
    if (n) stepBy(ctx, n);
    else if (e.key === 'p' || e.key === 'k') player.toggle();
  });
  const names = $('site-names');
  for (const s of [...history.sites].sort((a, b) => a.name.localeCompare(b.name))) names.append(new Option(optionLabel(s)));
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    find(ctx, $('search').value);
  });
  $('search').addEventListener('input', (e) => {
    const v = e.target.value.trim().toLowerCase();
    if (v && !e.inputType?.startsWith('insertText') && history.sites.some((s) => optionLabel(s).toLowerCase() === v)) find(ctx, v);
  });
  const toggle = $('panel-toggle');
  const setPanel = (open) => {
    document.body.classList.toggle('panel-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) $('panel').querySelector('#status-list input')?.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => setPanel(!document.body.classList.contains('panel-open')));
  $('panel-close').addEventListener('click', () => setPanel(false));
  $('panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && document.body.classList.contains('panel-open')) setPanel(false);
  });
  $('share-open').addEventListener('click', () => ctx.share.open());
  wireList(ctx);
  if (reducedMotion()) document.body.classList.add('reduced-motion');
}
