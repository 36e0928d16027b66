// The viewer's state in one place. The state is what the URL holds (state.js) plus what is passing
// (stepFrom: the previous date of a playback step). update() changes it, writes the URL (push for
// a user's action, replace for map moves and playback) and renders once per task: every view gets
// derive(state, history) and renders from it.

import { toQuery, formatView } from './state.js';

export class Store {
  constructor(state, statuses, { history, derive }) {
    this.state = { ...state, stepFrom: null };
    this.statuses = statuses;
    this.history = history;
    this.derive = derive;
    this.views = [];
    this.pending = false;
    this.derived = null;
  }

  /** Adds a view: a function of (derived, state). */
  subscribe(view) {
    this.views.push(view);
  }

  /** The state without what is passing: what a permalink holds. */
  publicState() {
    const { stepFrom, ...s } = this.state;
    return s;
  }

  /** The query string of the state (options as toQuery's). */
  query(options) {
    return toQuery(this.state, this.statuses, options);
  }

  viewParam(view) {
    return formatView(view);
  }

  /**
   * Changes the state by patch, writes the URL (how: 'push', 'replace' or null) and renders, unless
   * quiet (a change the views need not see, such as the map's own view).
   */
  update(patch, how, { quiet = false } = {}) {
    this.state = { ...this.state, ...patch };
    if (how) this.writeURL(how);
    if (!quiet) this.schedule();
  }

  /** Replaces the whole state (back and forward) and renders. */
  replaceState(state) {
    this.state = { ...state, stepFrom: null };
    this.schedule();
  }

  replaceURL() {
    this.writeURL('replace');
  }

  writeURL(how) {
    const q = toQuery(this.state, this.statuses);
    const url = location.pathname + (q ? `?${q}` : '');
    if (url === location.pathname + location.search) return;
    if (how === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.render();
    });
  }

  /** Derives what the page shows and renders every view from it, now. */
  render() {
    this.derived = this.derive(this.state, this.history);
    for (const v of this.views) v(this.derived, this.state);
  }
}
