import Papa from 'papaparse';
import { createReadStream } from 'node:fs';
const f = process.argv[2];
const t0 = performance.now(); let rows = 0;
await new Promise((res, rej) => {
  Papa.parse(createReadStream(f, { encoding: 'utf8', highWaterMark: 1 << 20 }), {
    chunk(r) { rows += r.data.length; }, complete: res, error: rej,
  });
});
const dt = (performance.now() - t0) / 1000;
console.log('papaparse stream', rows, (rows / dt) | 0, 'rows/s', (process.memoryUsage().rss / 1e6) | 0, 'MB');
