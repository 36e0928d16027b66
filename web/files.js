// The atlas exported as static files (dcatlas export site, package publish): which file answers an
// API request on a page marked data-static. The names are those publish writes.

/**
 * Returns the URL, relative to the page, of the file that answers path?query in a static export;
 * else the live server's URL for it when one is configured; else '' (nothing answers it).
 * @param {string} path @param {string} query @param {string} server
 */
export function staticURL(path, query, server) {
  const params = new URLSearchParams(query);
  if (path === '/history.json') return 'history.json';
  const site = /^\/collections\/sites\/items\/([a-z0-9-]+)$/.exec(path);
  if (site && params.get('properties') === 'events,notes') return `sites/${site[1]}.json`;
  if (path === '/collections/sites/items' && params.has('download')) {
    return params.get('f') === 'csv' ? 'downloads/dcatlas-sites.csv' : 'downloads/dcatlas-sites.geojson';
  }
  return server ? server + path + (query ? `?${query}` : '') : '';
}
