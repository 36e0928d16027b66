// The display vocabulary — the statuses in display order, their labels and colours, and the order
// charts stack them in — comes from the server (/history.json, built from geo/render, its one home).
// This module paints it: one constructed style sheet (CSSOM, which the page's CSP allows) gives
// each status class (.st-active …) its colour as --c, which the symbols, counts and chart use, and
// each provider class (.pv-aws …) its provider's colour, which wins where both apply: in the
// multi-provider view a symbol's colour is its provider's and its shape its status.

const HEX = /^#[0-9a-fA-F]{6}$/;
const PROVIDER_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Adds the vocabulary's colours to the page and returns its lookups. */
export function applyVocabulary(history) {
  const rules = history.statuses.filter((s) => HEX.test(s.colour)).map((s) => `.st-${s.status} { --c: ${s.colour}; }`);
  const providers = history.providers ?? [];
  for (const p of providers) {
    if (HEX.test(p.colour) && PROVIDER_ID.test(p.id)) rules.push(`.pv-${p.id}, .by-provider .sym.pv-${p.id} { --c: ${p.colour}; }`);
  }
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(rules.join('\n'));
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const labels = new Map(history.statuses.map((s) => [s.status, s.label]));
  const byId = new Map(providers.map((p) => [p.id, p]));
  return {
    /** The providers of /history.json in its order: { id, name, shortName, colour }. */
    providers,
    provider: (id) => byId.get(id) ?? { id, name: id, shortName: id, colour: '' },
    order: history.statuses.map((s) => s.status),
    stack: history.stack,
    label: (s) => labels.get(s) ?? s,
  };
}
