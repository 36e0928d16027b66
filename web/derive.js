// What every view shows, derived from the state and the history alone: derive(state, history) is
// pure, so the map, the counts, the lists and the chart never disagree, and a state read from a
// permalink shows exactly what its writer saw.

import { withWindows, stateAt, select, countsOf, filterMatch } from './status.js';

/**
 * Prepares the /history.json document for derive: each site's events with their windows, the days
 * at which any count can change, and the first day with a site.
 */
export function prepareHistory(doc) {
  const sites = doc.sites.map((s) => ({ ...s, events: withWindows(s.events.map(([date, status]) => ({ date, status }))) }));
  const days = new Set();
  for (const s of sites) {
    for (const e of s.events) {
      days.add(e.earliest);
      days.add(e.latest);
    }
  }
  const changeDays = [...days].filter((d) => d <= doc.today).sort();
  const first = sites.flatMap((s) => s.events.slice(0, 1).map((e) => e.latest)).sort()[0] ?? doc.today;
  // The providers with a site, in the document's order (one made up from its id when not listed).
  const listed = doc.providers ?? [];
  const withSites = new Set(sites.map((s) => s.provider));
  const providers = [...listed.filter((p) => withSites.has(p.id)),
    ...[...withSites].filter((id) => !listed.some((p) => p.id === id)).map((id) => ({ id, name: id, shortName: id, colour: '' }))];
  return {
    ...doc,
    providers,
    sites,
    byId: new Map(sites.map((s) => [s.id, s])),
    statusOrder: doc.statuses.map((s) => s.status),
    changeDays,
    first,
  };
}

/** The filter of a state without its statuses: what counts are taken over. */
export function placeFilter(state) {
  return { countries: state.countries, providers: state.providers };
}

/**
 * Returns the sites whose status differs between days from and to, among those passing filter, as
 * { site, before, after } (states at from and to), ordered by the date of the change.
 */
export function changesBetween(sites, from, to, filter) {
  const out = [];
  for (const site of sites) {
    const before = stateAt(site.events, from);
    const after = stateAt(site.events, to);
    if (before.status === after.status) continue;
    const seen = after.status ? after : before;
    if ((filter.countries?.length && !filter.countries.includes(site.country))
      || (filter.providers?.length && !filter.providers.includes(site.provider))) continue;
    if (!seen.status) continue;
    out.push({ site, before, after });
  }
  const when = (c) => (c.after.since ?? c.before.since)?.latest ?? '';
  return out.sort((a, b) => when(a).localeCompare(when(b)) || a.site.name.localeCompare(b.site.name));
}

/** Reports whether a status counts as in service (geo.Status.InService): active or closing. */
export function inService(status) {
  return status === 'active' || status === 'closing';
}

/**
 * Returns what the page shows for a state: the day, the sites shown with their states, the counts
 * per status (before the status filter), the counts per country (before the country filter), the
 * sites in service per provider (before the provider filter; as /providers' in_service), whether
 * more than one provider is shown (byProvider: then a symbol's colour is its provider's), the
 * changes from state.compare (or, while playing, from the previous step, state.stepFrom) to the
 * day, and the selected site.
 */
export function derive(state, history) {
  const at = state.at ?? history.today;
  const place = placeFilter(state);
  // Every site's state at the day once (select's), filtered three ways.
  const all = select(history.sites, at);
  const inPlace = all.filter((m) => filterMatch(m.site, m.state, place));
  const shown = inPlace.filter((m) => state.statuses.includes(m.state.status));
  const perCountry = new Map();
  for (const m of all) {
    if (filterMatch(m.site, m.state, { providers: state.providers })) perCountry.set(m.site.country, (perCountry.get(m.site.country) ?? 0) + 1);
  }
  const perProvider = new Map(history.providers.map((p) => [p.id, 0]));
  for (const m of all) {
    if (filterMatch(m.site, m.state, { countries: state.countries }) && inService(m.state.status)) perProvider.set(m.site.provider, (perProvider.get(m.site.provider) ?? 0) + 1);
  }
  const providersShown = state.providers.length ? state.providers.length : history.providers.length;
  const from = state.compare ?? state.stepFrom ?? null;
  const changes = from && from !== at ? changesBetween(history.sites, from, at, place) : [];
  const site = state.site ? history.byId.get(state.site) ?? null : null;
  return {
    at,
    from,
    comparing: Boolean(state.compare),
    shown,
    counts: countsOf(inPlace),
    perCountry,
    perProvider,
    byProvider: providersShown > 1,
    changes,
    changed: new Set(changes.map((c) => c.site.id)),
    site,
    siteState: site ? stateAt(site.events, at) : null,
  };
}

/**
 * Returns the counts per status at every day a count changes, for the sites passing filter, up to
 * until: [{ date, announced, active, closing, closed, pending }], as /timeline's changes.
 */
export function series(history, filter, until) {
  const out = [];
  let last = '';
  for (const day of history.changeDays) {
    if (day > until) break;
    const c = countsOf(select(history.sites, day, filter));
    const key = JSON.stringify(c);
    if (key === last) continue;
    last = key;
    out.push({ date: day, ...c });
  }
  return out;
}

/**
 * Returns the race: for each provider passing filter's countries, the number of its sites in
 * service (active or closing) at every day that number changes, up to until, as /timeline?by=provider
 * gives it: [{ provider, points: [{ date, n }] }], in the history's order of providers.
 */
export function race(history, filter, until) {
  const ids = history.providers.map((p) => p.id);
  const last = new Map(ids.map((id) => [id, -1]));
  const points = new Map(ids.map((id) => [id, []]));
  const sites = history.sites.filter((s) => !filter.countries?.length || filter.countries.includes(s.country));
  for (const day of history.changeDays) {
    if (day > until) break;
    const n = new Map(ids.map((id) => [id, 0]));
    for (const s of sites) {
      if (inService(stateAt(s.events, day).status)) n.set(s.provider, n.get(s.provider) + 1);
    }
    for (const id of ids) {
      if (n.get(id) === last.get(id)) continue;
      // A provider's line starts at its first site in service, as /timeline's does.
      if (last.get(id) === -1 && n.get(id) === 0) continue;
      last.set(id, n.get(id));
      points.get(id).push({ date: day, n: n.get(id) });
    }
  }
  return ids.map((id) => ({ provider: id, points: points.get(id) }));
}
