// The viewer's state and its query string, so that every view is a permalink:
//
//   ?at=2018-09-01&compare=2016-01-01&status=active,closing&country=CN&provider=alibaba-cloud&site=alibaba-cn-hangzhou&view=4/30.1/110.2
//
// at is the date (YYYY-MM-DD; YYYY-MM and YYYY are read as their first day; absent means today),
// compare a second date to compare at with (what changed from compare to at), status the statuses
// shown (absent: all; none: no status), country and provider comma-separated filters, site the
// selected site, view the map's zoom/latitude/longitude. Parameters are written in that order. The
// statuses are the vocabulary's, which the server sends in /history.json.

import { parseDay } from './dates.js';
import { validID } from './status.js';

const PROVIDER_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const COUNTRY = /^[A-Za-z]{2}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** Returns the default state: today, every status, no filter, no selection, the default view. */
export function defaultState(statuses) {
  return { at: null, compare: null, statuses: [...statuses], countries: [], providers: [], site: null, view: null };
}

function list(v) {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Reads a state from a query string, with statuses the known statuses in display order. Values it
 * cannot use are left at their default and described in problems, so the page can say what it ignored.
 */
export function parseState(search, statuses) {
  const q = new URLSearchParams(search);
  const state = defaultState(statuses);
  const problems = [];
  for (const key of ['at', 'compare']) {
    if (!q.has(key)) continue;
    const day = parseDay(q.get(key));
    if (day) state[key] = day;
    else problems.push(`the date “${q.get(key)}” (want YYYY-MM-DD)`);
  }
  if (q.has('status')) {
    const want = list(q.get('status'));
    const ok = statuses.filter((s) => want.includes(s));
    const bad = want.filter((s) => !statuses.includes(s) && s !== 'none');
    if (ok.length || (want.length === 1 && want[0] === 'none')) state.statuses = ok;
    if (bad.length) problems.push(`the status ${bad.map((s) => `“${s}”`).join(', ')}`);
  }
  if (q.has('country')) {
    const codes = list(q.get('country'));
    state.countries = [...new Set(codes.filter((c) => COUNTRY.test(c)).map((c) => c.toUpperCase()))].sort();
    if (state.countries.length !== codes.length) problems.push(`the country “${q.get('country')}” (want ISO codes such as CN,HK)`);
  }
  if (q.has('provider')) {
    const ids = list(q.get('provider'));
    state.providers = [...new Set(ids.filter((p) => PROVIDER_ID.test(p)))].sort();
    if (state.providers.length !== ids.length) problems.push(`the provider “${q.get('provider')}”`);
  }
  if (q.has('site')) {
    const id = q.get('site');
    if (validID(id)) state.site = id;
    else problems.push(`the site “${id}”`);
  }
  if (q.has('view')) {
    const view = parseView(q.get('view'));
    if (view) state.view = view;
    else problems.push(`the view “${q.get('view')}” (want zoom/latitude/longitude)`);
  }
  return { state, problems };
}

/** Parses zoom/lat/lng, or returns null. */
export function parseView(v) {
  const parts = String(v).split('/');
  if (parts.length !== 3 || !parts.every((p) => NUMBER.test(p))) return null;
  const [zoom, lat, lng] = parts.map(Number);
  if (zoom < 0 || zoom > 22 || lat < -90 || lat > 90 || lng < -540 || lng > 540) return null;
  return { zoom, lat, lng };
}

/** Writes a view as zoom/lat/lng with the precision the zoom needs. */
export function formatView({ zoom, lat, lng }) {
  const digits = Math.max(2, Math.min(6, Math.ceil(zoom / 3) + 1));
  const z = Math.round(zoom * 100) / 100;
  return `${z}/${lat.toFixed(digits)}/${lng.toFixed(digits)}`;
}

/** Reports whether every status of the vocabulary is shown. */
export function allStatuses(state, statuses) {
  return statuses.every((s) => state.statuses.includes(s));
}

/**
 * Returns the query string (without "?") of a state. With options.at set, that date is written
 * when the state has none (a permalink pins the date); options.view false leaves the view out.
 */
export function toQuery(state, statuses, options = {}) {
  const q = new URLSearchParams();
  const at = state.at ?? options.at;
  if (at) q.set('at', at);
  if (state.compare) q.set('compare', state.compare);
  if (!allStatuses(state, statuses)) q.set('status', state.statuses.length ? state.statuses.join(',') : 'none');
  if (state.countries.length) q.set('country', state.countries.join(','));
  if (state.providers.length) q.set('provider', state.providers.join(','));
  if (state.site) q.set('site', state.site);
  if (state.view && options.view !== false) q.set('view', formatView(state.view));
  // Keep commas and slashes readable: they are safe in a query.
  return q.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
}

/**
 * Returns the query string of a download of what a state shows at a date, in format f, or null
 * when it shows nothing (no status chosen).
 */
export function downloadQuery(state, statuses, at, f) {
  if (!state.statuses.length) return null;
  const q = new URLSearchParams();
  q.set('at', at);
  if (state.countries.length) q.set('country', state.countries.join(','));
  if (state.providers.length) q.set('provider', state.providers.join(','));
  if (!allStatuses(state, statuses)) q.set('status', state.statuses.join(','));
  if (f === 'csv') q.set('f', 'csv');
  q.set('limit', '1000');
  q.set('download', '1');
  return q.toString().replace(/%2C/g, ',');
}
