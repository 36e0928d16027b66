// Status symbols, shared by the map markers, the legend, the filters and the counts. Each status
// differs by shape as well as colour, so the map reads in grayscale and for colour-blind readers:
// active a filled circle, announced a hollow ring, closing a downward triangle, closed a square
// with a cross. A pending change adds a dashed outline. The geometry is geo/render's (a test there
// compares it); the colours are not here: a symbol's class names its status, and vocab.js turns
// the vocabulary of /history.json (geo/render's palette) into the rules that paint it.

function shape(status) {
  switch (status) {
    case 'active':
      return '<circle cx="12" cy="12" r="6.5" class="c-fill halo"/>'
        + '<circle cx="12" cy="12" r="7.5" class="c-stroke" fill="none" stroke-width="0.75"/>';
    case 'announced':
      return '<circle cx="12" cy="12" r="6" class="paper" stroke-width="5"/>'
        + '<circle cx="12" cy="12" r="6" class="c-stroke paper-fill" stroke-width="3"/>';
    case 'closing':
      return '<path d="M4.2 6.5h15.6L12 19.5z" class="c-fill halo" stroke-linejoin="round"/>'
        + '<path d="M2.6 5.6h18.8L12 21.2z" class="c-stroke" fill="none" stroke-width="0.75" stroke-linejoin="round"/>';
    case 'closed':
      return '<rect x="5.5" y="5.5" width="13" height="13" rx="1.5" class="c-fill halo"/>'
        + '<path d="M9 9l6 6M15 9l-6 6" class="cross" stroke-width="2" stroke-linecap="round"/>';
  }
  return '<circle cx="12" cy="12" r="6" class="ink-fill"/>';
}

const PENDING_RING = '<circle cx="12" cy="12" r="10.6" class="pending-ring" stroke-width="1.6" stroke-dasharray="3.2 2.4"/>';

/**
 * Returns an inline SVG of a status symbol, size pixels square, hidden from assistive technology
 * (the element around it carries the words). With pending, a dashed ring marks the uncertainty;
 * with provider (an id), the symbol takes the provider's colour (vocab.js) and keeps its shape.
 */
export function symbol(status, { size = 24, pending = false, cls = 'sym', provider = null } = {}) {
  return `<svg class="${cls} st-${status}${provider ? ` pv-${provider}` : ''}" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">`
    + (pending ? PENDING_RING : '') + shape(status) + '</svg>';
}

/** Returns the symbol of a pending change alone, for the legend. */
export function pendingSymbol(size = 24) {
  return `<svg class="sym" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">`
    + PENDING_RING + '<circle cx="12" cy="12" r="3" class="ink-fill"/></svg>';
}

/**
 * Returns the SVG of a group of sites: a ring split by status (or, with prefix 'pv-', by provider),
 * with the count in the middle. counts maps status (provider) to number; order is the order of the
 * ring's segments; text replaces the count.
 */
export function groupSymbol(counts, order, size, text, prefix = 'st-') {
  const total = order.reduce((n, s) => n + (counts[s] || 0), 0);
  const r = size / 2 - 3.5;
  const circ = 2 * Math.PI * r;
  let offset = 0;
  let ring = '';
  for (const s of order) {
    const n = counts[s] || 0;
    if (!n) continue;
    const len = (n / total) * circ;
    ring += `<circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="none" class="${prefix}${s} c-stroke" stroke-width="5"`
      + ` stroke-dasharray="${len.toFixed(2)} ${(circ - len).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}"`
      + ` transform="rotate(-90 ${size / 2} ${size / 2})"/>`;
    offset += len;
  }
  const font = total >= 100 ? 11 : 13;
  return `<svg viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" aria-hidden="true" focusable="false">`
    + `<circle cx="${size / 2}" cy="${size / 2}" r="${size / 2 - 0.5}" class="group-disc"/>`
    + ring
    + `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-size="${font}" font-weight="700" class="ink-fill">${text ?? total}</text>`
    + '</svg>';
}
