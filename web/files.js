// The atlas exported as static files (dcatlas export site, package publish): which file answers an
// API request on a page marked data-static. The names are those publish writes.

/**
 * Returns the URL, relative to the page, of the file that answers path?query in a static export;
 * else the live server's URL for it when one is configured; else '' (nothing answers it).
 * Download snapshots exist for the sites of a whole day, with no filter, on the days the export
 * lists in its page (data-snapshot-days, from publish.SnapshotDays): snapshots holds them.
 * @param {string} path @param {string} query @param {string} server
 * @param {Set<string>} [snapshots] YYYY-MM-DD days
 */
export function staticURL(path, query, server, snapshots) {
  const params = new URLSearchParams(query);
  const live = server ? server + path + (query ? `?${query}` : '') : '';
  if (path === '/history.json') return 'history.json';
  if (path === '/timeline' && !query) return 'timeline.json';
  const site = /^\/collections\/sites\/items\/([a-z0-9-]+)$/.exec(path);
  if (site && params.get('properties') === 'events,notes') return `sites/${site[1]}.json`;
  // A link to one site: its file (with its whole history) when no server can answer the query.
  if (site) return live || `sites/${site[1]}.json`;
  if (path === '/collections/sites/items' && params.has('download')) {
    const at = params.get('at') ?? '';
    // A snapshot answers only what it holds: every site of the day, in one page. Any other
    // parameter (a filter, paging, a sort, another format) needs the server.
    const plain = [...params].every(([k, v]) => k === 'at' || k === 'download'
      || (k === 'f' && v === 'csv') || (k === 'limit' && Number(v) >= 1000));
    const dated = Boolean(snapshots?.has(at));
    if (plain && dated) return `downloads/dcatlas-sites-${at}.${params.get('f') === 'csv' ? 'csv' : 'geojson'}`;
  }
  return live;
}

/**
 * Says on which days an export has download snapshots, after "downloads of every site", from the
 * rule the page names (data-snapshots: monthly, yearly or today, see publish.SnapshotDays).
 */
export function snapshotDaysSaid(rule) {
  switch (rule) {
    case 'yearly': return 'on 1 January of each year and today';
    case 'today': return 'for today only';
    default: return 'on the first of each month and today';
  }
}

/** Returns the file of a viewer page in a static export: map is index.html, embed embed.html. */
export function staticPage(page) {
  return page === 'embed' ? 'embed.html' : 'index.html';
}
