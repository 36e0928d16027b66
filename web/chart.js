// The timeline chart: sites per status over time as stacked steps, drawn as SVG from /timeline,
// with a cursor at the chosen date. Its horizontal scale matches the slider below it, and a click
// picks the date under the pointer.

import { COLORS } from './symbols.js';
import { STATUS_WORDS, toDate, fromDate, formatDayShort } from './dates.js';

const SVGNS = 'http://www.w3.org/2000/svg';
// Bottom to top: what is in service first.
const STACK = ['active', 'closing', 'announced', 'closed'];
const OPACITY = { active: 0.9, closing: 0.9, announced: 0.75, closed: 0.4 };

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export class TimelineChart {
  /**
   * @param {HTMLElement} container
   * @param {object} opts pad: pixels left and right (half the slider's thumb), onPick(day)
   */
  constructor(container, { pad = 9, onPick }) {
    this.el = container;
    this.pad = pad;
    this.onPick = onPick;
    this.changes = [];
    this.start = null;
    this.end = null;
    this.day = null;
    this.tip = document.createElement('div');
    this.tip.className = 'chart-tip';
    this.tip.hidden = true;
    this.el.append(this.tip);
    this.el.addEventListener('click', (e) => {
      const day = this.dayAt(e.clientX);
      if (day) this.onPick(day);
    });
    this.el.addEventListener('pointermove', (e) => this.hover(e.clientX));
    this.el.addEventListener('pointerleave', () => { this.tip.hidden = true; });
    if (typeof ResizeObserver === 'function') {
      let last = 0;
      new ResizeObserver(() => {
        if (this.el.clientWidth !== last) {
          last = this.el.clientWidth;
          this.render();
        }
      }).observe(this.el);
    }
  }

  /** Sets the counts at each change (from /timeline) and the span shown, from start to end (days). */
  setData(changes, start, end) {
    this.changes = changes;
    this.start = start;
    this.end = end;
    this.render();
  }

  /** Moves the cursor to a day. */
  setDate(day) {
    this.day = day;
    this.placeCursor();
  }

  x(day) {
    const t0 = toDate(this.start).getTime();
    const t1 = toDate(this.end).getTime();
    const w = this.el.clientWidth - 2 * this.pad;
    return this.pad + (t1 > t0 ? ((toDate(day).getTime() - t0) / (t1 - t0)) * w : 0);
  }

  /** Returns the day at a viewport x coordinate, within the span. */
  dayAt(clientX) {
    if (!this.start) return null;
    const r = this.el.getBoundingClientRect();
    const w = r.width - 2 * this.pad;
    const f = Math.min(1, Math.max(0, (clientX - r.left - this.pad) / w));
    const t0 = toDate(this.start).getTime();
    const t1 = toDate(this.end).getTime();
    return fromDate(new Date(t0 + f * (t1 - t0)));
  }

  /** Returns the counts in force on a day. */
  countsAt(day) {
    let c = null;
    for (const ch of this.changes) {
      if (ch.date > day) break;
      c = ch;
    }
    return c ?? { announced: 0, active: 0, closing: 0, closed: 0 };
  }

  hover(clientX) {
    const day = this.dayAt(clientX);
    if (!day) return;
    const c = this.countsAt(day);
    const parts = STACK.filter((s) => c[s]).map((s) => `${c[s]} ${STATUS_WORDS[s].label.toLowerCase()}`);
    this.tip.textContent = `${formatDayShort(day)}: ${parts.length ? parts.join(', ') : 'no sites yet'}`;
    this.tip.hidden = false;
    const r = this.el.getBoundingClientRect();
    const x = clientX - r.left;
    const tw = this.tip.offsetWidth;
    this.tip.style.left = `${Math.max(0, Math.min(r.width - tw, x - tw / 2))}px`;
  }

  render() {
    for (const n of [...this.el.querySelectorAll('svg')]) n.remove();
    if (!this.start) return;
    const width = this.el.clientWidth;
    const height = this.el.clientHeight || 56;
    const axis = 14;
    const plotH = height - axis - 2;
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart-svg' });
    const maxTotal = Math.max(1, ...this.changes.map((c) => STACK.reduce((n, s) => n + c[s], 0)));
    const y = (v) => 2 + plotH - (v / maxTotal) * plotH;
    const endX = this.x(this.end);

    // Gridlines at round numbers.
    const step = maxTotal > 40 ? 20 : maxTotal > 20 ? 10 : 5;
    for (let v = step; v < maxTotal; v += step) {
      root.append(svg('line', { x1: this.pad, x2: endX, y1: y(v), y2: y(v), class: 'chart-grid' }));
    }

    // One step area per status, stacked.
    const segs = this.changes.map((c, i) => ({
      x0: this.x(c.date),
      x1: i + 1 < this.changes.length ? this.x(this.changes[i + 1].date) : endX,
      c,
    }));
    let below = segs.map(() => 0);
    for (const s of STACK) {
      const above = segs.map((g, i) => below[i] + g.c[s]);
      if (above.some((v, i) => v !== below[i])) {
        let d = '';
        segs.forEach((g, i) => { d += `${i ? 'L' : 'M'}${g.x0.toFixed(1)},${y(above[i]).toFixed(1)}L${g.x1.toFixed(1)},${y(above[i]).toFixed(1)}`; });
        for (let i = segs.length - 1; i >= 0; i--) d += `L${segs[i].x1.toFixed(1)},${y(below[i]).toFixed(1)}L${segs[i].x0.toFixed(1)},${y(below[i]).toFixed(1)}`;
        root.append(svg('path', { d: `${d}Z`, fill: COLORS[s], 'fill-opacity': OPACITY[s], class: `chart-area chart-${s}` }));
      }
      below = above;
    }

    // Years along the bottom.
    const y0 = toDate(this.start).getUTCFullYear();
    const y1 = toDate(this.end).getUTCFullYear();
    const perYear = (endX - this.pad) / Math.max(1, (toDate(this.end) - toDate(this.start)) / 3.15576e10);
    const every = [1, 2, 5, 10, 20, 50].find((n) => n * perYear >= 38) ?? 100;
    root.append(svg('line', { x1: this.pad, x2: endX, y1: y(0) + 0.5, y2: y(0) + 0.5, class: 'chart-axis' }));
    for (let yr = y0 + 1; yr <= y1; yr++) {
      const x = this.x(`${yr}-01-01`);
      root.append(svg('line', { x1: x, x2: x, y1: y(0), y2: y(0) + 3, class: 'chart-axis' }));
      if (yr % every === 0) {
        const t = svg('text', { x, y: height - 2, 'text-anchor': 'middle', class: 'chart-year' });
        t.textContent = String(yr);
        root.append(t);
      }
    }
    this.cursor = svg('g', { class: 'chart-cursor' });
    this.cursor.append(svg('line', { x1: 0, x2: 0, y1: 0, y2: y(0) }), svg('path', { d: 'M-4,0h8l-4,5z' }));
    root.append(this.cursor);
    const last = this.countsAt(this.end);
    root.setAttribute('aria-label', `Chart of sites per status from ${y0} to ${y1}; on ${formatDayShort(this.end)}: `
      + STACK.map((s) => `${last[s]} ${STATUS_WORDS[s].label.toLowerCase()}`).join(', '));
    this.el.prepend(root);
    this.placeCursor();
  }

  placeCursor() {
    if (!this.cursor || !this.day) return;
    const day = this.day < this.start ? this.start : this.day > this.end ? this.end : this.day;
    this.cursor.setAttribute('transform', `translate(${this.x(day).toFixed(1)},0)`);
  }
}
