// Runs the shared status vectors (geo/testdata/status.json) against web/status.js:
//   node --test web/status.test.mjs
// `go test ./web` runs it (TestStatusVectors).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { edtfWindow, withWindows, stateAt, select, countsOf, validID } from './status.js';

const v = JSON.parse(readFileSync(fileURLToPath(new URL('../geo/testdata/status.json', import.meta.url)), 'utf8'));
const sites = v.sites.map((s) => ({ ...s, events: withWindows(s.events.map(([date, status]) => ({ date, status }))) }));
const byId = new Map(sites.map((s) => [s.id, s]));

test('every vector site keeps all its events', () => {
  for (const s of v.sites) assert.equal(byId.get(s.id).events.length, s.events.length, s.id);
});

for (const c of v.at) {
  test(`status at: ${c.name}`, () => {
    const st = stateAt(byId.get(c.site).events, c.at);
    assert.equal(st.status, c.status);
    assert.equal(st.pending?.status ?? '', c.pending);
    assert.equal(st.pending?.date ?? '', c.pendingDate);
    if (st.status) assert.equal(st.since.status, st.status);
    else assert.equal(st.since, null);
    if (c.since) assert.equal(st.since.date, c.since);
  });
}

test('EDTF windows', () => {
  for (const w of v.windows) assert.deepEqual(edtfWindow(w.date), { earliest: w.earliest, latest: w.latest }, w.date);
  for (const s of v.invalidDates) assert.equal(edtfWindow(s), null, s);
});

for (const c of v.counts) {
  test(`counts: ${c.name}`, () => {
    const got = select(sites, c.at, c.filter);
    assert.deepEqual(got.map((m) => m.site.id), c.ids);
    assert.deepEqual(countsOf(got), c.counts);
  });
}

test('site ids', () => {
  for (const id of v.ids.valid) assert.ok(validID(id), id);
  for (const id of v.ids.invalid) assert.ok(!validID(id), id);
});
