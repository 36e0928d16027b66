// Requests to the dcatlas API. Every request goes to the page's own server, below root; on a static
// export (data-static), to its files instead (files.js).

import { staticURL } from './files.js';

/** Properties the map needs of each site; the full history is fetched when a site is opened. */
export const LIST_PROPERTIES = ['name', 'provider', 'region', 'city', 'country', 'partner', 'zones',
  'status', 'status_date', 'pending_status', 'pending_date', 'announced', 'opened', 'closing', 'closed'];

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
   * @param {{static?: boolean, server?: string}} opts static: the page is a static export, whose
   *   files answer (files.js); server: a live server for what they cannot
   */
  constructor(root, { static: isStatic = false, server = '' } = {}) {
    this.root = root;
    this.static = isStatic;
    this.server = server;
    this.memo = new Map();
  }

  /** Returns the path of an endpoint with a query string ('' when a static export has none). */
  url(path, query = '') {
    if (this.static) return staticURL(path, query, this.server);
    return this.root + path + (query ? `?${query}` : '');
  }

  /** Fetches JSON, throwing an ApiError with the problem detail on a 4xx or 5xx. */
  async json(path, query = '', { signal } = {}) {
    const url = this.url(path, query);
    if (!url) throw new ApiError(404, 'not in this static copy of the atlas', path);
    const res = await fetch(url, { headers: { Accept: 'application/json, application/geo+json' }, signal });
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

  /** The sites collection document, with its extents. */
  collection() {
    return this.once('/collections/sites');
  }

  /** The OpenAPI document. */
  openAPI() {
    return this.once('/api');
  }

  /**
   * Every site matching query (an items query string without paging), following next links, so a
   * dataset larger than one page still shows whole. Returns { at, numberMatched, features }.
   */
  async items(query) {
    const key = this.url('/collections/sites/items', query);
    if (this.memo.has(key)) return this.memo.get(key);
    const load = async () => {
      const features = [];
      let doc;
      let offset = 0;
      do {
        const q = `${query}&limit=1000&properties=${LIST_PROPERTIES.join(',')}${offset ? `&offset=${offset}` : ''}`;
        doc = await this.json('/collections/sites/items', q);
        features.push(...doc.features);
        offset += doc.numberReturned;
      } while (doc.numberReturned > 0 && features.length < doc.numberMatched);
      return { at: doc.at, numberMatched: doc.numberMatched, features };
    };
    const p = load();
    p.catch(() => this.memo.delete(key));
    this.memo.set(key, p);
    // Keep the memo small: playback visits hundreds of dates.
    if (this.memo.size > 400) this.memo.delete(this.memo.keys().next().value);
    return p;
  }

  /** One site's events, with their sources. */
  async events(id) {
    const doc = await this.once(`/collections/sites/items/${encodeURIComponent(id)}`, 'properties=events,notes');
    return { events: doc.properties.events ?? [], notes: doc.properties.notes ?? '' };
  }

  /** Counts per status at every change, for the filters in query; with provider names. */
  timeline(query) {
    return this.once('/timeline', query ? `by=provider&${query}` : 'by=provider');
  }
}
