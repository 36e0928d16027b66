// Placing site symbols and their labels on the map without overlaps. Symbols that would overlap
// are grouped, and groups that would overlap are merged, until no two boxes touch; a small group
// is then spread into a ring of single symbols around its centre where the ring has room (each
// keeps its true position, for a leader line); labels go on the
// first side of their symbol (right, left, above, below) where they cover nothing already placed,
// and are left out where no side is free. Pure: positions are pixels of the map's projection at
// the current zoom, so panning needs no new layout. clearOffset finds the pan that keeps the
// symbols clear of the map's controls.

const GAP = 2;

/** Reports whether two boxes [x0, y0, x1, y1] overlap, GAP pixels apart counting as touching. */
export function overlaps(a, b) {
  return a[0] < b[2] + GAP && b[0] < a[2] + GAP && a[1] < b[3] + GAP && b[1] < a[3] + GAP;
}

function box(x, y, size) {
  return [x - size / 2, y - size / 2, x + size / 2, y + size / 2];
}

/**
 * Lays out items [{ id, x, y, rank, label }] (rank: lower is placed first). opts: size (a
 * symbol's side), groupSize(n) (a group's side), spread (the largest group to spread, 0 for
 * none), labelWidth(text), labelHeight, view (a box labels must stay in, or none) and avoid (boxes
 * labels must not cover, such as the map's controls). Returns nodes [{ members (items), x, y, size, box,
 * label: null | { side, box } }]; a spread symbol's x, y differ from its item's.
 */
export function layout(items, { size, groupSize, spread = 0, labelWidth, labelHeight, view = null, avoid = [] }) {
  let nodes = items.map((it) => ({ members: [it], x: it.x, y: it.y, size, box: box(it.x, it.y, size) }));
  const merge = (a, b) => {
    const members = [...a.members, ...b.members];
    const x = members.reduce((s, m) => s + m.x, 0) / members.length;
    const y = members.reduce((s, m) => s + m.y, 0) / members.length;
    const side = groupSize(members.length);
    return { members, x, y, size: side, box: box(x, y, side) };
  };
  // Merge the first overlapping pair (in index order) until none is left. Rows before i hold no
  // overlap, so after a merge only the grown node needs checking against them: the scan goes on
  // from there instead of starting again from the first node.
  for (let i = 0; i < nodes.length;) {
    const j = nodes.findIndex((n, k) => k > i && overlaps(nodes[i].box, n.box));
    if (j < 0) {
      i++;
      continue;
    }
    nodes[i] = merge(nodes[i], nodes[j]);
    nodes.splice(j, 1);
    for (let a = nodes.findIndex((n, k) => k < i && overlaps(n.box, nodes[i].box)); a >= 0; a = nodes.findIndex((n, k) => k < i && overlaps(n.box, nodes[i].box))) {
      nodes[a] = merge(nodes[a], nodes[i]);
      nodes.splice(i, 1);
      i = a;
    }
  }
  // Spread the small groups, largest first room permitting.
  for (const g of nodes.filter((n) => n.members.length > 1 && n.members.length <= spread).sort((a, b) => a.members.length - b.members.length)) {
    const k = g.members.length;
    const r = (Math.SQRT2 * (size + GAP + 1)) / (2 * Math.sin(Math.PI / k)); // boxes, not discs, must clear
    // Members keep their compass order round the centre, so the ring looks like the map.
    const sorted = [...g.members].sort((a, b) => Math.atan2(a.y - g.y, a.x - g.x) - Math.atan2(b.y - g.y, b.x - g.x));
    const turn = Math.atan2(sorted[0].y - g.y, sorted[0].x - g.x);
    const ring = sorted.map((m, i) => {
      const a = turn + (2 * Math.PI * i) / k;
      const x = g.x + r * Math.cos(a);
      const y = g.y + r * Math.sin(a);
      return { members: [m], x, y, size, box: box(x, y, size) };
    });
    const others = nodes.filter((n) => n !== g);
    if (ring.every((n) => others.every((o) => !overlaps(o.box, n.box)))) {
      nodes = [...others, ...ring];
    }
  }
  const taken = [...nodes.map((n) => n.box), ...avoid];
  const singles = nodes.filter((n) => n.members.length === 1 && n.members[0].label)
    .sort((a, b) => a.members[0].rank - b.members[0].rank);
  for (const n of singles) {
    const w = labelWidth(n.members[0].label);
    const h = labelHeight;
    const r = n.size / 2 + 3;
    const candidates = [
      ['r', [n.x + r, n.y - h / 2, n.x + r + w, n.y + h / 2]],
      ['l', [n.x - r - w, n.y - h / 2, n.x - r, n.y + h / 2]],
      ['t', [n.x - w / 2, n.y - r - h, n.x + w / 2, n.y - r]],
      ['b', [n.x - w / 2, n.y + r, n.x + w / 2, n.y + r + h]],
    ];
    n.label = null;
    for (const [side, b] of candidates) {
      const inside = !view || (b[0] >= view[0] && b[1] >= view[1] && b[2] <= view[2] && b[3] <= view[3]);
      if (inside && taken.every((t) => t === n.box || !overlaps(t, b))) {
        n.label = { side, box: b };
        taken.push(b);
        break;
      }
    }
  }
  return nodes;
}

/**
 * A short offset [dx, dy] that moves every box (x0, y0, x1, y1, pixels of a w by h map) inside the
 * map and off every box of avoid, GAP pixels apart; null if none is found. [0, 0] where it is
 * clear; else the nearest clear offset on a grid over the room there is (at most about 4,000
 * offsets, so its step is a pixel or a few): within a step of the shortest, and a gap narrower
 * than a step may be missed.
 */
export function clearOffset(boxes, avoid, w, h) {
  if (!boxes.length) return [0, 0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const b of boxes) {
    minX = Math.min(minX, b[0]);
    minY = Math.min(minY, b[1]);
    maxX = Math.max(maxX, b[2]);
    maxY = Math.max(maxY, b[3]);
  }
  const lo = [GAP - minX, GAP - minY];
  const hi = [w - GAP - maxX, h - GAP - maxY];
  if (lo[0] > hi[0] || lo[1] > hi[1]) return null;
  // overlaps(), with the box moved by dx, dy.
  const clear = (dx, dy) => boxes.every((b) => avoid.every((a) => !(b[0] + dx < a[2] + GAP && a[0] < b[2] + dx + GAP && b[1] + dy < a[3] + GAP && a[1] < b[3] + dy + GAP)));
  if (lo[0] <= 0 && hi[0] >= 0 && lo[1] <= 0 && hi[1] >= 0 && clear(0, 0)) return [0, 0];
  const grid = Math.max(1, Math.ceil(Math.sqrt(((hi[0] - lo[0]) * (hi[1] - lo[1])) / 4000)));
  // Each axis: the offset nearest 0 within its room, then a step apart.
  const axis = (a, b) => {
    const vs = [Math.min(Math.max(0, a), b)];
    for (let v = a; v <= b; v += grid) vs.push(v);
    return vs;
  };
  const xs = axis(lo[0], hi[0]);
  const ys = axis(lo[1], hi[1]);
  const n = xs.length * ys.length;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const dx = xs[Math.floor(i / ys.length)];
    const dy = ys[i % ys.length];
    dist[i] = dx * dx + dy * dy;
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((i, j) => dist[i] - dist[j]);
  for (const i of order) {
    const dx = xs[Math.floor(i / ys.length)];
    const dy = ys[i % ys.length];
    if (clear(dx, dy)) return [dx, dy];
  }
  return null;
}
