// The status rule of geo (geo/state.go, Site.At) for the browser, with the EDTF date windows, site
// filters and counts it needs. A day is a string YYYY-MM-DD, so days compare as strings. The shared
// vectors in geo/testdata/status.json hold this module and geo to the same answers
// (web/status.test.mjs, run by `go test ./web`).

const POINT = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?$/;
const SITE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The longest site id (geo.MaxIDLength). */
export const MAX_ID_LENGTH = 64;

/** Reports whether id is a well-formed site id (geo.ValidID): e.g. alibaba-cn-hangzhou. */
export function validID(id) {
  return typeof id === 'string' && id.length <= MAX_ID_LENGTH && SITE_ID.test(id);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
const lastOfMonth = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Parses one EDTF point (YYYY, YYYY-MM or YYYY-MM-DD, optionally ~ ? %) into its first and last day. */
function point(s) {
  const m = POINT.exec(s);
  if (!m) return null;
  const y = +m[1];
  if (y === 0) return null;
  if (!m[2]) return { earliest: `${m[1]}-01-01`, latest: `${m[1]}-12-31`, qualifier: m[4] ?? '' };
  const mo = +m[2];
  if (mo < 1 || mo > 12) return null;
  const last = lastOfMonth(y, mo);
  if (!m[3]) return { earliest: `${m[1]}-${m[2]}-01`, latest: `${m[1]}-${m[2]}-${pad(last)}`, qualifier: m[4] ?? '' };
  const d = +m[3];
  if (d < 1 || d > last) return null;
  return { earliest: `${m[1]}-${m[2]}-${m[3]}`, latest: `${m[1]}-${m[2]}-${m[3]}`, qualifier: m[4] ?? '' };
}

/**
 * Returns the earliest and latest days an EDTF date of the dataset can mean (geo.Date's Earliest and
 * Latest): "2017" → 2017-01-01..2017-12-31, "2009-09/2011" → 2009-09-01..2011-12-31. Returns null
 * when s is not a date geo accepts.
 */
export function edtfWindow(s) {
  const parts = String(s ?? '').split('/');
  if (parts.length > 2) return null;
  const a = point(parts[0]);
  const b = parts.length === 2 ? point(parts[1]) : a;
  if (!a || !b || b.earliest < a.earliest) return null;
  return { earliest: a.earliest, latest: b.latest };
}

/**
 * Returns a site's events with their windows, { date, status, earliest, latest }, in order, for
 * stateAt. Events whose date is not EDTF are dropped.
 */
export function withWindows(events) {
  const out = [];
  for (const e of events ?? []) {
    const w = edtfWindow(e.date);
    if (w) out.push({ ...e, earliest: w.earliest, latest: w.latest });
  }
  return out;
}

/**
 * Returns a site's state at a day, as geo's Site.At: status, the status of its last event certain
 * by then (its latest day is on or before the day), '' when none is; since, the event that began
 * that status (the first of its last run, so a confirming event does not move it); pending, a
 * later event whose window holds the day and whose status differs (the last such), or null.
 * events are withWindows's.
 */
export function stateAt(events, day) {
  let status = '';
  let since = null;
  let next = 0;
  for (let i = 0; i < events.length; i++) {
    if (events[i].latest > day) break;
    if (events[i].status !== status) {
      status = events[i].status;
      since = events[i];
    }
    next = i + 1;
  }
  let pending = null;
  if (status) {
    for (let i = next; i < events.length; i++) {
      const e = events[i];
      if (e.earliest > day) break;
      if (e.status !== status) pending = e;
    }
  }
  return { status, since, pending };
}

/** Reports whether the text q occurs, ignoring case, in a site's name, city, region code or id (geo's Site.Matches). */
export function textMatch(site, q) {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [site.name, site.city, site.region, site.id].some((f) => f && f.toLowerCase().includes(needle));
}

/**
 * Reports whether a site in state st passes a filter (geo's Filter.Match): { providers, countries,
 * statuses, query }; an empty or missing list selects everything. A site that does not exist never passes.
 */
export function filterMatch(site, st, filter = {}) {
  if (!st.status) return false;
  const has = (list, v) => !list?.length || list.includes(v);
  return has(filter.providers, site.provider) && has(filter.statuses, st.status)
    && has(filter.countries, site.country) && textMatch(site, filter.query ?? '');
}

/** Returns the sites (each with .events from withWindows) that pass filter at day, as { site, state }, in order. */
export function select(sites, day, filter = {}) {
  const out = [];
  for (const site of sites) {
    const state = stateAt(site.events, day);
    if (filterMatch(site, state, filter)) out.push({ site, state });
  }
  return out;
}

/** Returns how many of the selected sites are in each status, and how many have a change pending (geo.Counts). */
export function countsOf(selected) {
  const c = { announced: 0, active: 0, closing: 0, closed: 0, pending: 0 };
  for (const { state } of selected) {
    c[state.status]++;
    if (state.pending) c.pending++;
  }
  return c;
}
