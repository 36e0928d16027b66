// node --test web/layout.test.mjs (run by go test ./web)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layout, overlaps, clearOffset } from './layout.js';

const opts = { spread: 6, size: 20, groupSize: (n) => (n < 10 ? 30 : 36), labelWidth: (t) => 7 * t.length, labelHeight: 16 };

function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

test('no two boxes overlap, and every item is placed once', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const rnd = random(seed);
    const items = Array.from({ length: 80 }, (_, i) => ({ id: `s${i}`, x: rnd() * 600, y: rnd() * 300, rank: i, label: `City ${i}` }));
    const nodes = layout(items, opts);
    const boxes = nodes.flatMap((n) => (n.label ? [n.box, n.label.box] : [n.box]));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlaps(boxes[i], boxes[j]), `seed ${seed}: boxes ${i} and ${j} overlap`);
    }
    assert.deepEqual(nodes.flatMap((n) => n.members.map((m) => m.id)).sort(), items.map((i) => i.id).sort());
  }
});

test('sites far apart stay single and labelled', () => {
  const nodes = layout([{ id: 'a', x: 0, y: 0, rank: 0, label: 'A' }, { id: 'b', x: 200, y: 0, rank: 1, label: 'B' }], opts);
  assert.equal(nodes.length, 2);
  assert.ok(nodes.every((n) => n.label?.side === 'r'));
});

test('a label moves to a free side', () => {
  const nodes = layout([{ id: 'a', x: 0, y: 0, rank: 0, label: 'Alpha' }, { id: 'b', x: 40, y: 0, rank: 1, label: 'B' }], opts);
  const a = nodes.find((n) => n.members[0].id === 'a');
  assert.notEqual(a.label.side, 'r');
});

test('a small group spreads into a ring when there is room', () => {
  const items = [0, 1, 2, 3].map((i) => ({ id: `s${i}`, x: 100 + i * 4, y: 100 + (i % 2) * 3, rank: i, label: `S${i}` }));
  const nodes = layout(items, opts);
  assert.equal(nodes.length, 4);
  assert.ok(nodes.every((n) => n.members.length === 1));
  const grouped = layout(items, { ...opts, spread: 0 });
  assert.equal(grouped.length, 1);
});

test('clearOffset: no move when nothing is in the way', () => {
  assert.deepEqual(clearOffset([[100, 100, 120, 120]], [[0, 0, 40, 40]], 360, 200), [0, 0]);
});

test('clearOffset: the shortest move off a control, staying on the map', () => {
  // A symbol under the zoom buttons (the left column) moves right until GAP clear of them; the
  // other symbol stays on the map.
  assert.deepEqual(clearOffset([[20, 50, 40, 70], [300, 60, 320, 80]], [[10, 10, 44, 120]], 360, 200), [26, 0]);
});

test('clearOffset: null where there is no room', () => {
  assert.equal(clearOffset([[0, 0, 20, 20], [350, 0, 370, 20]], [], 360, 200), null); // wider than the map
  assert.equal(clearOffset([[100, 100, 120, 120]], [[0, 0, 360, 200]], 360, 200), null); // a control over it all
});

test('clearOffset: what it finds is clear and on the map', () => {
  let found = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const rnd = random(seed);
    const boxes = Array.from({ length: 12 }, () => {
      const x = 40 + rnd() * 260;
      const y = 30 + rnd() * 120;
      return [x, y, x + 20, y + 20];
    });
    const avoid = [[10, 10, 44, 120], [260, 10, 350, 38], [70, 185, 360, 200]];
    const d = clearOffset(boxes, avoid, 360, 200);
    if (!d) continue;
    found++;
    for (const b of boxes) {
      const s = [b[0] + d[0], b[1] + d[1], b[2] + d[0], b[3] + d[1]];
      assert.ok(s[0] >= 2 && s[1] >= 2 && s[2] <= 358 && s[3] <= 198, `seed ${seed}: ${s} not GAP inside the map`);
      for (const a of avoid) assert.ok(!overlaps(s, a), `seed ${seed}: ${s} under ${a}`);
    }
  }
  assert.ok(found >= 45, `an offset found for ${found} of 50 layouts`);
});
