// The share dialog: a permalink, an iframe snippet for /embed and, when the server offers
// /static/map.png (its API document lists the path), a static-image URL for reports.

const STATIC_MAP = '/static/map.png';

/** Returns the query parameter names the OpenAPI document lists for a path, or null without the path. */
export function pathParameters(openapi, path) {
  const item = openapi?.paths?.[path];
  if (!item) return null;
  const params = [...(item.parameters ?? []), ...(item.get?.parameters ?? [])];
  const names = new Set();
  for (const p of params) {
    if (p.$ref) {
      const name = p.$ref.split('/').pop();
      const def = openapi.components?.parameters?.[name];
      if (def?.in === 'query') names.add(def.name);
    } else if (p.in === 'query') {
      names.add(p.name);
    }
  }
  return names;
}

/** Escapes text for an HTML attribute value in double quotes. */
function attr(s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export class ShareDialog {
  /**
   * @param {HTMLDialogElement} dialog
   * @param {object} opts api (an Api), links() → {apiBase, map, embed, query, params, center, zoom, title}
   */
  constructor(dialog, { api, links }) {
    this.dialog = dialog;
    this.api = api;
    this.links = links;
    this.status = dialog.querySelector('#copy-status');
    dialog.addEventListener('click', (e) => {
      const btn = e.target.closest('[data-copy]');
      if (btn) this.copy(document.getElementById(btn.dataset.copy), btn);
      else if (e.target === dialog) dialog.close(); // a click on the backdrop
    });
    // Detect the static-image endpoint once; the field stays hidden until it exists.
    this.staticParams = api.openAPI().then((doc) => pathParameters(doc, STATIC_MAP), () => null);
  }

  async open() {
    this.fill();
    this.status.textContent = '';
    if (!this.dialog.open) this.dialog.showModal();
    const params = await this.staticParams;
    const field = this.dialog.querySelector('#share-image-field');
    field.hidden = !params;
    if (params) this.fill(params);
  }

  /** Refreshes the fields from the current state, if the dialog is open. */
  refresh() {
    if (this.dialog.open) this.staticParams.then((p) => this.fill(p));
  }

  fill(staticParams) {
    const l = this.links();
    this.dialog.querySelector('#share-link').value = l.map;
    this.dialog.querySelector('#share-embed').value = `<iframe src="${attr(l.embed)}" width="800" height="500" `
      + `title="${attr(l.title)}" loading="lazy" allowfullscreen></iframe>`;
    if (staticParams) {
      const q = new URLSearchParams();
      const want = { ...l.params, center: l.center, zoom: l.zoom, width: '1200', height: '800' };
      for (const [k, v] of Object.entries(want)) if (v && staticParams.has(k)) q.set(k, v);
      const s = q.toString().replace(/%2C/g, ',');
      this.dialog.querySelector('#share-image').value = `${l.apiBase}${STATIC_MAP}${s ? `?${s}` : ''}`;
    }
  }

  async copy(input, button) {
    input.select();
    let ok = false;
    try {
      await navigator.clipboard.writeText(input.value);
      ok = true;
    } catch {
      ok = document.execCommand?.('copy') ?? false;
    }
    this.status.textContent = ok ? `Copied: ${input.labels?.[0]?.textContent ?? 'text'}.` : 'Select the text and copy it (Ctrl+C or ⌘C).';
    button.focus();
  }
}
