/**
 * Ingest throughput and memory: `pnpm bench:ingest [rows]` (default 1,000,000).
 *
 * Generates a legacy X export (`tweet_activity_metrics_…`, 40 quoted columns, float counts, `-`
 * promoted columns, multi-line text with HTML entities) under bench/.out/ (kept between runs), then
 * measures, each phase in its own process so peak RSS is that phase's alone:
 *   parse          the CSV reader alone (records/s)
 *   read           reader + normalization to posts (no store)
 *   ingest         end to end into an empty store, the default path for a large file: parse,
 *                  normalize, validate and serialize on the main thread; hash, dedupe, append and
 *                  fsync in the store's worker thread
 *   reingest       the same file again: every post a duplicate, nothing written
 *   lookup         open the store, then id lookups (`get`) and key lookups (`latestByKey`)
 *   ingest-inline  the first ingest again, into another empty store, all in one thread
 *
 * Every phase reports wall-clock and CPU time (`process.cpuUsage`, all threads), rows per
 * CPU-second, per-thread CPU (from /proc/self/task, sampled: `main`, the busiest other thread,
 * which is the store worker when there is one, and all other threads together: V8's GC helpers)
 * and the load average, because the reference machine is shared. Phases run with Node's defaults,
 * as `social-collect ingest` does; `BENCH_NODE_FLAGS` adds flags (e.g. `--max-semi-space-size=4`)
 * to see how the heap's settings move speed and RSS.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsvParser, detectFormat, ingestPaths, readExport, readTextChunks } from '@reer/ingest';
import { TraceStore } from '@reer/trace-store';

const OUT = fileURLToPath(new URL('./.out/', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const HEADER = [
  'Tweet id', 'Tweet permalink', 'Tweet text', 'time', 'impressions', 'engagements', 'engagement rate', 'retweets', 'replies', 'likes',
  'user profile clicks', 'url clicks', 'hashtag clicks', 'detail expands', 'permalink clicks', 'app opens', 'app installs', 'follows',
  'email tweet', 'dial phone', 'media views', 'media engagements',
  ...['impressions', 'engagements', 'engagement rate', 'retweets', 'replies', 'likes', 'user profile clicks', 'url clicks', 'hashtag clicks', 'detail expands', 'permalink clicks', 'app opens', 'app installs', 'follows', 'email tweet', 'dial phone', 'media views', 'media engagements'].map((h) => `promoted ${h}`),
];
const WORDS = 'the quick brown fox jumps over lazy dog R package data science open &amp; reproducible research community #rstats @someone https://t.co/abcdEFGH12 release new version'.split(' ');

async function generate(rows: number, file: string): Promise<void> {
  let s = 12345;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const out = createWriteStream(file);
  let buf = `${HEADER.map(q).join(',')}\n`;
  let t = Date.UTC(2016, 11, 1);
  for (let i = 0; i < rows; i++) {
    const n = 8 + Math.floor(rnd() * 30);
    let text = '';
    for (let w = 0; w < n; w++) text += (w ? (rnd() < 0.05 ? '\n' : ' ') : '') + WORDS[Math.floor(rnd() * WORDS.length)];
    const id = (1_200_000_000_000_000_000n + BigInt(i) * 7919n).toString();
    t += 60_000 * Math.floor(rnd() * 30);
    const d = new Date(t).toISOString();
    const impressions = Math.floor(rnd() * 5000);
    const engagements = Math.floor(impressions * rnd() * 0.1);
    const cols = [id, `https://twitter.com/rOpenSci/status/${id}`, text, `${d.slice(0, 10)} ${d.slice(11, 16)} +0000`, impressions.toFixed(1), engagements.toFixed(1), impressions ? String(engagements / impressions) : '0.0'];
    for (let c = 7; c < 22; c++) cols.push(c < 15 ? Math.floor(rnd() * 20).toFixed(1) : String(Math.floor(rnd() * 3)));
    for (let c = 22; c < 40; c++) cols.push('-');
    buf += `${cols.map(q).join(',')}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(buf, () => resolve());
  });
}

interface PhaseResult {
  phase: string;
  seconds: number;
  rows: number;
  rowsPerSecond: number;
  cpuSeconds: number;
  rowsPerCpuSecond: number;
  threads: { main: number; busiestOther: number; otherThreads: number };
  load: [number, number];
  peakRssMb: number;
  extra?: Record<string, unknown>;
}

/** CPU seconds per thread of this process, by thread id (threads that ended keep their last sample). */
const threadCpu = new Map<string, number>();
function sampleThreads(): void {
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threadCpu.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The thread ended between readdir and read.
    }
  }
}

function peakRssMb(): number {
  // maxRSS is in kilobytes and covers the worker threads too (one process).
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function phase(name: string, file: string, dataDir: string): Promise<PhaseResult> {
  const loadBefore = loadavg()[0] ?? 0;
  // Per-thread figures count from here: module loading before the phase is not the phase's.
  sampleThreads();
  const baseline = new Map(threadCpu);
  const sampler = setInterval(sampleThreads, 100);
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  let rows = 0;
  let extra: Record<string, unknown> | undefined;
  if (name === 'parse') {
    const parser = new CsvParser(() => {
      rows++;
    });
    // Every column, read as the importer reads (`readTextChunks`), so the ratio to `ingest` shows
    // what everything past parsing costs.
    for await (const chunk of readTextChunks(file, 'utf8', () => undefined)) parser.push(chunk);
    parser.end();
    rows--; // the header
  } else if (name === 'read') {
    for await (const batch of readExport(await detectFormat(file))) rows += batch.rows;
  } else if (name === 'ingest' || name === 'reingest' || name === 'ingest-inline') {
    const inline = name === 'ingest-inline';
    const summary = await ingestPaths([file], { dataDir: inline ? `${dataDir}-inline` : dataDir, workerMinBytes: inline ? null : 0 });
    rows = summary.rows_read;
    extra = { posts_ingested: summary.posts_ingested, duplicates: summary.duplicates, rejected: summary.rejected };
  } else if (name === 'lookup') {
    const openStarted = performance.now();
    const store = await TraceStore.open(dataDir);
    const openMs = performance.now() - openStarted;
    const count = await store.count('posts');
    const keys: string[] = [];
    for (let i = 0; i < 1000; i++) keys.push(`x:${(1_200_000_000_000_000_000n + BigInt(Math.floor((i * 7_919_993) % count)) * 7919n).toString()}`);
    const versions = await store.latestByKeys('posts', keys);
    const ids = versions.map((v) => v?.id).filter((v): v is string => v !== undefined);
    const time = async (fn: (i: number) => Promise<unknown>, n: number) => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        if ((await fn(i)) === undefined) throw new Error(`lookup ${i} found nothing`);
        samples.push(performance.now() - t0);
      }
      samples.sort((a, b) => a - b);
      return { mean_ms: samples.reduce((a, b) => a + b, 0) / n, p99_ms: samples[Math.floor(n * 0.99)] ?? 0 };
    };
    const byId = await time((i) => store.get('posts', ids[i % ids.length] ?? ''), 1000);
    const byKey = await time((i) => store.latestByKey('posts', keys[i % keys.length] ?? ''), 1000);
    await store.close();
    rows = count;
    extra = { open_ms: Math.round(openMs), get_by_id: byId, latest_by_key: byKey };
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  clearInterval(sampler);
  sampleThreads();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const main = (threadCpu.get(String(process.pid)) ?? 0) - (baseline.get(String(process.pid)) ?? 0);
  const others = [...threadCpu].filter(([tid]) => tid !== String(process.pid)).map(([tid, v]) => v - (baseline.get(tid) ?? 0));
  const busiestOther = Math.max(0, ...others);
  const threads = { main, busiestOther, otherThreads: Math.round((others.reduce((a, b) => a + b, 0) - busiestOther) * 100) / 100 };
  return {
    phase: name,
    seconds,
    rows,
    rowsPerSecond: Math.round(rows / seconds),
    cpuSeconds,
    rowsPerCpuSecond: Math.round(rows / cpuSeconds),
    threads,
    load: [loadBefore, loadavg()[0] ?? 0],
    peakRssMb: peakRssMb(),
    extra,
  };
}

function runPhase(name: string, file: string, dataDir: string): PhaseResult {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawnSync(process.execPath, [...flags, ...process.execArgv, SELF, '--phase', name, file, dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`phase ${name} failed (exit ${child.status})`);
  const last = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as PhaseResult;
}

async function main(): Promise<void> {
  const phaseAt = process.argv.indexOf('--phase');
  if (phaseAt >= 0) {
    const [name, file, dataDir] = process.argv.slice(phaseAt + 1);
    process.stdout.write(`${JSON.stringify(await phase(name ?? '', file ?? '', dataDir ?? ''))}\n`);
    return;
  }
  const rows = Number(process.argv[2] ?? 1_000_000);
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `tweet_activity_metrics_rOpenSci_${rows}_rows_en.csv`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${rows} rows → ${file}\n`);
    await generate(rows, file);
  }
  const mb = statSync(file).size / 1e6;
  const dataDir = join(OUT, 'ingest-store');
  rmSync(dataDir, { recursive: true, force: true });
  process.stderr.write(`input: ${rows} rows, 40 columns, ${mb.toFixed(0)} MB; Node ${process.version}\n`);
  const results: PhaseResult[] = [];
  rmSync(`${dataDir}-inline`, { recursive: true, force: true });
  const only = process.env.BENCH_PHASES?.split(',');
  for (const name of only ?? ['parse', 'read', 'ingest', 'reingest', 'lookup', 'ingest-inline']) {
    const r = runPhase(name, file, dataDir);
    results.push(r);
    const t = r.threads;
    process.stderr.write(
      `${name.padEnd(13)} ${r.rowsPerSecond.toLocaleString('en-US').padStart(9)} rows/s wall  ${r.seconds.toFixed(1).padStart(5)} s  ` +
        `cpu ${r.cpuSeconds.toFixed(1)} s = ${r.rowsPerCpuSecond.toLocaleString('en-US')} rows/cpu-s (main ${t.main.toFixed(1)}, busiest other ${t.busiestOther.toFixed(1)}, rest ${t.otherThreads.toFixed(1)})  ` +
        `load ${r.load.map((l) => l.toFixed(1)).join('→')}  peak RSS ${r.peakRssMb} MB${r.extra ? `  ${JSON.stringify(r.extra)}` : ''}\n`,
    );
  }
  const parse = results.find((r) => r.phase === 'parse');
  const ingest = results.find((r) => r.phase === 'ingest');
  if (parse && ingest) process.stderr.write(`end to end / parser alone: ${(ingest.rowsPerSecond / parse.rowsPerSecond).toFixed(2)}\n`);
  process.stdout.write(`${JSON.stringify({ rows, mb: Math.round(mb), results })}\n`);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(`${dataDir}-inline`, { recursive: true, force: true });
}

await main();
