/**
 * Cell-level cleaning shared by every format: counts, rates, dates, HTML entities, mojibake and
 * spreadsheet-mangled ids. Each function returns `undefined` for "the source has no value" and
 * throws `CellError` for "the source has a value we cannot read", so a row is rejected with a
 * reason instead of silently losing a metric.
 */

/** A cell that holds something unreadable; the reader turns it into a reject with this reason. */
export class CellError extends Error {
  override readonly name = 'CellError';
}

const MISSING = new Set(['', '-', '--', 'n/a', 'na', 'null', 'none', 'undefined', '—']);

/** True when a cell means "no value" (`-`, `N/A`, empty…). */
export function isMissing(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const c = raw.charCodeAt(0);
  // Hot path: a cell starting with a digit is a value.
  if (c >= 48 && c <= 57) return false;
  const t = raw.trim();
  return t === '' || MISSING.has(t.toLowerCase());
}

const THOUSANDS = /^[+-]?\d{1,3}([,\u00a0\u202f' ]\d{3})+(\.\d+)?$/;

/** `"2633.0"`, `"1,234"`, `"12 345"`, `-` → number | undefined. Negative or non-numeric throws. */
export function parseCount(raw: string | number | undefined | null, column: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) throw new CellError(`${column}: ${raw} is not a count`);
    return raw;
  }
  const c = raw.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    // Hot path: plain numbers such as `2633.0` (a million rows of 15 counts in the benchmark).
    const whole = wholeNumber(raw);
    if (whole >= 0) return whole;
    const n = +raw;
    if (n >= 0 && n < Number.POSITIVE_INFINITY) return n;
  }
  if (isMissing(raw)) return undefined;
  let t = raw.trim();
  if (THOUSANDS.test(t)) t = t.replace(/[,\u00a0\u202f' ]/g, '');
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0) throw new CellError(`${column}: "${raw}" is not a count`);
  return n;
}

/**
 * `2633` or `2633.0` (digits, then optionally a point and zeros) read digit by digit, or -1 for
 * anything else. Exports write counts as floats, and `+"2633.0"` takes V8's slow path.
 */
function wholeNumber(raw: string): number {
  const length = raw.length;
  if (length > 15) return -1;
  let n = 0;
  let i = 0;
  for (; i < length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (i === length) return i > 0 ? n : -1;
  if (raw.charCodeAt(i) !== 46 || i === 0 || i + 1 === length) return -1;
  for (let j = i + 1; j < length; j++) if (raw.charCodeAt(j) !== 48) return -1;
  return n;
}

/** `0.0714`, `7.14%`, `"3,4 %"` → fraction (0.0714). */
export function parseRate(raw: string | number | undefined | null, column: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) throw new CellError(`${column}: ${raw} is not a rate`);
    return raw;
  }
  if (isMissing(raw)) return undefined;
  let t = raw.trim();
  const percent = t.endsWith('%');
  if (percent) t = t.slice(0, -1).trim().replace(',', '.');
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0) throw new CellError(`${column}: "${raw}" is not a rate`);
  return percent ? n / 100 : n;
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** How precise an exported time is: the current X export only gives the day. */
export type DatePrecision = 'minute' | 'second' | 'day';

export interface ParsedDate {
  iso: string;
  precision: DatePrecision;
}

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, offsetMinutes = 0): ParsedDate['iso'] | undefined {
  // Date.UTC would roll 2024-02-30 over into March: check the day against the month's length.
  const monthDays = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  if (mo < 0 || mo > 11 || d < 1 || d > monthDays || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.UTC(y, mo, d, h, mi, s) - offsetMinutes * 60_000;
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString();
}

function offsetOf(sign: string | undefined, hh: string | undefined, mm: string | undefined): number {
  if (!sign || !hh) return 0;
  const v = Number(hh) * 60 + Number(mm ?? 0);
  return sign === '-' ? -v : v;
}

// 2019-01-31 23:32 +0000 | 2024-01-15 14:32:10 | 2024-01-15T14:32:10.000Z | 2024-01-15
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|UTC|GMT|([+-])(\d{2}):?(\d{2})?)?$/i;
// Wed Oct 19 19:37:25 +0000 2022 (X archive / API v1.1)
const TWITTER_API = /^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;
// Sun, Nov 9, 2025 | Nov 9, 2025 | November 9, 2025 10:15
const MONTH_NAME = /^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;
// 09/01/2025 21:13 | 1/15/2024 | 1/15/2024 9:05 PM  (US order, as Meta and LinkedIn write it)
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toLowerCase() === 'pm';
  return (h % 12) + (pm ? 12 : 0);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * `2019-01-31 23:32 +0000`, the legacy X form, without regex or Date: this runs once per row
 * of million-row files. Anything else (or an impossible date) falls through to the general parser.
 */
function legacyDate(s: string): ParsedDate | undefined {
  if (s.length !== 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || !s.endsWith(' +0000')) return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > (DAYS_IN_MONTH[mo - 1] ?? 0) || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  return { iso: `${s.slice(0, 10)}T${s.slice(11, 16)}:00.000Z`, precision: 'minute' };
}

/**
 * Every date form found in real exports → ISO 8601 UTC. Times without a zone are taken as UTC
 * (the exports do not say which zone they use). Returns undefined for an empty cell; throws for
 * text that is not a date.
 */
export function parseDate(raw: string | number | Date | undefined | null, column: string): ParsedDate | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new CellError(`${column}: invalid date`);
    return { iso: raw.toISOString(), precision: 'second' };
  }
  if (typeof raw === 'number') {
    // A spreadsheet serial day number (days since 1899-12-30).
    if (raw > 20_000 && raw < 80_000) return { iso: new Date(Math.round((raw - 25_569) * 86_400_000)).toISOString(), precision: raw % 1 === 0 ? 'day' : 'second' };
    throw new CellError(`${column}: ${raw} is not a date`);
  }
  const fast = legacyDate(raw);
  if (fast) return fast;
  const t = raw.trim();
  if (isMissing(t)) return undefined;
  let m = ISO_LIKE.exec(t);
  if (m) {
    const iso = utc(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), offsetOf(m[7], m[8], m[9]));
    if (iso) return { iso, precision: m[4] === undefined ? 'day' : m[6] === undefined ? 'minute' : 'second' };
  }
  m = TWITTER_API.exec(t);
  if (m) {
    const mo = MONTHS[m[1]!.toLowerCase()];
    const iso = mo === undefined ? undefined : utc(+m[9]!, mo, +m[2]!, +m[3]!, +m[4]!, +m[5]!, offsetOf(m[6], m[7], m[8]));
    if (iso) return { iso, precision: 'second' };
  }
  m = MONTH_NAME.exec(t);
  if (m) {
    const mo = MONTHS[m[1]!.toLowerCase()];
    const iso = mo === undefined ? undefined : utc(+m[3]!, mo, +m[2]!, hour12(+(m[4] ?? 0), m[7]), +(m[5] ?? 0), +(m[6] ?? 0));
    if (iso) return { iso, precision: m[4] === undefined ? 'day' : m[6] === undefined ? 'minute' : 'second' };
  }
  m = SLASHED.exec(t);
  if (m) {
    const iso = utc(+m[3]!, +m[1]! - 1, +m[2]!, hour12(+(m[4] ?? 0), m[7]), +(m[5] ?? 0), +(m[6] ?? 0));
    if (iso) return { iso, precision: m[4] === undefined ? 'day' : m[6] === undefined ? 'minute' : 'second' };
  }
  throw new CellError(`${column}: "${raw}" is not a date in any known form`);
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const ENTITY = /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi;

/** X exports and archives keep `&amp;`, `&lt;`, `&gt;` and numeric entities from the API. */
export function decodeEntities(text: string): string {
  let at = text.indexOf('&');
  if (at < 0) return text;
  // Most posts that have one have only `&amp;`: one pass without the regex and its callback.
  while (at >= 0 && text.startsWith('&amp;', at)) at = text.indexOf('&', at + 5);
  if (at < 0) return text.replaceAll('&amp;', '&');
  return text.replace(ENTITY, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

// The characters Windows-1252 gives to bytes 0x80–0x9F; the five undefined bytes pass through as C1 controls.
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const CP1252_BYTE = new Map<number, number>();
for (let i = 0; i < CP1252_HIGH.length; i++) CP1252_BYTE.set(CP1252_HIGH.charCodeAt(i), 0x80 + i);
const HIGH_CLASS = CP1252_HIGH.replace(/[\u0081\u008d\u008f\u0090\u009d]/g, '');
// A UTF-8 lead byte shown as Latin-1 (Â…ô) followed by a continuation byte shown as Windows-1252.
const MOJIBAKE_HINT = new RegExp(`[\\u00c2-\\u00f4][\\u0080-\\u00bf${HIGH_CLASS}]`);
// Runs may hold spaces: tools that saved the damaged text often turned byte A0 (NBSP) into a space.
const CP1252_RUN = new RegExp(`[\\u0080-\\u00ff${HIGH_CLASS}][\\u0080-\\u00ff${HIGH_CLASS} ]*`, 'g');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && b >= 0x80 && b <= 0xbf;
}

/**
 * Decode bytes that were UTF-8 before a Windows-1252 round trip damaged them: a space where a
 * continuation byte belongs was NBSP (A0); a continuation byte that is simply gone (the five
 * bytes Windows-1252 leaves undefined are often dropped) cannot be recovered and becomes U+FFFD.
 */
function lenientUtf8(bytes: Uint8Array): { text: string; lossy: boolean } {
  let out = '';
  let lossy = false;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
    if (length === 1) {
      out += String.fromCharCode(lead);
      i++;
      continue;
    }
    const seq = [lead];
    let k = 1;
    for (; k < length; k++) {
      const b = bytes[i + k];
      if (isContinuation(b)) seq.push(b!);
      else if (b === 0x20) {
        // Usually NBSP turned into a space, but a dropped byte before a real space looks the
        // same: the guess is flagged as lossy so the original text is kept beside it.
        seq.push(0xa0);
        lossy = true;
      } else break;
    }
    if (k === length) {
      try {
        out += strictUtf8.decode(Uint8Array.from(seq));
        i += length;
        continue;
      } catch {
        // Not a valid sequence after all: fall through to the replacement character.
      }
    }
    out += '\ufffd';
    lossy = true;
    i += Math.max(1, k);
  }
  return { text: out, lossy };
}

/**
 * Repairs UTF-8 text that was read as Windows-1252 and saved again (`â€™` → `’`, `ðŸ“Œ` → `📌`).
 * Only runs that look damaged are touched, so correct accented text (`café`) stays as it is.
 * `lossy` says some characters were beyond recovery (U+FFFD) or guessed (a space read as NBSP).
 */
export function repairMojibakeDetailed(text: string): { text: string; lossy: boolean } {
  if (!MOJIBAKE_HINT.test(text)) return { text, lossy: false };
  let lossy = false;
  const repaired = text.replace(CP1252_RUN, (run) => {
    if (!MOJIBAKE_HINT.test(run)) return run;
    const bytes = new Uint8Array(run.length);
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      bytes[i] = c <= 0xff ? c : (CP1252_BYTE.get(c) ?? 0x3f);
    }
    try {
      return strictUtf8.decode(bytes);
    } catch {
      const result = lenientUtf8(bytes);
      lossy ||= result.lossy;
      return result.text;
    }
  });
  return { text: repaired, lossy };
}

/** `repairMojibakeDetailed` without the loss flag. */
export function repairMojibake(text: string): string {
  return repairMojibakeDetailed(text).text;
}

/** True when `repairMojibake` would change the text. */
export function hasMojibake(text: string): boolean {
  return MOJIBAKE_HINT.test(text) && repairMojibake(text) !== text;
}

const STATUS_ID = /\/status(?:es)?\/(\d+)/;

/** The numeric id in an X permalink (`…/status/<id>`), if any. */
export function idFromPermalink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return STATUS_ID.exec(url)?.[1];
}

let lastPermalinkPrefix = '';
let lastPermalinkHandle: string | undefined;

/** The handle in an X permalink (`x.com/<handle>/status/…`), if any. */
export function handleFromPermalink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  // Every row of an export shares the prefix: remember the last one instead of matching again.
  const cut = url.indexOf('/status');
  if (cut > 0 && url.length > cut && url.startsWith(lastPermalinkPrefix) && lastPermalinkPrefix.length === cut) return lastPermalinkHandle;
  const m = /(?:twitter|x)\.com\/([A-Za-z0-9_]{1,50})\/status/.exec(url);
  const handle = m?.[1] && m[1] !== 'i' ? m[1] : undefined;
  if (cut > 0) {
    lastPermalinkPrefix = url.slice(0, cut);
    lastPermalinkHandle = handle;
  }
  return handle;
}

/**
 * An X post id as exported, or recovered from the permalink when a spreadsheet turned it into
 * `1.23457E+18` or rounded it to 15 significant digits. Returns undefined when the row has no id
 * at all; throws when the id is mangled and there is no permalink to recover it from.
 */
export function resolvePostId(rawId: string | undefined, permalink: string | undefined, column: string): string | undefined {
  const id = (rawId ?? '').trim();
  const digits = /^\d+$/.test(id);
  // Only an id ending in zeros can be a spreadsheet's rounding: any other run of digits is the id
  // as it is, without reading the permalink (a regex match per row of a large export).
  if (digits && !id.endsWith('000')) return id;
  const fromLink = idFromPermalink(permalink);
  if (digits) {
    // Excel keeps 15 significant digits: a 19-digit id ending in zeros that disagrees with the link was rounded.
    if (fromLink && fromLink !== id && id.length === fromLink.length && /0{3,}$/.test(id)) return fromLink;
    return id;
  }
  if (id === '' || isMissing(id)) return fromLink;
  if (fromLink) return fromLink;
  throw new CellError(`${column}: "${id}" is not an id (mangled by a spreadsheet?) and the row has no permalink to recover it from`);
}
