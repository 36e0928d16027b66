// Checks derive.js's provider figures on a small made-up history:
//   node --test web/derive.test.mjs
// `go test ./web` runs it (TestNodeSuites). The browser suite checks them on the real data against
// /providers and /timeline?by=provider.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareHistory, derive, race } from './derive.js';

const doc = {
  today: '2024-06-01',
  statuses: [{ status: 'active' }, { status: 'announced' }, { status: 'closing' }, { status: 'closed' }],
  providers: [{ id: 'a', name: 'A Cloud', shortName: 'A', colour: '#111111' }, { id: 'b', name: 'B Cloud', shortName: 'B', colour: '#222222' },
    { id: 'none', name: 'No sites', shortName: 'N', colour: '#333333' }],
  sites: [
    { id: 'a-1', provider: 'a', country: 'DE', events: [['2010-01-01', 'active']] },
    { id: 'a-2', provider: 'a', country: 'FR', events: [['2012-01-01', 'announced'], ['2013-01-01', 'active'], ['2020-01-01', 'closing'], ['2021-01-01', 'closed']] },
    { id: 'b-1', provider: 'b', country: 'DE', events: [['2015-01-01', 'active']] },
    { id: 'b-2', provider: 'b', country: 'US', events: [['2030-01-01', 'announced']] },
  ],
};
const history = prepareHistory(doc);
const state = (patch) => ({ at: null, compare: null, statuses: ['active', 'announced', 'closing', 'closed'], countries: [], providers: [], site: null, view: null, stepFrom: null, ...patch });

test('providers without a site are left out', () => {
  assert.deepEqual(history.providers.map((p) => p.id), ['a', 'b']);
});

test('the race counts sites in service (active or closing) from each line\'s first', () => {
  assert.deepEqual(race(history, {}, history.today), [
    { provider: 'a', points: [{ date: '2010-01-01', n: 1 }, { date: '2013-01-01', n: 2 }, { date: '2021-01-01', n: 1 }] },
    { provider: 'b', points: [{ date: '2015-01-01', n: 1 }] },
  ]);
  assert.deepEqual(race(history, { countries: ['FR'] }, history.today)[0].points.map((p) => p.n), [1, 0]);
});

test('in service per provider ignores the provider filter but not the country filter', () => {
  const d = derive(state({ at: '2020-06-01', providers: ['a'] }), history);
  assert.deepEqual([...d.perProvider], [['a', 2], ['b', 1]]);
  assert.equal(d.byProvider, false);
  assert.deepEqual(d.shown.map((m) => m.site.id), ['a-1', 'a-2']);
  const de = derive(state({ at: '2020-06-01', countries: ['DE'] }), history);
  assert.deepEqual([...de.perProvider], [['a', 1], ['b', 1]]);
  assert.equal(de.byProvider, true);
});
