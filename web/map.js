// The Leaflet map: base map, site symbols with their labels (laid out by layout.js, grouped where
// they would overlap), the legend, a fullscreen button, and the site card (a popup on a wide
// screen, a bottom sheet on a phone). It renders from what derive gives; it holds only Leaflet's
// objects, never the viewer's state.

import { symbol, pendingSymbol, groupSymbol } from './symbols.js';
import { formatDay, formatEDTF, pendingPhrase } from './dates.js';
import { layout, clearOffset, overlaps } from './layout.js';

const L = window.L;

/** Reports whether u is an http(s) URL, the only kind a source link may open. */
function isWebURL(u) {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}

/** Creates an element with a class and text. */
export function el(tag, cls, text) {
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

const UNDISCLOSED = /\s*\(not disclosed\)\s*/i;

/** Reports whether a site's city is not disclosed (the data says "(not disclosed)"). */
export function cityUndisclosed(site) {
  return UNDISCLOSED.test(site.city ?? '');
}

/**
 * Returns the place a site is labelled by: its city; where the city is not disclosed, what is
 * known of it (a state, "Oregon"), else the country's name.
 */
export function placeName(site) {
  return (site.city ?? '').replace(UNDISCLOSED, ' ').trim() || countryName(site.country);
}

/** Returns where a site is, in words: "Frankfurt, Germany", "Netherlands (city not disclosed)". */
export function whereWords(site) {
  const country = countryName(site.country);
  if (!cityUndisclosed(site)) return [site.city, country].filter(Boolean).join(', ');
  const known = placeName(site);
  return `${known === country ? country : `${known}, ${country}`} (city not disclosed)`;
}

/** A div icon that names itself for assistive technology (Leaflet markers are buttons). */
const LabeledIcon = L.DivIcon.extend({
  createIcon(old) {
    const icon = L.DivIcon.prototype.createIcon.call(this, old);
    if (this.options.label) icon.setAttribute('aria-label', this.options.label);
    return icon;
  },
});

const LABEL_FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
const LABEL_H = 16;
let measure;
function labelWidth(text) {
  measure ??= document.createElement('canvas').getContext('2d');
  measure.font = LABEL_FONT;
  return Math.ceil(measure.measureText(text).width) + 8;
}

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
}

/** The legend: status symbols, the pending mark and groups. */
const Legend = L.Control.extend({
  options: { position: 'topright', open: true, vocab: null },
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
    const v = this.options.vocab;
    for (const s of v.order) item(symbol(s, { size: 20 }), v.label(s));
    item(pendingSymbol(20), 'Change pending, date open');
    item(groupSymbol(Object.fromEntries(v.order.slice(0, 3).map((s) => [s, 1])), v.order, 20, ''), 'Group of sites');
    details.append(summary, ul);
    // With several providers on the map, colour says which (shape still says the status).
    if (v.providers.length > 1) {
      const pl = el('ul', 'legend-providers');
      pl.setAttribute('aria-label', 'Colour: provider');
      for (const p of v.providers) {
        const li = el('li');
        li.insertAdjacentHTML('afterbegin', `<svg class="swatch pv-${p.id}" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" rx="2" class="c-fill"/></svg>`);
        li.append(el('span', null, p.name));
        pl.append(li);
      }
      details.append(pl);
    }
    div.append(details);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  },
});

/** A button that shows the map full screen, and back. */
const Fullscreen = L.Control.extend({
  options: { position: 'topleft', target: null },
  onAdd() {
    const div = L.DomUtil.create('div', 'leaflet-bar leaflet-control fullscreen-control');
    const b = el('button', 'fullscreen-button');
    b.type = 'button';
    const sync = () => {
      const on = document.fullscreenElement === this.options.target;
      b.setAttribute('aria-label', on ? 'Leave full screen' : 'Full screen');
      b.title = b.getAttribute('aria-label');
      b.setAttribute('aria-pressed', String(on));
    };
    b.innerHTML = '<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false"><path d="M3 8V3h5M12 3h5v5M17 12v5h-5M8 17H3v-5" fill="none" stroke="currentColor" stroke-width="2"/></svg>';
    sync();
    b.addEventListener('click', () => {
      if (document.fullscreenElement) document.exitFullscreen?.();
      else this.options.target.requestFullscreen?.().catch(() => {});
    });
    document.addEventListener('fullscreenchange', sync); // the map's ResizeObserver follows its size
    div.append(b);
    L.DomEvent.disableClickPropagation(div);
    return div;
  },
});

// The first view's padding round the sites, and the latitude of the Web Mercator world's edges.
const FIT_PAD = 28;
const WORLD_LAT = 85.0511287798;

export class SiteMap {
  /**
   * @param {HTMLElement} container
   * @param {object} opts tiles {url, attribution, maxZoom, nativeZoom (the tiles' last zoom)}, root,
   *   vocab, legendOpen, legendPosition, fullscreenTarget, sheet (an element for the bottom sheet,
   *   used on a narrow map), over (elements outside the container that lie over the map, such as the
   *   embed's bar: sites and labels keep clear of them as of its controls), and the hooks onSelect(id, {focus}), onClose(id), onView(view),
   *   events(id) → Promise of {events, notes}, siteURL(id, at) → the URL of a site as GeoJSON, or
   *   '' for none
   */
  constructor(container, opts) {
    this.opts = opts;
    this.vocab = opts.vocab;
    this.container = container;
    this.markers = new Map(); // node key → marker
    this.labels = new Map(); // site id → label marker
    this.shown = [];
    this.changed = new Set();
    this.comparing = false;
    this.at = null;
    this.silent = 0;
    this.popupSite = null;
    this.layoutKey = '';
    this.over = opts.over ?? [];
    // The first view of every site (show) fits itself to the map's size and keeps the sites clear of
    // the controls (keepClear) while the page settles, until the reader changes anything (endFit).
    this.fitAuto = false;
    this.fitBox = null;
    this.clearing = false; // keepClear is moving the map
    const narrow = container.clientWidth < 640;
    const map = L.map(container, {
      minZoom: narrow ? 0 : 1,
      zoomSnap: narrow ? 0.5 : 1,
      maxZoom: opts.tiles.maxZoom,
      worldCopyJump: true,
      zoomControl: true,
      attributionControl: true,
      // One home for a new size: the container's ResizeObserver (below) calls resized().
      trackResize: typeof ResizeObserver !== 'function',
    });
    this.map = map;
    map.attributionControl.addAttribution(opts.siteAttribution);
    this.baseLayer = baseMapLayer(opts.tiles, container).addTo(map);
    this.layer = L.layerGroup().addTo(map);
    // Labels under the symbols: a label never hides a symbol.
    map.createPane('labels').classList.add('label-pane');
    if (opts.fullscreenTarget?.requestFullscreen) new Fullscreen({ target: opts.fullscreenTarget }).addTo(map);
    if (opts.legend !== false) {
      this.legend = new Legend({ open: opts.legendOpen, position: opts.legendPosition, vocab: this.vocab }).addTo(map);
      // Open by default, the legend closes itself the first time it would hide a site (on a
      // narrower screen it lies over South America); once the reader opens or closes it, it stays.
      this.legendAuto = Boolean(opts.legendOpen);
      this.legend.getContainer().querySelector('summary').addEventListener('click', () => {
        this.legendAuto = false;
        this.endFit();
      });
    }
    this.popup = L.popup({
      className: 'site-popup',
      maxWidth: Math.min(380, container.clientWidth - 48),
      minWidth: Math.min(260, container.clientWidth - 64),
      maxHeight: Math.min(400, container.clientHeight - 80),
      offset: [0, -6],
      autoPanPadding: [20, 20],
      closeOnEscapeKey: true,
    });
    this.returnFocus = null;
    this.popup.on('add', () => {
      const pe = this.popup.getElement();
      if (pe && !pe.dataset.keys) {
        pe.dataset.keys = 'on';
        pe.addEventListener('keydown', (e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            this.map.closePopup(this.popup);
          }
        });
      }
    });
    this.popup.on('remove', () => this.closed());
    this.sheet = opts.sheet;
    this.sheet?.querySelector('.sheet-close')?.addEventListener('click', () => this.close({ user: true }));
    this.sheet?.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close({ user: true });
    });
    map.on('zoomend', () => this.relayout(true));
    // Labels keep clear of the controls: when one changes size (the legend opened or closed, the
    // attribution wrapped once its fonts came), they are laid out again.
    container.addEventListener('toggle', () => this.relayout(true), true);
    if (typeof ResizeObserver === 'function') {
      const sizes = new Map();
      const ro = new ResizeObserver((entries) => {
        let moved = false;
        for (const e of entries) {
          const h = `${e.contentRect.width}x${e.contentRect.height}`;
          if (sizes.has(e.target) && sizes.get(e.target) !== h) moved = true;
          sizes.set(e.target, h);
        }
        if (moved) this.relayout(true);
      });
      queueMicrotask(() => this.controls().forEach((c) => ro.observe(c)));
      // The map follows its container's size: the time bar filled in or changed height, the phone
      // turned, full screen.
      new ResizeObserver(() => this.resized()).observe(container);
    }
    // Labels stay inside the map: after a pan, they may move to another side.
    map.on('moveend', () => this.relayout(false));
    map.on('movestart', () => {
      if (!this.silent) this.endFit();
    });
    map.on('moveend', () => {
      if (this.silent) return;
      this.endFit();
      const c = map.getCenter().wrap();
      opts.onView({ zoom: map.getZoom(), lat: c.lat, lng: c.lng });
    });
  }

  /**
   * Reports whether every symbol and label stands where the last layout put it: none is still
   * sliding in a zoom's CSS transition.
   */
  settled() {
    return !this.container.getAnimations({ subtree: true }).some((a) => a.playState === 'running' && a.effect?.target?.classList.contains('leaflet-marker-icon'));
  }

  /** Reports whether the site card is a bottom sheet (a narrow map) rather than a popup. */
  usesSheet() {
    return Boolean(this.sheet) && this.container.clientWidth < 640;
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

  /**
   * Shows a view, or the bounding box [minLon, minLat, maxLon, maxLat] when view is null: that one
   * is fitted again to the map's size, clear of the controls, until endFit.
   */
  show(view, bbox) {
    this.fitAuto = !view && Boolean(bbox);
    this.fitBox = bbox;
    this.quietly(() => {
      if (view) {
        this.map.setView([view.lat, view.lng], view.zoom, { animate: false });
      } else if (bbox) {
        this.fitAll();
      } else {
        this.map.setView([20, 60], 2, { animate: false });
      }
    });
  }

  /**
   * Ends the automatic fit of the first view: the reader changed something (moved the map, the
   * date or a filter, opened a site or the legend), so the map stays where it is.
   */
  endFit() {
    this.fitAuto = false;
  }

  /** Reports whether the map knows its container's size and is not moving itself clear. */
  sized() {
    const s = this.map.getSize();
    return s.x === this.container.clientWidth && s.y === this.container.clientHeight && !this.clearing;
  }

  /** Fits the map to the first view's bounding box. */
  fitAll() {
    const b = this.fitBox;
    const map = this.map;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [FIT_PAD, FIT_PAD], animate: false, maxZoom: 5 });
    // A map taller than the world (a phone fitted by width) would show an empty band under
    // Antarctica's straight edge: the world moves down to the map's bottom, as far as the southern
    // sites keep their padding, and the room left goes north, over more sea.
    const zoom = map.getZoom();
    const h = map.getSize().y;
    const top = map.getPixelBounds().min.y;
    const below = top + h - map.project([-WORLD_LAT, 0], zoom).y;
    const shift = Math.min(below, h - FIT_PAD - (map.project([b[1], 0], zoom).y - top));
    if (shift >= 1) {
      const c = map.project(map.getCenter(), zoom);
      map.setView(map.unproject([c.x, c.y - shift], zoom), zoom, { animate: false });
    }
  }

  /**
   * Tells the map its container may have changed size (the time bar filled in under it, the phone
   * turned); the first view, not yet moved by the reader, is fitted again, any other (a shared one)
   * keeps its centre and zoom.
   */
  resized() {
    if (this.sized()) return;
    const centre = this.map.getCenter();
    this.quietly(() => {
      this.map.invalidateSize({ pan: false });
      if (this.fitAuto) this.fitAll();
      else this.map.setView(centre, this.map.getZoom(), { reset: true }); // exactly, not to a pixel
    });
  }

  /** The map's view: zoom and centre. */
  view() {
    const c = this.map.getCenter().wrap();
    return { zoom: this.map.getZoom(), lat: c.lat, lng: c.lng };
  }

  /**
   * Shows the derived view: the sites shown ({site, state}), the day, and which sites changed
   * (marked for a moment while playing, kept marked when comparing dates).
   */
  render(d) {
    this.at = d.at;
    this.shown = d.shown;
    this.byId = new Map(d.shown.map((m) => [m.site.id, m]));
    this.changed = d.changed;
    this.comparing = d.comparing;
    this.changes = new Map(d.changes.map((c) => [c.site.id, c]));
    this.byProvider = d.byProvider;
    this.relayout(false);
    if (this.popupSite) {
      if (this.byId.has(this.popupSite)) this.fillCard(this.popupSite);
      else this.close();
    }
  }

  /** Lays the symbols out again; force after a zoom, otherwise only when what is shown changed. */
  relayout(force) {
    const zoom = this.map.getZoom();
    const key = this.shown.map((m) => `${m.site.id}:${m.state.status}:${m.state.pending?.status ?? ''}`).join(',');
    const marks = `${this.byProvider}:${[...this.changed].join(',')}`;
    const pb = this.map.getPixelBounds();
    const viewKey = `${pb.min.x},${pb.min.y}`;
    if (!force && key === this.layoutKey && marks === this.marksKey && viewKey === this.viewKey) return;
    const nodes = this.nodesAt(zoom, pb);
    if (this.fitAuto && !this.clearing && nodes.length && this.keepClear(nodes, pb)) return; // the move laid out again
    this.layoutKey = key;
    this.marksKey = marks;
    this.viewKey = viewKey;
    if (this.legendAuto && this.hidesSite(this.legend.getContainer(), nodes, pb)) {
      this.legendAuto = false;
      this.legend.getContainer().querySelector('details').open = false; // its toggle lays out again
    }
    const keep = new Map();
    for (const n of nodes) {
      const single = n.members.length === 1;
      const key = single ? n.members[0].id : `g:${n.members.map((m) => m.id).sort().join(',')}`;
      const icon = single ? this.siteIcon(n.members[0].m, n.size, n.label?.side, n.members[0].x - n.x, n.members[0].y - n.y) : this.groupIcon(n);
      const latlng = this.map.unproject([n.x, n.y], zoom);
      let marker = this.markers.get(key);
      if (!marker) {
        marker = L.marker(latlng, { icon, keyboard: true, riseOnHover: true, title: '' });
        marker.on('click', () => this.activate(marker, false));
        marker.on('keydown', (e) => {
          const k = e.originalEvent.key;
          if (k !== 'Enter' && k !== ' ') return;
          e.originalEvent.preventDefault();
          this.activate(marker, true);
        });
        this.layer.addLayer(marker);
      } else {
        if (!marker.getLatLng().equals(latlng)) marker.setLatLng(latlng);
        if (marker.iconHTML !== icon.options.html + icon.options.className) marker.setIcon(icon);
      }
      marker.iconHTML = icon.options.html + icon.options.className;
      marker.node = n;
      keep.set(key, marker);
    }
    for (const [key, marker] of this.markers) if (!keep.has(key)) this.layer.removeLayer(marker);
    this.markers = keep;
    // Labels are map text, not part of the buttons: a marker reads as its site's full name.
    const labels = new Map();
    for (const n of nodes) {
      if (!n.label) continue;
      const p = n.members[0].m.site;
      const text = n.members[0].label;
      const html = `<span class="site-label lbl-${n.label.side}">${escapeHTML(text)}</span>`;
      const latlng = this.map.unproject([n.x, n.y], zoom);
      let lm = this.labels.get(p.id);
      const icon = () => L.divIcon({ html, className: 'site-label-icon', iconSize: [n.size, n.size], iconAnchor: [n.size / 2, n.size / 2] });
      if (!lm) {
        lm = L.marker(latlng, { icon: icon(), interactive: false, keyboard: false, pane: 'labels' });
        this.layer.addLayer(lm);
      } else {
        if (!lm.getLatLng().equals(latlng)) lm.setLatLng(latlng);
        if (lm.html !== html + n.size) lm.setIcon(icon());
      }
      lm.html = html + n.size;
      labels.set(p.id, lm);
    }
    for (const [id, lm] of this.labels) if (!labels.has(id)) this.layer.removeLayer(lm);
    this.labels = labels;
  }

  /**
   * Lays out the sites shown at zoom: their symbols, groups and, with pb (the pixel bounds they are
   * shown in), their labels.
   */
  nodesAt(zoom, pb) {
    const order = new Map(this.vocab.order.map((s, i) => [s, i]));
    const detail = zoom >= 6;
    const items = this.shown.map((m, i) => {
      const p = this.map.project([m.site.lat, m.site.lon], zoom);
      return {
        id: m.site.id, x: p.x, y: p.y, m,
        rank: order.get(m.state.status) * 1000 + i,
        label: !pb ? '' : detail && m.site.region ? `${placeName(m.site)} · ${m.site.region}` : placeName(m.site),
      };
    });
    const size = zoom < 3 ? 18 : zoom < 5 ? 22 : 26;
    return layout(items, {
      size,
      groupSize: (n) => (n < 10 ? 30 : n < 50 ? 36 : 42),
      spread: 6,
      view: pb ? [pb.min.x + 2, pb.min.y + 2, pb.max.x - 2, pb.max.y - 2] : null,
      avoid: pb ? this.controlBoxes(pb) : [],
      labelWidth,
      labelHeight: LABEL_H,
    });
  }

  /**
   * Moves the view, where a site or group would lie under a control (the zoom or full-screen
   * buttons, the attribution), to the nearest one where none does and all are on the map: panned
   * a little, else zoomed out a step at a time. The legend is left out while it folds itself away.
   * nodes are the current layout, in pb. Returns whether the view moved (its zoomend or moveend
   * lays the map out again).
   */
  keepClear(nodes, pb) {
    const map = this.map;
    const { x: w, y: h } = map.getSize();
    const avoid = this.controlBoxes(L.bounds([0, 0], [w, h]), this.legendAuto ? this.legend?.getContainer() : null);
    const centre = map.getCenter();
    const step = map.options.zoomSnap || 1;
    for (let zoom = map.getZoom(); zoom >= map.getMinZoom(); zoom -= step) {
      // Node boxes relative to the map's top left with the centre kept, then the offset to add.
      const mid = map.project(centre, zoom);
      const [x0, y0] = zoom === map.getZoom() ? [pb.min.x, pb.min.y] : [mid.x - w / 2, mid.y - h / 2];
      const laid = zoom === map.getZoom() ? nodes : this.nodesAt(zoom, null);
      const boxes = laid.map((n) => [n.box[0] - x0, n.box[1] - y0, n.box[2] - x0, n.box[3] - y0]);
      const d = clearOffset(boxes, avoid, w, h);
      if (!d) continue;
      if (zoom === map.getZoom() && Math.hypot(d[0], d[1]) < 1) return false;
      this.clearing = true; // the layout the move brings keeps the view
      try {
        this.quietly(() => map.setView(map.unproject([x0 + w / 2 - d[0], y0 + h / 2 - d[1]], zoom), zoom, { animate: false }));
      } finally {
        this.clearing = false;
      }
      return true;
    }
    return false; // nowhere clear: the view stays
  }

  /** Whether the element el, a control, covers a symbol or group of nodes (laid out in pb). */
  hidesSite(el, nodes, pb) {
    const box = this.boxOf(el, pb);
    return nodes.some((n) => overlaps(n.box, box));
  }

  /** The map's controls (zoom, legend, attribution…) and what else lies over it (opts.over). */
  controls() {
    return [...this.container.querySelectorAll('.leaflet-control'), ...this.over];
  }

  /**
   * The boxes of the controls but skip (an element or null), in pixels of the projection with the
   * map showing pb (pixels of the map with pb from [0, 0]).
   */
  controlBoxes(pb, skip = null) {
    return this.controls().filter((e) => e !== skip).map((e) => this.boxOf(e, pb)).filter((b) => b[2] > b[0] && b[3] > b[1]);
  }

  /** The box of element e in pixels of the projection, the map showing pb. */
  boxOf(e, pb) {
    const c = this.container.getBoundingClientRect();
    const r = e.getBoundingClientRect();
    return [pb.min.x + r.left - c.left, pb.min.y + r.top - c.top, pb.min.x + r.right - c.left, pb.min.y + r.bottom - c.top];
  }

  /** The icon of one site, size pixels; dx, dy from the symbol to the site when spread from it. */
  siteIcon(m, size, side, dx = 0, dy = 0) {
    const p = m.site;
    const st = m.state;
    const pending = Boolean(st.pending);
    const change = this.changes.get(p.id);
    const cls = ['site-marker', `status-${st.status}`];
    if (pending) cls.push('is-pending');
    if (change) cls.push(this.comparing ? 'is-compared' : 'just-changed', `changed-to-${change.after.status || 'none'}`);
    let words = `${p.name}${this.byProvider ? ` (${this.vocab.provider(p.provider).shortName})` : ''}: ${this.vocab.label(st.status).toLowerCase()}`;
    if (pending) words += `, ${pendingPhrase(st.pending.status, st.pending.date)}`;
    if (change && this.comparing) words += ` (was ${change.before.status ? this.vocab.label(change.before.status).toLowerCase() : 'not there'})`;
    const c = size / 2;
    const leader = Math.hypot(dx, dy) > 1
      ? `<svg class="leader" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true" focusable="false"><line x1="${c}" y1="${c}" x2="${(c + dx).toFixed(1)}" y2="${(c + dy).toFixed(1)}"/><circle cx="${(c + dx).toFixed(1)}" cy="${(c + dy).toFixed(1)}" r="2"/></svg>`
      : '';
    return new LabeledIcon({
      html: leader + symbol(st.status, { pending, size, provider: this.byProvider ? p.provider : null }),
      className: cls.join(' '),
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
      label: words,
    });
  }

  groupIcon(n) {
    // The ring is split by status, or by provider when several are shown.
    const key = this.byProvider ? (it) => it.m.site.provider : (it) => it.m.state.status;
    const order = this.byProvider ? this.vocab.providers.map((p) => p.id) : this.vocab.order;
    const word = this.byProvider ? (k) => this.vocab.provider(k).shortName : (k) => this.vocab.label(k).toLowerCase();
    const counts = {};
    for (const it of n.members) counts[key(it)] = (counts[key(it)] || 0) + 1;
    const parts = order.filter((s) => counts[s]).map((s) => `${counts[s]} ${word(s)}`);
    const changed = n.members.some((it) => this.changes.has(it.id));
    return new LabeledIcon({
      html: groupSymbol(counts, order, n.size, undefined, this.byProvider ? 'pv-' : 'st-'),
      className: `site-group${changed ? (this.comparing ? ' is-compared' : ' just-changed') : ''}`,
      iconSize: [n.size, n.size],
      iconAnchor: [n.size / 2, n.size / 2],
      label: `Group of ${n.members.length} sites (${parts.join(', ')}): ${n.members.map((it) => placeName(it.m.site)).join(', ')}; select to zoom in`,
    });
  }

  /** A marker was chosen: a site opens its card; a group zooms in, or lists its sites at the last zoom. */
  activate(marker, focus) {
    const n = marker.node;
    if (n.members.length === 1) {
      this.returnFocus = focus ? marker : null;
      this.opts.onSelect(n.members[0].id, { focus });
      return;
    }
    const b = L.latLngBounds(n.members.map((it) => [it.m.site.lat, it.m.site.lon]));
    const zoom = Math.min(this.map.getBoundsZoom(b.pad(0.5)), this.map.getMaxZoom());
    if (zoom > this.map.getZoom()) {
      if (focus) this.map.once('moveend', () => this.container.focus({ preventScroll: true }));
      this.map.flyToBounds(b.pad(0.5), { maxZoom: zoom, animate: !reducedMotion() });
      return;
    }
    // As close as the map goes and still together: list them.
    const list = el('ul', 'group-list');
    for (const it of n.members) {
      const li = el('li');
      const b2 = el('button', 'btn btn-link', `${it.m.site.name} (${placeName(it.m.site)})`);
      b2.type = 'button';
      b2.addEventListener('click', () => this.opts.onSelect(it.id, { focus: true }));
      li.append(b2);
      list.append(li);
    }
    L.popup({ className: 'group-popup', maxWidth: 300 }).setLatLng(marker.getLatLng()).setContent(list).openOn(this.map);
    if (focus) list.querySelector('button')?.focus();
  }

  /** The number of sites on the map, single or grouped. */
  count() {
    let n = 0;
    for (const m of this.markers.values()) n += m.node.members.length;
    return n;
  }

  /** The ids of the sites on the map. */
  ids() {
    return [...this.markers.values()].flatMap((m) => m.node.members.map((it) => it.id)).sort();
  }

  /** Reports whether a site is on the map. */
  has(id) {
    return Boolean(this.byId?.has(id));
  }

  /**
   * Opens the card of a site on the map, pointing at the site itself (grouped or not). With fly, the
   * map first moves to show it; with focus, the card's heading takes the keyboard focus; pan false
   * keeps the view exactly as it is (a shared link).
   */
  open(id, { fly = false, focus = false, pan = true } = {}) {
    const m = this.byId?.get(id);
    if (!m) return false;
    this.endFit();
    const latlng = L.latLng(m.site.lat, m.site.lon);
    const show = () => {
      this.popupSite = id;
      if (this.usesSheet()) {
        this.fillCard(id);
        this.sheet.hidden = false;
        document.body.classList.add('sheet-open');
        if (focus) this.sheet.querySelector('h2')?.focus({ preventScroll: true });
        // Keep the site in sight above the sheet, as a popup pans into view (not for a shared view).
        const free = this.container.clientHeight - this.sheet.offsetHeight;
        const pt = this.map.latLngToContainerPoint(latlng);
        if (pan && (pt.y > free - 24 || pt.y < 24)) this.map.panBy([0, pt.y - free / 2], { animate: !reducedMotion() });
        return;
      }
      this.popup.options.autoPan = pan;
      this.fillCard(id);
      this.popup.setLatLng(latlng);
      // A card already open without panning (a shared view) pans into sight when opened anew.
      if (pan && this.map.hasLayer(this.popup)) this.popup.close();
      if (!this.map.hasLayer(this.popup)) this.popup.openOn(this.map);
      if (focus) this.popup.getElement()?.querySelector('h2')?.focus({ preventScroll: true });
    };
    if (fly) {
      const target = Math.min(Math.max(this.map.getZoom(), 5), this.map.getMaxZoom());
      this.map.once('moveend', show);
      this.map.flyTo(latlng, target, { duration: 0.8, animate: !reducedMotion() });
    } else {
      show();
    }
    return true;
  }

  /** Closes the card; with user, as the user's doing (the selection is cleared). */
  close({ user = false } = {}) {
    if (this.sheet && !this.sheet.hidden) {
      this.sheet.hidden = true;
      document.body.classList.remove('sheet-open');
      if (user) this.closed();
      else this.popupSite = null;
      return;
    }
    if (user) this.map.closePopup(this.popup);
    else this.quietly(() => this.map.closePopup(this.popup));
  }

  closed() {
    const id = this.popupSite;
    this.popupSite = null;
    if (!this.silent && id) this.opts.onClose(id);
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back?.getElement()?.isConnected) back.getElement().focus();
  }

  /** Fills the card with the site's details at the current date. */
  fillCard(id) {
    const m = this.byId.get(id);
    if (!m) return;
    const p = m.site;
    const st = m.state;
    const at = this.at;
    const card = el('article', 'site-card');
    const h = el('h2', 'site-name', p.name);
    h.tabIndex = -1;
    h.id = 'site-card-title';
    card.append(h);
    card.append(el('p', 'site-where', whereWords(p)));
    const status = el('p', 'site-status');
    status.insertAdjacentHTML('afterbegin', symbol(st.status, { size: 20, pending: Boolean(st.pending) }));
    const words = el('span');
    words.append(el('strong', null, this.vocab.label(st.status)), ` on ${formatDay(at)}`);
    if (st.since) words.append(el('span', 'since', ` · since ${formatEDTF(st.since.date)}`));
    status.append(words);
    card.append(status);
    if (st.pending) {
      const pend = el('p', 'site-pending');
      pend.append(el('strong', null, 'Uncertain: '), pendingPhrase(st.pending.status, st.pending.date));
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
    const href = this.opts.siteURL(id, at);
    if (href) {
      const links = el('p', 'site-links');
      const json = el('a', null, 'This site as GeoJSON');
      json.href = href;
      links.append(json);
      card.append(links);
    }
    const host = this.usesSheet() ? this.sheet.querySelector('.sheet-body') : null;
    const focused = (host ?? this.popup.getElement())?.contains(document.activeElement) ? document.activeElement : null;
    if (host) host.replaceChildren(card);
    else this.popup.setContent(card);
    if (focused) h.focus({ preventScroll: true });
    this.opts.events(id).then(({ events, notes }) => {
      if (this.popupSite !== id || this.at !== at) return;
      loading.replaceWith(historyList(events, at, this.vocab));
      if (notes) {
        const n = el('details', 'site-notes');
        n.append(el('summary', null, 'Notes on this site'), el('p', null, notes));
        history.append(n);
      }
      if (!host) {
        const active = card.contains(document.activeElement) ? document.activeElement : null;
        this.popup.update();
        active?.focus({ preventScroll: true });
      }
    }, (err) => {
      loading.textContent = `The history could not be loaded: ${err.message}`;
    });
  }
}

/**
 * The dark base map beside a light one: the server's (and the static site's) tiles/basemap-dark
 * for tiles/basemap; null for other tile URLs.
 * @param {string} url
 */
export function darkTileURL(url) {
  return /(^|\/)tiles\/basemap\//.test(url) ? url.replace(/(^|\/)tiles\/basemap\//, '$1tiles/basemap-dark/') : null;
}

/**
 * The base-map tile layer. It follows prefers-color-scheme, now and when the system changes,
 * between the light tiles and the server's dark tiles. Tiles without a dark set are turned dark by
 * a CSS filter instead (the class basemap-filtered on the map's container).
 * @param {{url: string, attribution: string, maxZoom: number, nativeZoom?: number}} tiles
 * @param {HTMLElement} container
 */
function baseMapLayer(tiles, container) {
  const dark = darkTileURL(tiles.url);
  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  const url = () => (dark && scheme.matches ? dark : tiles.url);
  const layer = L.tileLayer(url(), {
    attribution: tiles.attribution,
    maxZoom: tiles.maxZoom,
    maxNativeZoom: tiles.nativeZoom ?? tiles.maxZoom,
    minZoom: 0,
    tileSize: 256,
    crossOrigin: false,
  });
  container.classList.toggle('basemap-filtered', !dark);
  if (dark) scheme.addEventListener('change', () => layer.setUrl(url()));
  return layer;
}

/** Reports whether the reader asked for less motion. */
export function reducedMotion() {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Returns the list of a site's events with their sources; events after day at are marked later. */
function historyList(events, at, vocab) {
  const ol = el('ol', 'events');
  for (const e of events) {
    const li = el('li', 'event');
    if (e.earliest > at) li.classList.add('is-later');
    else if (e.latest > at) li.classList.add('is-pending');
    const head = el('p', 'event-head');
    head.insertAdjacentHTML('afterbegin', symbol(e.status, { size: 16 }));
    head.append(el('span', 'event-status', vocab.label(e.status)), ' ', el('span', 'event-date', formatEDTF(e.date)));
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
