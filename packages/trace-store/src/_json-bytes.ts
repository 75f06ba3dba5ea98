/**
 * Writes JSON straight into UTF-8 bytes, byte for byte what `Buffer.from(JSON.stringify(value))`
 * gives for the plain values records hold (the store hashes these bytes, so any difference would
 * make an unchanged post look changed). A large ingest serializes a million records on its reader
 * thread; building each record's JSON string and then encoding it cost ~5 µs a record and most of
 * the garbage, this ~1 µs and none.
 */

const HEX = '0123456789abcdef';
/** `,"key":` as bytes, per key seen (bounded). */
const KEY_HEADS = new Map<string, Uint8Array>();
const ESCAPES: readonly (string | undefined)[] = (() => {
  const table: (string | undefined)[] = new Array(93).fill(undefined);
  for (let c = 0; c < 0x20; c++) table[c] = `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
  table[8] = '\\b';
  table[9] = '\\t';
  table[10] = '\\n';
  table[12] = '\\f';
  table[13] = '\\r';
  table[34] = '\\"';
  table[92] = '\\\\';
  return table;
})();

/** Printable ASCII except `"` and `\\`: such a string is written as it is. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** Characters `JSON.stringify` escapes (lone surrogates aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes
const ESCAPED = /["\\\x00-\x1f]/;
/** Long strings remembered for `string`'s copy of a repeated value. */
const RECENT = 4;
/** Below this length a JS loop beats a call into C++. */
const SHORT = 24;

export class JsonByteWriter {
  bytes: Uint8Array;
  used = 0;
  /** The same memory as `bytes`, for Node's native string writers. */
  #buffer: Buffer;

  /** `bytes` as a Buffer (same memory), for `putText`. */
  get native(): Buffer {
    return this.#buffer;
  }
  /** The last few long strings written, and where their literals lie in `bytes`. */
  readonly #recent: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  readonly #recentAt = new Uint32Array(RECENT * 2);
  #recentNext = 0;

  /** `into`: memory to write into when it is big enough (a batch's buffer handed back by the thread that took it). */
  constructor(initialSize: number, into?: ArrayBuffer) {
    // Own memory (not Node's shared pool) so the result can be transferred to another thread.
    const size = Math.max(64, initialSize);
    this.bytes = new Uint8Array(into !== undefined && into.byteLength >= size ? into : new ArrayBuffer(size));
    this.#buffer = Buffer.from(this.bytes.buffer);
  }

  /** Room for `extra` more bytes; grows by doubling so a batch copies O(size) in all. */
  reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const bigger = new Uint8Array(new ArrayBuffer(Math.max(this.bytes.length * 2, this.used + extra)));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
    this.#buffer = Buffer.from(bigger.buffer);
  }

  /** Text known to be ASCII with nothing to escape (keys of our own, ISO timestamps, number text). */
  raw(text: string): void {
    const n = text.length;
    this.reserve(n);
    const b = this.bytes;
    let u = this.used;
    for (let i = 0; i < n; i++) b[u++] = text.charCodeAt(i);
    this.used = u;
  }

  /** Bytes already encoded. */
  copy(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** A JSON string literal: `JSON.stringify`'s escapes (lone surrogates as `\udxxx`), then UTF-8. */
  string(s: string): void {
    const n = s.length;
    if (n < SHORT) {
      this.#stringByHand(s);
      return;
    }
    // Records repeat some long values (the file of every row of an import): copy one of the last
    // few from where it was written.
    const recent = this.#recent;
    for (let k = 0; k < RECENT; k++) {
      if (recent[k] === s) {
        const from = this.#recentAt[2 * k]!;
        const to = this.#recentAt[2 * k + 1]!;
        this.reserve(to - from);
        this.bytes.copyWithin(this.used, from, to);
        this.used += to - from;
        return;
      }
    }
    const start = this.used;
    this.#stringNative(s);
    const slot = this.#recentNext;
    this.#recentNext = (slot + 1) % RECENT;
    recent[slot] = s;
    this.#recentAt[2 * slot] = start;
    this.#recentAt[2 * slot + 1] = this.used;
  }

  /** Native writers for long strings: plain ASCII as latin1, text with nothing to escape as UTF-8, anything else through JSON.stringify's own escaping. */
  #stringNative(s: string): void {
    const n = s.length;
    this.reserve(n * 3 + 2);
    const plain = PLAIN_ASCII.test(s);
    if (plain || (!ESCAPED.test(s) && (s as string & { isWellFormed(): boolean }).isWellFormed())) {
      this.bytes[this.used++] = 34;
      this.used += plain ? this.#buffer.write(s, this.used, 'latin1') : this.#buffer.write(s, this.used, 'utf8');
      this.bytes[this.used++] = 34;
      return;
    }
    const quoted = JSON.stringify(s);
    this.reserve(quoted.length * 3);
    this.used += this.#buffer.write(quoted, this.used, 'utf8');
  }

  #stringByHand(s: string): void {
    // Worst case: six bytes per UTF-16 unit (`\u001f`, or a lone surrogate escaped), plus quotes.
    this.reserve(s.length * 6 + 2);
    this.used = putString(this.bytes, this.used, s);
  }

  number(n: number): void {
    this.reserve(NUMBER_MAX);
    this.used = putNumber(this.bytes, this.used, n);
  }

  /**
   * Any value as `JSON.stringify` writes it. Plain objects and arrays, strings, numbers, booleans
   * and null are written here; anything else (a `toJSON`, a class instance, a bigint) is handed to
   * `JSON.stringify` itself, which also throws where it would throw.
   */
  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return;
      case 'number':
        this.number(v);
        return;
      case 'boolean':
        this.raw(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) this.raw('null');
        else if (Array.isArray(v)) this.#array(v);
        else if (isPlainObject(v)) this.#object(v as Record<string, unknown>);
        else this.#stringified(v);
        return;
      default:
        this.#stringified(v);
    }
  }

  #array(items: readonly unknown[]): void {
    this.raw('[');
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.raw(',');
      const item = items[i];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') this.raw('null');
      else this.value(item);
    }
    this.raw(']');
  }

  #object(o: Record<string, unknown>): void {
    this.raw('{');
    let first = true;
    for (const key in o) {
      const item = o[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      this.#key(key, first);
      first = false;
      this.value(item);
    }
    this.raw('}');
  }

  /** `"key":` (after a comma unless first), from a cache: records repeat the same few keys. */
  #key(key: string, first: boolean): void {
    let head = KEY_HEADS.get(key);
    if (head === undefined) {
      const scratch = new JsonByteWriter(key.length * 6 + 4);
      scratch.raw(',');
      scratch.string(key);
      scratch.raw(':');
      head = scratch.bytes.slice(0, scratch.used);
      if (KEY_HEADS.size < 4096) KEY_HEADS.set(key, head);
    }
    const from = first ? 1 : 0;
    this.reserve(head.length);
    const b = this.bytes;
    let u = this.used;
    for (let i = from; i < head.length; i++) b[u++] = head[i]!;
    this.used = u;
  }

  #stringified(v: unknown): void {
    const text = JSON.stringify(v);
    if (text === undefined) this.raw('null');
    else this.#utf8(text);
  }

  /** Already-escaped JSON text (ASCII except for characters that need no escape). */
  #utf8(text: string): void {
    this.reserve(text.length * 3);
    this.used += this.#buffer.write(text, this.used, 'utf8');
  }
}

/** Objects whose own enumerable keys are all `for…in` sees, with no `toJSON`: what we can write ourselves. */
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Room a number takes at most: `String(n)` of a double is at most 24 characters
 * (`-1.2345678901234567e-300`), `null` 4.
 */
const NUMBER_MAX = 24;

/**
 * The free-standing writers below take the target and a position and return the new end, so a
 * caller that reserved room for a whole record once (`JsonByteWriter.reserve`) writes it with no
 * bounds checks or method calls per piece. The caller guarantees the room.
 */

/** Bytes prepared once (a constant piece of JSON). */
export function putBytes(b: Uint8Array, u: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) b[u++] = bytes[i]!;
  return u;
}

/** `"text"` for text known to be printable ASCII without `"` or `\\` (needs `length + 2`). */
export function putQuotedAscii(b: Uint8Array, u: number, text: string): number {
  const n = text.length;
  b[u++] = 34;
  for (let i = 0; i < n; i++) b[u++] = text.charCodeAt(i);
  b[u++] = 34;
  return u;
}

/**
 * A JSON string literal as `JSON.stringify` writes it (lone surrogates as `\udxxx`), in UTF-8.
 * Needs `6 * length + 2` bytes at most. One pass, no temporary string: on post text (mostly
 * ASCII, some line breaks) this beat a regex check plus a native write.
 */
export function putString(b: Uint8Array, u: number, s: string): number {
  const n = s.length;
  b[u++] = 34;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 34 && c !== 92) {
        b[u++] = c;
        continue;
      }
      const escaped = ESCAPES[c]!;
      for (let k = 0; k < escaped.length; k++) b[u++] = escaped.charCodeAt(k);
    } else if (c < 0x800) {
      b[u++] = 0xc0 | (c >> 6);
      b[u++] = 0x80 | (c & 63);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[u++] = 0xe0 | (c >> 12);
      b[u++] = 0x80 | ((c >> 6) & 63);
      b[u++] = 0x80 | (c & 63);
    } else {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        b[u++] = 0xf0 | (cp >> 18);
        b[u++] = 0x80 | ((cp >> 12) & 63);
        b[u++] = 0x80 | ((cp >> 6) & 63);
        b[u++] = 0x80 | (cp & 63);
        i++;
      } else {
        b[u++] = 92;
        b[u++] = 117;
        b[u++] = HEX.charCodeAt(c >> 12);
        b[u++] = HEX.charCodeAt((c >> 8) & 15);
        b[u++] = HEX.charCodeAt((c >> 4) & 15);
        b[u++] = HEX.charCodeAt(c & 15);
      }
    }
  }
  b[u++] = 34;
  return u;
}

/** `JSON.stringify`'s escapes, found one at a time (`test` with the global flag allocates nothing and leaves `lastIndex` after the match). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes
const ESCAPED_GLOBAL = /["\\\x00-\x1f]/g;
/** Positions of the escapes in the string being written (reused). */
const escapeAt = new Int32Array(32);
/** Shorter strings are faster by hand than through a native call. */
const NATIVE_MIN = 16;

/**
 * `putString` for long text: an ASCII string is copied by Node's native writer and the few
 * characters JSON escapes are then opened up in place, from the end backwards. On post text
 * (mostly ASCII, a line break or two) this costs ~1.5 ns a character where `putString`'s loop costs
 * ~4 (the text is a slice of the CSV chunk, and every `charCodeAt` on a slice goes through its
 * parent). `native` is a Buffer over the same memory as `b`. Anything else goes to `putString`.
 */
export function putText(b: Uint8Array, native: Buffer, u: number, s: string): number {
  const n = s.length;
  if (n < NATIVE_MIN || Buffer.byteLength(s, 'utf8') !== n) return putString(b, u, s);
  ESCAPED_GLOBAL.lastIndex = 0;
  let k = 0;
  let extra = 0;
  while (ESCAPED_GLOBAL.test(s)) {
    if (k === escapeAt.length) return putString(b, u, s);
    const at = ESCAPED_GLOBAL.lastIndex - 1;
    escapeAt[k++] = at;
    extra += ESCAPES[s.charCodeAt(at)]!.length - 1;
  }
  b[u++] = 34;
  native.write(s, u, n, 'latin1');
  // Open a gap at each escape, last first, so every byte moves once.
  let src = u + n;
  let dst = src + extra;
  for (let j = k - 1; j >= 0; j--) {
    const at = escapeAt[j]!;
    const p = u + at;
    dst -= src - (p + 1);
    b.copyWithin(dst, p + 1, src);
    const escaped = ESCAPES[s.charCodeAt(at)]!;
    dst -= escaped.length;
    for (let q = 0; q < escaped.length; q++) b[dst + q] = escaped.charCodeAt(q);
    src = p;
  }
  u += n + extra;
  b[u++] = 34;
  return u;
}

/** A number as `JSON.stringify` writes it (needs `NUMBER_MAX`); counts, most numbers in a record, without a temporary string. */
export function putNumber(b: Uint8Array, u: number, n: number): number {
  if ((n | 0) === n && n >= 0) {
    // Counts fit in 31 bits: integer division by ten compiles to a multiply, where the general
    // path below divides doubles. -0 passes too and is written `0`, as JSON.stringify writes it.
    const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
    const end = u + digits;
    let at = end;
    let v = n;
    do {
      const q = (v / 10) | 0;
      b[--at] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
    return end;
  }
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) {
    // -0 passes too and is written `0`, as JSON.stringify writes it.
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const end = u + digits;
    let at = end;
    let v = n;
    do {
      b[--at] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    return end;
  }
  const text = Number.isFinite(n) ? String(n) : 'null';
  for (let i = 0; i < text.length; i++) b[u++] = text.charCodeAt(i);
  return u;
}
