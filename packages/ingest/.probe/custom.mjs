import { createReadStream } from 'node:fs';
// incremental CSV: feed string chunks, emits rows (arrays) 
function makeParser(onRow) {
  let buf = ''; let line = 1;
  function parse(final) {
    const s = buf; const n = s.length; let i = 0;
    let rowStart = 0;
    outer: while (i < n) {
      rowStart = i; const startLine = line; let nl = 0;
      const row = [];
      for (;;) {
        if (i >= n) { if (final) { break; } i = rowStart; break outer; }
        let c = s.charCodeAt(i);
        let val;
        if (c === 34) { // quoted
          let j = i + 1; let parts = null; let from = j;
          for (;;) {
            const q = s.indexOf('"', j);
            if (q < 0) { if (final) { val = s.slice(from); i = n; break; } i = rowStart; break outer; }
            if (s.charCodeAt(q + 1) === 34) { (parts ??= []).push(s.slice(from, q + 1)); j = q + 2; from = j; continue; }
            if (q + 1 >= n && !final) { i = rowStart; break outer; }
            val = parts ? parts.join('') + s.slice(from, q) : s.slice(from, q);
            i = q + 1; break;
          }
          // count newlines inside val
          let k = val.indexOf('\n'); while (k >= 0) { nl++; k = val.indexOf('\n', k + 1); }
          c = s.charCodeAt(i);
        } else {
          let j = i;
          while (j < n) { const d = s.charCodeAt(j); if (d === 44 || d === 10 || d === 13) break; j++; }
          if (j >= n && !final) { i = rowStart; break outer; }
          val = s.slice(i, j); i = j; c = s.charCodeAt(i);
        }
        row.push(val);
        if (c === 44) { i++; continue; }
        if (c === 13) { i++; c = s.charCodeAt(i); }
        if (c === 10) { i++; nl++; break; }
        if (i >= n) { if (!final) { i = rowStart; break outer; } break; }
      }
      line += nl; onRow(row, startLine);
      if (i >= n && final) break;
    }
    buf = s.slice(i);
  }
  return { push(chunk) { buf += chunk; parse(false); }, end() { if (buf.length) parse(true); } };
}
const f = process.argv[2];
const t0 = performance.now(); let rows = 0; let fields = 0;
let bad=0; const p = makeParser((r, l) => { rows++; fields += r.length; if (r.length!==40 && bad++<3) console.log(l, r.length, JSON.stringify(r).slice(0,300)); });
for await (const chunk of createReadStream(f, { encoding: 'utf8', highWaterMark: 1 << 20 })) p.push(chunk);
p.end();
const dt = (performance.now() - t0) / 1000;
console.log('custom', rows, fields / rows, (rows / dt) | 0, 'rows/s', (process.memoryUsage().rss / 1e6) | 0, 'MB');
