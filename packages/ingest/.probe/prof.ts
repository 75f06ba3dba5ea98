import { detectFormat } from '../src/detect.ts';
import { readExport } from '../src/read-export.ts';
import { CsvParser } from '../src/csv.ts';
import { createReadStream } from 'node:fs';
const file = process.argv[2]!;
const N = 300000;
let t = process.cpuUsage().user / 1000; let n = 0;
const p = new CsvParser(() => { n++; });
for await (const c of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) { p.push(c as string); if (n >= N) break; }
let dt = process.cpuUsage().user / 1000 - t;
console.log('parse only', n, ((dt * 1000) / n).toFixed(2), 'us/row');
t = process.cpuUsage().user / 1000; n = 0;
const d = await detectFormat(file);
for await (const b of readExport(d)) { n += b.rows; if (n >= N) break; }
dt = process.cpuUsage().user / 1000 - t;
console.log('parse+normalize', n, ((dt * 1000) / n).toFixed(2), 'us/row');
