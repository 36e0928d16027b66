// The timeline chart: sites per status over time as stacked steps, with counts on its axis, the
// current date marked, and the events (announced, opened, closed) as marks to hover and click. With
// several providers it shows the race instead: one line per provider (sites in service), in the
// provider's colour, labelled at its end, the highlighted one thicker; a line or its label (a
// button) picks that provider. Its horizontal scale matches the slider below it; a click elsewhere
// picks the date under the pointer. It draws what it is given (derive.series, derive.race) and
// keeps no state of the viewer.

import { toDate, fromDate, formatDayShort, formatDay, CHANGED_WORDS } from './dates.js';

const SVGNS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

const AXIS_W = 30; // room for the counts on the left

export class TimelineChart {
  /**
   * @param {HTMLElement} container
   * @param {object} opts pad: pixels left and right of the slider's track (half its thumb), vocab,
   *   onPick(day), onProvider(id) (a race line was chosen), highlight (the provider whose line
   *   stands out)
   */
  constructor(container, { pad = 9, vocab, onPick, onProvider, highlight = null }) {
    this.el = container;
    this.pad = pad;
    this.vocab = vocab;
    this.onPick = onPick;
    this.onProvider = onProvider;
    this.highlight = highlight;
    this.race = null;
    this.series = [];
    this.marks = [];
    this.start = null;
    this.end = null;
    this.day = null;
    this.width = 0;
    this.tip = document.createElement('div');
    this.tip.className = 'chart-tip';
    this.tip.hidden = true;
    this.el.append(this.tip);
    this.el.addEventListener('click', (e) => {
      const line = e.target.closest?.('.race-line');
      if (line) {
        this.onProvider?.(line.dataset.provider);
        return;
      }
      const mark = e.target.closest?.('.chart-mark');
      const day = mark ? mark.dataset.day : this.dayAt(e.clientX);
      if (day) this.onPick(day);
    });
    this.el.addEventListener('keydown', (e) => {
      const line = e.target.closest?.('.race-line');
      if (!line || (e.key !== 'Enter' && e.key !== ' ')) return;
      e.preventDefault();
      this.onProvider?.(line.dataset.provider);
    });
    this.el.addEventListener('pointermove', (e) => this.hover(e));
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

  /**
   * Sets the counts at each change, the events to mark ([{ day, status, site }]) and the span
   * shown, from start to end (days), and the race (derive.race's lines) to draw instead of the
   * counts, or null. Unchanged data is not drawn again.
   */
  setData(series, marks, start, end, race = null) {
    if (series === this.series && marks === this.marks && start === this.start && end === this.end && race === this.race) return;
    this.series = series;
    this.marks = marks;
    this.start = start;
    this.end = end;
    this.race = race;
    this.render();
  }

  /** Returns a race line's number in service on a day (0 before its first point). */
  static lineAt(line, day) {
    let n = 0;
    for (const p of line.points) {
      if (p.date > day) break;
      n = p.n;
    }
    return n;
  }

  /** Moves the cursor to a day. */
  setDate(day) {
    if (day === this.day) return;
    this.day = day;
    this.placeCursor();
  }

  /** The left and right ends of the plot: the slider's track, less the axis. */
  span() {
    return [this.pad + AXIS_W, this.width - this.pad];
  }

  x(day) {
    const t0 = toDate(this.start).getTime();
    const t1 = toDate(this.end).getTime();
    const [l, r] = this.span();
    return l + (t1 > t0 ? ((toDate(day).getTime() - t0) / (t1 - t0)) * (r - l) : 0);
  }

  /** Returns the day at a viewport x coordinate, within the span. */
  dayAt(clientX) {
    if (!this.start) return null;
    const rect = this.el.getBoundingClientRect();
    const [l, r] = this.span();
    const f = Math.min(1, Math.max(0, (clientX - rect.left - l) / (r - l)));
    const t0 = toDate(this.start).getTime();
    const t1 = toDate(this.end).getTime();
    return fromDate(new Date(t0 + f * (t1 - t0)));
  }

  /** Returns the counts in force on a day. */
  countsAt(day) {
    let c = null;
    for (const ch of this.series) {
      if (ch.date > day) break;
      c = ch;
    }
    return c ?? { announced: 0, active: 0, closing: 0, closed: 0 };
  }

  hover(e) {
    const mark = e.target.closest?.('.chart-mark');
    let text;
    if (mark) {
      text = mark.dataset.tip;
    } else if (this.race) {
      const day = this.dayAt(e.clientX);
      if (!day) return;
      const parts = this.race.map((l) => [this.vocab.provider(l.provider).shortName, TimelineChart.lineAt(l, day)]).sort((a, b) => b[1] - a[1]);
      text = `${formatDayShort(day)}: ${parts.map(([n, v]) => `${n} ${v}`).join(' · ')} in service`;
    } else {
      const day = this.dayAt(e.clientX);
      if (!day) return;
      const c = this.countsAt(day);
      const parts = this.vocab.stack.filter((s) => c[s]).map((s) => `${c[s]} ${this.vocab.label(s).toLowerCase()}`);
      text = `${formatDayShort(day)}: ${parts.length ? parts.join(', ') : 'no sites yet'}`;
    }
    this.tip.textContent = text;
    this.tip.hidden = false;
    const r = this.el.getBoundingClientRect();
    const x = e.clientX - r.left;
    const tw = this.tip.offsetWidth;
    this.tip.style.left = `${Math.max(0, Math.min(r.width - tw, x - tw / 2))}px`;
  }

  render() {
    for (const n of [...this.el.querySelectorAll('svg')]) n.remove();
    if (!this.start) return;
    // The size is read here only: moving the cursor (every step of a playback) forces no layout.
    const width = this.el.clientWidth;
    this.width = width;
    const height = this.el.clientHeight || 96;
    const axis = 14;
    const markH = 10;
    const race = this.race;
    const top = race ? 14 : 4; // room for the label of the longest line
    const plotH = height - axis - markH - top - 2;
    const stack = this.vocab.stack;
    // The race holds buttons (its lines), so it is a group, not an image.
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: race ? 'group' : 'img', class: `chart-svg${race ? ' is-race' : ''}` });
    const maxTotal = race
      ? Math.max(1, ...race.flatMap((l) => l.points.map((p) => p.n)))
      : Math.max(1, ...this.series.map((c) => stack.reduce((n, s) => n + c[s], 0)));
    const y = (v) => top + plotH - (v / maxTotal) * plotH;
    const [left] = this.span();
    const endX = this.x(this.end);

    // Counts on the axis and gridlines at round numbers.
    const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].find((s) => maxTotal / s <= 3) ?? 1000;
    // The maximum gets its own label; a round count too close below it gives way.
    const crowded = (v) => maxTotal % step && v === maxTotal - (maxTotal % step) && y(v) - y(maxTotal) < 11;
    for (let v = 0; v <= maxTotal; v += step) {
      if (v) root.append(svg('line', { x1: left, x2: endX, y1: y(v), y2: y(v), class: 'chart-grid' }));
      if (crowded(v)) continue;
      const t = svg('text', { x: left - 4, y: y(v) + 3.5, 'text-anchor': 'end', class: 'chart-count' });
      t.textContent = String(v);
      root.append(t);
    }
    const top1 = svg('text', { x: left - 4, y: y(maxTotal) + 3.5, 'text-anchor': 'end', class: 'chart-count chart-max' });
    if (maxTotal % step) {
      top1.textContent = String(maxTotal);
      root.append(top1);
    }

    if (race) this.drawRace(root, y, endX);
    // One step area per status, stacked.
    const segs = race ? [] : this.series.map((c, i) => ({
      x0: this.x(c.date),
      x1: i + 1 < this.series.length ? this.x(this.series[i + 1].date) : endX,
      c,
    }));
    let below = segs.map(() => 0);
    for (const s of stack) {
      const above = segs.map((g, i) => below[i] + g.c[s]);
      if (above.some((v, i) => v !== below[i])) {
        let d = '';
        segs.forEach((g, i) => { d += `${i ? 'L' : 'M'}${g.x0.toFixed(1)},${y(above[i]).toFixed(1)}L${g.x1.toFixed(1)},${y(above[i]).toFixed(1)}`; });
        for (let i = segs.length - 1; i >= 0; i--) d += `L${segs[i].x1.toFixed(1)},${y(below[i]).toFixed(1)}L${segs[i].x0.toFixed(1)},${y(below[i]).toFixed(1)}`;
        root.append(svg('path', { d: `${d}Z`, class: `chart-area st-${s} chart-${s}` }));
      }
      below = above;
    }

    // The events, one mark per month and status, under the plot.
    const byMonth = new Map();
    for (const m of this.marks) {
      const k = `${m.day.slice(0, 7)}:${m.status}`;
      if (!byMonth.has(k)) byMonth.set(k, { day: m.day, status: m.status, names: [] });
      byMonth.get(k).names.push(m.site);
    }
    const markY = y(0) + 2 + markH / 2;
    const rows = { announced: -2.5, active: 0, closing: 2.5, closed: 2.5 };
    for (const g of byMonth.values()) {
      const c = svg('circle', { cx: this.x(g.day).toFixed(1), cy: (markY + (rows[g.status] ?? 0)).toFixed(1), r: 3.2, class: `chart-mark st-${g.status}` });
      c.dataset.day = g.day;
      c.dataset.tip = `${formatDayShort(g.day)}: ${g.names.join(', ')} ${CHANGED_WORDS[g.status] ?? g.status}`;
      root.append(c);
    }

    // Years along the bottom.
    const y0 = toDate(this.start).getUTCFullYear();
    const y1 = toDate(this.end).getUTCFullYear();
    const perYear = (endX - left) / Math.max(1, (toDate(this.end) - toDate(this.start)) / 3.15576e10);
    const every = [1, 2, 5, 10, 20, 50].find((n) => n * perYear >= 34) ?? 100;
    root.append(svg('line', { x1: left, x2: endX, y1: y(0) + 0.5, y2: y(0) + 0.5, class: 'chart-axis' }));
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
    this.cursorLabel = svg('text', { y: top + 8, class: 'chart-cursor-label' });
    this.cursor.append(svg('line', { x1: 0, x2: 0, y1: 0, y2: y(0) }), svg('path', { d: 'M-4,0h8l-4,5z' }), this.cursorLabel);
    this.y = y;
    this.dots = (race ?? []).filter((l) => l.points.length).map((l) => {
      const dot = svg('circle', { cx: 0, cy: y(0), r: 3.5, class: `race-dot pv-${l.provider}` });
      dot.dataset.provider = l.provider;
      return dot;
    });
    this.cursor.append(...this.dots);
    root.append(this.cursor);
    this.bottom = y(0);
    const last = this.countsAt(this.end);
    if (race) {
      root.setAttribute('aria-label', `Regions in service per provider from ${y0} to ${y1}; on ${formatDayShort(this.end)}: `
        + race.map((l) => `${this.vocab.provider(l.provider).name} ${TimelineChart.lineAt(l, this.end)}`).join(', '));
    } else {
      root.setAttribute('aria-label', `Chart of sites per status from ${y0} to ${y1}; on ${formatDayShort(this.end)}: `
        + stack.map((s) => `${last[s]} ${this.vocab.label(s).toLowerCase()}`).join(', '));
    }
    this.el.prepend(root);
    this.placeCursor();
  }

  placeCursor() {
    if (!this.cursor || !this.day) return;
    const day = this.day < this.start ? this.start : this.day > this.end ? this.end : this.day;
    const x = this.x(day);
    this.cursor.setAttribute('transform', `translate(${x.toFixed(1)},0)`);
    if (this.race) {
      // The date is in the time bar and the counts in the legend: the cursor marks each line.
      this.cursorLabel.textContent = '';
      for (const dot of this.dots) {
        const l = this.race.find((r) => r.provider === dot.dataset.provider);
        dot.setAttribute('cy', this.y(TimelineChart.lineAt(l, day)).toFixed(1));
      }
    } else {
      const c = this.countsAt(day);
      const n = this.vocab.stack.reduce((s, k) => s + (c[k] ?? 0), 0);
      this.cursorLabel.textContent = `${formatDay(day)} · ${n}`;
    }
    const right = x > this.width * 0.6;
    this.cursorLabel.setAttribute('text-anchor', right ? 'end' : 'start');
    this.cursorLabel.setAttribute('x', right ? -6 : 6);
  }

  /**
   * Draws the race: a step line per provider from its first site in service to the end, labelled
   * at its end with its short name and count; labels are moved apart so that none overlaps another.
   */
  drawRace(root, y, endX) {
    const lines = this.race.map((l) => {
      const p = this.vocab.provider(l.provider);
      const n = TimelineChart.lineAt(l, this.end);
      return { l, p, n, lead: l.provider === this.highlight, ly: y(n) - 4 };
    });
    // End labels: from the lowest up, each at least a line of text above the one below.
    const byY = [...lines].sort((a, b) => b.ly - a.ly);
    for (let i = 1; i < byY.length; i++) byY[i].ly = Math.min(byY[i].ly, byY[i - 1].ly - 13);
    const shift = Math.max(0, 11 - byY.at(-1)?.ly);
    for (const x of byY) x.ly += shift;
    // The highlighted line is drawn last, on top.
    for (const x of [...lines].sort((a, b) => Number(a.lead) - Number(b.lead))) {
      const { l, p, n, lead } = x;
      if (!l.points.length) continue;
      let d = '';
      l.points.forEach((pt, i) => {
        const px = this.x(pt.date).toFixed(1);
        const py = y(pt.n).toFixed(1);
        d += i ? `H${px}V${py}` : `M${px},${py}`;
      });
      d += `H${endX.toFixed(1)}`;
      const g = svg('g', { class: `race-line pv-${l.provider}${lead ? ' is-lead' : ''}`, role: 'button', tabindex: '0',
        'aria-label': `${p.shortName} ${n}: ${p.name}'s regions in service on ${formatDay(this.end)}; show ${p.shortName} alone` });
      g.dataset.provider = l.provider;
      g.append(svg('path', { d, class: 'race-hit' }), svg('path', { d, class: 'race-path' }));
      const t = svg('text', { x: (endX - 3).toFixed(1), y: x.ly.toFixed(1), 'text-anchor': 'end', class: 'race-label' });
      t.textContent = `${p.shortName} ${n}`;
      g.append(t);
      root.append(g);
    }
  }
}
