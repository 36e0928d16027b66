// node --test web/layout.test.mjs (run by go test ./web)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layout, overlaps } from './layout.js';

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
