// Requests to the dcatlas API. Every request goes to the page's own server, below root. The whole
// history comes in one cacheable request (/history.json); a site's sources and notes when it is opened.
// On a static export (data-static), the export's files answer instead (files.js).

import { staticURL, staticPage } from './files.js';
import { withWindows } from './status.js';

/** An error from the API, with the problem's detail when it sent one. */
export class ApiError extends Error {
  constructor(status, detail, url) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.url = url;
  }
}

export class Api {
  /**
   * @param {string} root the path the service is mounted at, "" at the host's root
   * @param {{static?: boolean, server?: string, snapshots?: string, snapshotDays?: string}} opts
   *   static: the page is a static export, whose files answer (files.js); server: a live server
   *   for what they cannot; snapshotDays: the days (YYYY-MM-DD, separated by spaces) with download
   *   snapshots, and snapshots the rule they follow (monthly, yearly or today)
   */
  constructor(root, { static: isStatic = false, server = '', snapshots = '', snapshotDays = '' } = {}) {
    this.root = root;
    this.static = isStatic;
    this.server = server;
    this.memo = new Map();
    /** On a static export, the rule of the days with download snapshots, and those days. */
    this.snapshotRule = snapshots;
    this.snapshotDays = new Set(snapshotDays.split(' ').filter(Boolean));
  }

  /** Returns the path of an endpoint with a query string ('' when a static export has none). */
  url(path, query = '') {
    if (this.static) return staticURL(path, query, this.server, this.snapshotDays);
    return this.root + path + (query ? `?${query}` : '');
  }

  /** Returns the path of a viewer page, 'map' or 'embed', with a query string. */
  page(name, query = '') {
    const q = query ? `?${query}` : '';
    return this.static ? staticPage(name) + q : `${this.root}/${name}${q}`;
  }

  /** Fetches JSON, throwing an ApiError with the problem detail on a 4xx or 5xx. */
  async json(path, query = '') {
    const url = this.url(path, query);
    if (!url) throw new ApiError(404, 'not in this static copy of the atlas', path);
    const res = await fetch(url, { headers: { Accept: 'application/json, application/geo+json' } });
    if (!res.ok) {
      let detail = '';
      try {
        const p = await res.json();
        detail = [p.detail, p.accepted && `accepted: ${p.accepted}`].filter(Boolean).join('; ');
      } catch {
        // Not a problem document; the status will do.
      }
      throw new ApiError(res.status, detail, url);
    }
    return res.json();
  }

  /** Like json, but each URL is fetched once per page. */
  once(path, query = '') {
    const key = this.url(path, query);
    if (!this.memo.has(key)) {
      const p = this.json(path, query);
      p.catch(() => this.memo.delete(key));
      this.memo.set(key, p);
    }
    return this.memo.get(key);
  }

  /** The whole history: every site with its events, and the display vocabulary. */
  history() {
    return this.once('/history.json');
  }

  /** The OpenAPI document. */
  openAPI() {
    return this.once('/api');
  }

  /** One site's events with their windows and sources, and its notes. */
  async events(id) {
    const doc = await this.once(`/collections/sites/items/${encodeURIComponent(id)}`, 'properties=events,notes');
    return { events: withWindows(doc.properties.events), notes: doc.properties.notes ?? '' };
  }
}
