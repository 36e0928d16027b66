// The Leaflet map: base map, site markers styled by status, clusters, legend and the site popup.

import { symbol, pendingSymbol, clusterSymbol } from './symbols.js';
import { STATUSES } from './state.js';
import { STATUS_WORDS, formatDay, formatEDTF, edtfWindow, pendingPhrase } from './dates.js';

/** Reports whether u is an http(s) URL, the only kind a source link may open. */
function isWebURL(u) {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}

const L = window.L;

/** A div icon that names itself for assistive technology (Leaflet markers are buttons). */
const LabeledIcon = L.DivIcon.extend({
  createIcon(old) {
    const el = L.DivIcon.prototype.createIcon.call(this, old);
    if (this.options.label) el.setAttribute('aria-label', this.options.label);
    return el;
  },
});

/** Returns the words a marker or cluster is read as. */
export function siteLabel(p) {
  let s = `${p.name}: ${STATUS_WORDS[p.status]?.label.toLowerCase() ?? p.status}`;
  if (p.pending_status) s += `, ${pendingPhrase(p.pending_status, p.pending_date)}`;
  return s;
}

function siteIcon(p) {
  const pending = Boolean(p.pending_status);
  return new LabeledIcon({
    html: symbol(p.status, { pending, size: 26 }),
    className: `site-marker status-${p.status}${pending ? ' is-pending' : ''}`,
    iconSize: [26, 26],
    iconAnchor: [13, 13],
    label: siteLabel(p),
  });
}

function clusterIcon(cluster) {
  const counts = {};
  for (const m of cluster.getAllChildMarkers()) counts[m.site.status] = (counts[m.site.status] || 0) + 1;
  const n = cluster.getChildCount();
  const size = n < 10 ? 36 : n < 50 ? 42 : 48;
  const parts = STATUSES.filter((s) => counts[s]).map((s) => `${counts[s]} ${STATUS_WORDS[s].label.toLowerCase()}`);
  return new LabeledIcon({
    html: clusterSymbol(counts, STATUSES, size),
    className: 'site-cluster',
    iconSize: [size, size],
    label: `Group of ${n} sites (${parts.join(', ')}); select to zoom in`,
  });
}

/** Creates an element with a class and text. */
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : null;

/** Returns a country's English name from its ISO code, or the code. */
export function countryName(code) {
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** The legend: status symbols, the pending mark and clusters. */
const Legend = L.Control.extend({
  options: { position: 'topright', open: true },
  onAdd() {
    const div = L.DomUtil.create('div', 'legend leaflet-control');
    const details = el('details');
    details.open = this.options.open;
    const summary = el('summary', null, 'Legend');
    const ul = el('ul');
    const item = (svg, text) => {
      const li = el('li');
      li.insertAdjacentHTML('afterbegin', svg);
      li.append(el('span', null, text));
      ul.append(li);
    };
    item(symbol('active', { size: 20 }), 'Active');
    item(symbol('announced', { size: 20 }), 'Announced');
    item(symbol('closing', { size: 20 }), 'Closing down');
    item(symbol('closed', { size: 20 }), 'Closed');
    item(pendingSymbol(20), 'Change pending, date open');
    item(clusterSymbol({ active: 2, announced: 1, closing: 1 }, STATUSES, 20, ''), 'Group of sites');
    details.append(summary, ul);
    div.append(details);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  },
});

export class SiteMap {
  /**
   * @param {HTMLElement} container
   * @param {object} opts tiles {url, attribution, attributionURL, maxZoom}, root, legendOpen, and the
   *   hooks onSelect(id, {focus}) (a marker was chosen), onClose() (the user closed the popup),
   *   onView(view) (the user moved the map), events(id) → Promise of {events, notes}
   */
  constructor(container, opts) {
    this.opts = opts;
    this.markers = new Map();
    this.sites = new Map();
    this.at = null;
    this.silent = 0;
    this.popupSite = null;
    const narrow = container.clientWidth < 640;
    const map = L.map(container, {
      minZoom: narrow ? 0 : 1,
      // A phone shows the whole world at a zoom between 1 and 2.
      zoomSnap: narrow ? 0.5 : 1,
      maxZoom: opts.tiles.maxZoom,
      worldCopyJump: true,
      zoomControl: true,
      attributionControl: true,
    });
    this.map = map;
    map.attributionControl.addAttribution(opts.siteAttribution);
    L.tileLayer(opts.tiles.url, {
      attribution: opts.tiles.attribution,
      maxZoom: opts.tiles.maxZoom,
      minZoom: 0,
      tileSize: 256,
      crossOrigin: false,
    }).addTo(map);
    this.cluster = L.markerClusterGroup({
      maxClusterRadius: 36,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      zoomToBoundsOnClick: true,
      iconCreateFunction: clusterIcon,
    }).addTo(map);
    // A cluster is a button too: Enter or Space zooms in to its sites, as a click does.
    this.cluster.on('clusterkeydown', (e) => {
      const k = e.originalEvent?.key;
      if (k !== 'Enter' && k !== ' ') return;
      e.originalEvent.preventDefault();
      const bounds = e.layer.getBounds();
      this.map.once('moveend', () => container.focus({ preventScroll: true }));
      if (e.layer.getAllChildMarkers().every((m) => m.getLatLng().equals(bounds.getCenter())) || map.getZoom() >= map.getMaxZoom()) {
        e.layer.spiderfy();
      } else {
        e.layer.zoomToBounds({ padding: [40, 40] });
      }
    });
    new Legend({ open: opts.legendOpen, position: opts.legendPosition }).addTo(map);
    this.popup = L.popup({
      className: 'site-popup',
      maxWidth: 380,
      minWidth: 260,
      maxHeight: 400,
      offset: [0, -4],
      autoPanPadding: [20, 20],
      closeOnEscapeKey: true,
    });
    this.returnFocus = null;
    this.popup.on('add', () => {
      // Escape closes the popup from inside it too, not only when the map has the focus.
      const el = this.popup.getElement();
      if (el && !el.dataset.keys) {
        el.dataset.keys = 'on';
        el.addEventListener('keydown', (e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            this.map.closePopup(this.popup);
          }
        });
      }
    });
    this.popup.on('remove', () => {
      const id = this.popupSite;
      this.popupSite = null;
      if (!this.silent && id) opts.onClose(id);
      // Back to the marker the keyboard opened the popup from.
      const back = this.returnFocus;
      this.returnFocus = null;
      if (back?.getElement()?.isConnected && document.activeElement?.closest?.('.leaflet-popup, .leaflet-container')) back.getElement().focus();
    });
    map.on('moveend', () => {
      if (this.silent) return;
      const c = map.getCenter().wrap();
      opts.onView({ zoom: map.getZoom(), lat: c.lat, lng: c.lng });
    });
  }

  /** Runs f without reporting the moves and closes it causes as user actions. */
  quietly(f) {
    this.silent++;
    try {
      return f();
    } finally {
      this.silent--;
    }
  }

  /** Shows a view, or the bounding box [minLon, minLat, maxLon, maxLat] when view is null. */
  show(view, bbox) {
    this.quietly(() => {
      if (view) {
        this.map.setView([view.lat, view.lng], view.zoom, { animate: false });
      } else if (bbox) {
        this.map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { padding: [28, 28], animate: false, maxZoom: 5 });
      } else {
        this.map.setView([20, 60], 2, { animate: false });
      }
    });
  }

  /** Fits the map to the sites on it, if any; reports whether it did. */
  fitSites() {
    if (!this.markers.size) return false;
    const b = L.latLngBounds([...this.markers.values()].map((m) => m.getLatLng()));
    this.quietly(() => this.map.fitBounds(b, { padding: [40, 40], animate: false, maxZoom: 5 }));
    return true;
  }

  /** Replaces the markers with the features (GeoJSON sites at day at), keeping unchanged ones. */
  setSites(features, at) {
    this.at = at;
    const seen = new Set();
    const add = [];
    const remove = [];
    const changed = [];
    for (const f of features) {
      const p = { ...f.properties, id: f.id, lng: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
      seen.add(f.id);
      this.sites.set(f.id, p);
      const m = this.markers.get(f.id);
      if (!m) {
        const marker = L.marker([p.lat, p.lng], { icon: siteIcon(p), title: p.name, keyboard: true, riseOnHover: true });
        marker.site = p;
        marker.on('click', () => {
          this.returnFocus = null;
          this.opts.onSelect(f.id, { focus: false });
        });
        // A marker is a button: Enter or Space opens its popup, which takes the focus.
        marker.on('keydown', (e) => {
          const k = e.originalEvent.key;
          if (k !== 'Enter' && k !== ' ') return;
          e.originalEvent.preventDefault();
          this.returnFocus = marker;
          this.opts.onSelect(f.id, { focus: true });
        });
        this.markers.set(f.id, marker);
        add.push(marker);
      } else if (m.site.status !== p.status || m.site.pending_status !== p.pending_status || m.site.pending_date !== p.pending_date) {
        m.site = p;
        m.setIcon(siteIcon(p));
        changed.push(m);
      } else {
        m.site = p;
      }
    }
    for (const [id, m] of this.markers) {
      if (!seen.has(id)) {
        remove.push(m);
        this.markers.delete(id);
      }
    }
    this.quietly(() => {
      if (remove.length) this.cluster.removeLayers(remove);
      if (add.length) this.cluster.addLayers(add);
      if (changed.length) this.cluster.refreshClusters(changed);
    });
    if (this.popupSite) {
      if (this.markers.has(this.popupSite)) this.renderPopup(this.popupSite);
      else this.quietly(() => this.map.closePopup(this.popup));
    }
  }

  /** The map's view: zoom and centre. */
  view() {
    const c = this.map.getCenter().wrap();
    return { zoom: this.map.getZoom(), lat: c.lat, lng: c.lng };
  }

  /** The number of site markers on the map, clustered or not. */
  count() {
    return this.cluster.getLayers().length;
  }

  /** The ids of the sites on the map. */
  ids() {
    return [...this.markers.keys()].sort();
  }

  /** Reports whether a site is on the map. */
  has(id) {
    return this.markers.has(id);
  }

  /**
   * Opens the popup of a site on the map. With fly, the map first zooms to show its marker (out of
   * any cluster); with focus, the popup's heading takes the keyboard focus.
   */
  open(id, { fly = false, focus = false, pan = true } = {}) {
    const marker = this.markers.get(id);
    if (!marker) return false;
    const show = () => {
      // Not quietly: a pan to fit the popup is a move like the user's own.
      this.popup.options.autoPan = pan;
      this.popupSite = id;
      this.renderPopup(id);
      this.popup.setLatLng(marker.getLatLng());
      if (!this.map.hasLayer(this.popup)) this.popup.openOn(this.map);
      if (focus) this.popup.getElement()?.querySelector('h2')?.focus({ preventScroll: true });
    };
    if (fly) {
      const target = Math.max(this.map.getZoom(), 5);
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      this.map.once('moveend', () => this.cluster.zoomToShowLayer(marker, show));
      this.map.flyTo(marker.getLatLng(), Math.min(target, this.map.getMaxZoom()), { duration: 0.8, animate: !still });
    } else {
      show();
    }
    return true;
  }

  /** Closes the popup without reporting it as the user's doing. */
  close() {
    this.quietly(() => this.map.closePopup(this.popup));
  }

  /** Fills the popup with the site's details at the current date. */
  renderPopup(id) {
    const p = this.sites.get(id);
    if (!p) return;
    const at = this.at;
    const card = el('article', 'site-card');
    const h = el('h2', 'site-name', p.name);
    h.tabIndex = -1;
    card.append(h);
    card.append(el('p', 'site-where', [p.city, countryName(p.country)].filter(Boolean).join(', ')));

    const status = el('p', 'site-status');
    status.insertAdjacentHTML('afterbegin', symbol(p.status, { size: 20, pending: Boolean(p.pending_status) }));
    const words = el('span');
    words.append(el('strong', null, STATUS_WORDS[p.status]?.label ?? p.status), ` on ${formatDay(at)}`);
    if (p.status_date) words.append(el('span', 'since', ` · since ${formatEDTF(p.status_date)}`));
    status.append(words);
    card.append(status);
    if (p.pending_status) {
      const pend = el('p', 'site-pending');
      pend.append(el('strong', null, 'Uncertain: '), pendingPhrase(p.pending_status, p.pending_date));
      card.append(pend);
    }

    const facts = el('dl', 'site-facts');
    const fact = (k, v) => {
      if (v === null || v === undefined || v === '') return;
      facts.append(el('dt', null, k), el('dd', null, String(v)));
    };
    fact('Region code', p.region ?? 'none yet');
    fact('Country', `${countryName(p.country)} (${p.country})`);
    fact('Partner', p.partner);
    fact('Availability zones', p.zones);
    card.append(facts);

    const history = el('section', 'site-history');
    history.append(el('h3', null, 'History'));
    const loading = el('p', 'hint', 'Loading the history and its sources…');
    history.append(loading);
    card.append(history);
    const links = el('p', 'site-links');
    const json = el('a', null, 'This site as GeoJSON');
    json.href = `${this.opts.root}/collections/sites/items/${encodeURIComponent(id)}?at=${at}`;
    links.append(json);
    card.append(links);
    // Leaflet re-attaches the content on every change, which drops the focus: keep it.
    const focused = this.popup.getElement()?.contains(document.activeElement) ? document.activeElement : null;
    this.popup.setContent(card);
    if (focused) h.focus({ preventScroll: true });

    this.opts.events(id).then(({ events, notes }) => {
      if (this.popupSite !== id || this.at !== at) return;
      loading.replaceWith(historyList(events, at));
      if (notes) {
        const n = el('details', 'site-notes');
        n.append(el('summary', null, 'Notes on this site'), el('p', null, notes));
        history.append(n);
      }
      const active = card.contains(document.activeElement) ? document.activeElement : null;
      this.popup.update();
      active?.focus({ preventScroll: true });
    }, (err) => {
      loading.textContent = `The history could not be loaded: ${err.message}`;
    });
  }
}

/** Returns the list of a site's events with their sources; events after day at are marked later. */
function historyList(events, at) {
  const ol = el('ol', 'events');
  for (const e of events) {
    const li = el('li', 'event');
    const w = edtfWindow(e.date);
    if (w && w.earliest > at) li.classList.add('is-later');
    else if (w && w.latest > at) li.classList.add('is-pending');
    const head = el('p', 'event-head');
    head.insertAdjacentHTML('afterbegin', symbol(e.status, { size: 16 }));
    head.append(el('span', 'event-status', STATUS_WORDS[e.status]?.label ?? e.status), ' ', el('span', 'event-date', formatEDTF(e.date)));
    if (li.classList.contains('is-later')) head.append(el('span', 'event-tag', 'after this date'));
    if (li.classList.contains('is-pending')) head.append(el('span', 'event-tag', 'date window open'));
    li.append(head);
    if (e.note) li.append(el('p', 'event-note', e.note));
    if (e.sources?.length) {
      const ul = el('ul', 'sources');
      ul.setAttribute('aria-label', 'Sources');
      for (const s of e.sources) {
        const si = el('li', 'source');
        if (isWebURL(s.url)) {
          const a = el('a', null, s.title);
          a.href = s.url;
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          si.append(a);
        } else {
          si.append(el('cite', null, s.title));
        }
        si.append(el('span', 'source-meta', ` — ${s.publisher}, ${formatEDTF(s.date)}`));
        if (s.note && !s.url) si.append(el('span', 'source-note', ` (${s.note})`));
        ul.append(si);
      }
      li.append(ul);
    }
    ol.append(li);
  }
  return ol;
}
