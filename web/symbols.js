// Status symbols, shared by the map markers, the legend, the filters and the counts. Each status
// differs by shape as well as colour (Okabe–Ito palette), so the map reads in grayscale and for
// colour-blind readers: active a filled circle, announced a hollow ring, closing a downward
// triangle, closed a grey square with a cross. A pending change adds a dashed outline.

export const COLORS = {
  active: '#009E73',
  announced: '#0072B2',
  closing: '#D55E00',
  closed: '#6B6B6B',
};

const INK = '#1F2933';

function shape(status) {
  const c = COLORS[status];
  switch (status) {
    case 'active':
      return `<circle cx="12" cy="12" r="6.5" fill="${c}" stroke="#fff" stroke-width="2"/>`
        + `<circle cx="12" cy="12" r="7.5" fill="none" stroke="${c}" stroke-width="0.75"/>`;
    case 'announced':
      return `<circle cx="12" cy="12" r="6" fill="#fff" stroke="#fff" stroke-width="5"/>`
        + `<circle cx="12" cy="12" r="6" fill="#fff" stroke="${c}" stroke-width="3"/>`;
    case 'closing':
      return `<path d="M4.2 6.5h15.6L12 19.5z" fill="${c}" stroke="#fff" stroke-width="2" stroke-linejoin="round"/>`
        + `<path d="M2.6 5.6h18.8L12 21.2z" fill="none" stroke="${c}" stroke-width="0.75" stroke-linejoin="round"/>`;
    case 'closed':
      return `<rect x="5.5" y="5.5" width="13" height="13" rx="1.5" fill="${c}" stroke="#fff" stroke-width="2"/>`
        + `<path d="M9 9l6 6M15 9l-6 6" stroke="#fff" stroke-width="2" stroke-linecap="round"/>`;
  }
  return `<circle cx="12" cy="12" r="6" fill="${INK}"/>`;
}

const PENDING_RING = `<circle cx="12" cy="12" r="10.6" fill="#fff" fill-opacity="0.7" stroke="${INK}" stroke-width="1.6" stroke-dasharray="3.2 2.4"/>`;

/**
 * Returns an inline SVG of a status symbol, size pixels square, hidden from assistive technology
 * (the element around it carries the words). With pending, a dashed ring marks the uncertainty.
 */
export function symbol(status, { size = 24, pending = false, cls = 'sym' } = {}) {
  return `<svg class="${cls}" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">`
    + (pending ? PENDING_RING : '') + shape(status) + '</svg>';
}

/** Returns the symbol of a pending change alone, for the legend. */
export function pendingSymbol(size = 24) {
  return `<svg class="sym" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">`
    + PENDING_RING + `<circle cx="12" cy="12" r="3" fill="${INK}"/></svg>`;
}

/**
 * Returns the SVG of a cluster of sites: a ring split by status, with the count in the middle.
 * counts maps status to number; order is the order of the ring's segments; text replaces the count.
 */
export function clusterSymbol(counts, order, size, text) {
  const total = order.reduce((n, s) => n + (counts[s] || 0), 0);
  const r = size / 2 - 3.5;
  const circ = 2 * Math.PI * r;
  let offset = 0;
  let ring = '';
  for (const s of order) {
    const n = counts[s] || 0;
    if (!n) continue;
    const len = (n / total) * circ;
    ring += `<circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="none" stroke="${COLORS[s]}" stroke-width="5"`
      + ` stroke-dasharray="${len.toFixed(2)} ${(circ - len).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}"`
      + ` transform="rotate(-90 ${size / 2} ${size / 2})"/>`;
    offset += len;
  }
  const font = total >= 100 ? 11 : 13;
  return `<svg viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" aria-hidden="true" focusable="false">`
    + `<circle cx="${size / 2}" cy="${size / 2}" r="${size / 2 - 0.5}" fill="#fff" stroke="${INK}" stroke-opacity="0.25"/>`
    + ring
    + `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-size="${font}" font-weight="700" fill="${INK}">${text ?? total}</text>`
    + '</svg>';
}
