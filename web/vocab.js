// The display vocabulary — the statuses in display order, their labels and colours, and the order
// charts stack them in — comes from the server (/history.json, built from geo/render, its one home).
// This module paints it: one constructed style sheet (CSSOM, which the page's CSP allows) gives
// each status class (.st-active …) its colour as --c, which the symbols, counts and chart use.

const HEX = /^#[0-9a-fA-F]{6}$/;

/** Adds the vocabulary's colours to the page and returns its lookups. */
export function applyVocabulary(history) {
  const rules = history.statuses.filter((s) => HEX.test(s.colour)).map((s) => `.st-${s.status} { --c: ${s.colour}; }`);
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(rules.join('\n'));
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const labels = new Map(history.statuses.map((s) => [s.status, s.label]));
  return {
    order: history.statuses.map((s) => s.status),
    stack: history.stack,
    label: (s) => labels.get(s) ?? s,
  };
}
