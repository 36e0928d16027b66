// Calendar days and EDTF dates as the viewer shows them. A day is a string YYYY-MM-DD (UTC), the
// form the API takes and returns; nothing here depends on the browser's time zone.

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/** Returns the UTC Date at the start of day s (YYYY-MM-DD). */
export function toDate(s) {
  const m = DAY.exec(s);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
}

/** Returns the UTC day of a Date as YYYY-MM-DD. */
export function fromDate(d) {
  return d.toISOString().slice(0, 10);
}

/**
 * Parses a day given as YYYY-MM-DD, YYYY-MM (its first day) or YYYY (1 January), and returns it as
 * YYYY-MM-DD, or null when it is not a real calendar date.
 */
export function parseDay(s) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(s ?? '').trim());
  if (!m) return null;
  const y = +m[1];
  const mo = m[2] ? +m[2] : 1;
  const d = m[3] ? +m[3] : 1;
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return null;
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return fromDate(t);
}

/** Returns the first day of the month of day s. */
export function monthStart(s) {
  return s.slice(0, 8) + '01';
}

/** Returns the first day of the month n months after the month of day s (n may be negative). */
export function addMonths(s, n) {
  const d = toDate(s);
  return fromDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
}

/** Returns how many month boundaries lie between the months of days a and b (b's month − a's month). */
export function monthsBetween(a, b) {
  const da = toDate(a);
  const db = toDate(b);
  return (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + db.getUTCMonth() - da.getUTCMonth();
}

/** Returns day s written out: "1 September 2018". */
export function formatDay(s) {
  const d = toDate(s);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** Returns a short form of day s: "1 Sep 2018". */
export function formatDayShort(s) {
  const d = toDate(s);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()].slice(0, 3)} ${d.getUTCFullYear()}`;
}

const POINT = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?([~?%])?$/; // for display only; status.js reads dates
const QUALIFIER = { '~': 'approx.', '?': 'uncertain', '%': 'approx., uncertain' };

function point(s) {
  const m = POINT.exec(s);
  if (!m) return null;
  return {
    text: s.replace(/[~?%]$/, ''),
    precision: m[3] ? 'day' : m[2] ? 'month' : 'year',
    year: +m[1],
    month: m[2] ? +m[2] : 0,
    qualifier: m[4] ? QUALIFIER[m[4]] : '',
  };
}

function formatPoint(p) {
  return p.qualifier ? `${p.text} (${p.qualifier})` : p.text;
}

/**
 * Renders an EDTF date of the dataset readably, keeping its precision: "2016-12-05", "2016-12
 * (approx.)", "2017 (uncertain)", "between 2017-10-01 and 2017-11-14". Text it does not understand
 * is returned as it is.
 */
export function formatEDTF(s) {
  if (!s) return '';
  const [a, b] = String(s).split('/');
  const pa = point(a);
  if (b === undefined) return pa ? formatPoint(pa) : s;
  const pb = point(b);
  if (!pa || !pb) return s;
  return `between ${formatPoint(pa)} and ${formatPoint(pb)}`;
}

/** The verb phrase for a change to a status (the status labels come with the vocabulary). */
export const CHANGE_WORDS = {
  active: 'opening',
  announced: 'being announced',
  closing: 'starting to close',
  closed: 'closing',
};

/** The past tense of a change to a status, for the list of what changed. */
export const CHANGED_WORDS = {
  active: 'opened',
  announced: 'announced',
  closing: 'started closing',
  closed: 'closed',
};

/**
 * Says why a site is uncertain at a date: "opening sometime in 2017 (date: 2017)", "opening sometime
 * between 2016-11-21 and 2017-02-13 (date: 2016-11-21/2017-02-13)".
 */
export function pendingPhrase(status, date) {
  const verb = CHANGE_WORDS[status] ?? status;
  const when = formatEDTF(date);
  const span = when.startsWith('between ') ? when : `in ${when}`;
  return `${verb} sometime ${span} (date: ${date})`;
}
