import { rmSync } from 'node:fs';
import { ingestPaths } from '../src/ingest.ts';
const dir = process.argv[3] ?? '/tmp/ingest-e2e';
if (!process.argv[4]) rmSync(dir, { recursive: true, force: true });
let peak = 0; const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
const s = await ingestPaths([process.argv[2]!], { dataDir: dir, workerMinBytes: process.env.NOWORKER ? Infinity : 0 });
clearInterval(t);
const { per_file, ...rest } = s;
console.log(JSON.stringify(rest), (s.rows_read / s.seconds) | 0, 'rows/s', 'peak', (peak / 1e6) | 0, 'MB');
