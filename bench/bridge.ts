// pnpm bench:bridge [--model DIR] [--max-tokens 128] [--rounds 3] [--repeats 2]
//
// Tokens per second through the MLX bridge (registry → mlx:: backend → JSON-RPC → mlx_lm) against
// mlx_lm called in-process, on the same random ~100M-parameter float32 model, inputs and settings
// (greedy, streaming). Scoring is compared with one direct forward pass over the same token ids.
// Rounds alternate the in-process run (mlx-bridge/bench/bench_bridge.py) and the bridge run so
// background load on a shared machine falls on both. Writes bench/.out/bridge.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRegistry, type ChatMessage } from '@reer/lm-registry';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bridgeDir = join(root, 'mlx-bridge');
const python = process.env.REER_MLX_PYTHON ?? join(bridgeDir, '.venv', 'bin', 'python');

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    'max-tokens': { type: 'string', default: '128' },
    rounds: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '2' },
  },
});
const maxTokens = Number(values['max-tokens']);
const rounds = Number(values.rounds);
const repeats = Number(values.repeats);

if (!existsSync(python)) {
  process.stderr.write(`bench:bridge: no Python at ${python}; run \`pnpm bridge:setup\` first\n`);
  process.exit(1);
}

function runPython(args: string[]): string {
  const res = spawnSync(python, args, { cwd: bridgeDir, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (res.status !== 0) throw new Error(`${args.join(' ')} failed:\n${res.stderr}`);
  return res.stdout.trim().split('\n').pop() ?? '';
}

const model = values.model ? resolve(values.model) : runPython(['-m', 'mlx_bridge.random_model', '--preset', 'bench-100m']);
interface Inputs {
  messages: ChatMessage[];
  score_prompt: string;
  score_continuation: string;
}
interface Timed {
  tokens: number;
  seconds: number[];
  cpu_seconds: number[];
}
interface InProcess {
  generate: Timed;
  forward: Timed;
  device: string;
  mlx_version: string;
}

/** The Python side is ours, but its output still crosses a process boundary: check its shape. */
function expectShape<T>(value: unknown, keys: string[], what: string): T {
  if (typeof value !== 'object' || value === null || keys.some((k) => !(k in value))) {
    throw new Error(`bench_bridge.py returned an unexpected ${what}: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return value as T;
}

const inputs = expectShape<Inputs>(JSON.parse(runPython(['bench/bench_bridge.py', '--print-inputs'])), ['messages', 'score_prompt', 'score_continuation'], 'inputs object');

const registry = createRegistry({
  config: {
    raw: {
      providers: {
        timeout_ms: 3_600_000,
        entries: {
          mlx: {
            kind: 'mlx',
            auth_method: 'none',
            supported_models: ['*'],
            rate_limits: { rpm: 1_000_000, concurrency: 1 },
            python,
            request_timeout_ms: 3_600_000,
            log_level: 'warning',
          },
        },
      },
    },
    files: ['(bench)'],
  },
  env: process.env,
});
const lm = registry.resolve(`mlx::${model}`);

// CPU time is steadier than wall time on a shared machine: for the bridge it is the bridge
// process's (all threads) plus this client's, read from /proc (Linux; 0 elsewhere).
const CLOCK_TICKS = 100;
function bridgeCpuSeconds(): number {
  if (!existsSync('/proc')) return 0;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid || !stat.includes('(python')) continue;
    total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }
  return total;
}
function cpuNow(): number {
  const own = process.cpuUsage();
  return bridgeCpuSeconds() + (own.user + own.system) / 1e6;
}

async function bridgeGenerate(): Promise<{ tokens: number; seconds: number; cpu: number }> {
  const cpuStarted = cpuNow();
  const started = performance.now();
  let tokens = 0;
  for await (const event of lm.stream({ messages: inputs.messages, temperature: 0, maxTokens })) {
    if (event.type === 'done') tokens = event.result.usage.outputTokens;
  }
  return { tokens, seconds: (performance.now() - started) / 1000, cpu: cpuNow() - cpuStarted };
}

async function bridgeScore(): Promise<{ seconds: number; cpu: number }> {
  const cpuStarted = cpuNow();
  const started = performance.now();
  await lm.score([{ prompt: inputs.score_prompt, continuation: inputs.score_continuation }]);
  return { seconds: (performance.now() - started) / 1000, cpu: cpuNow() - cpuStarted };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

process.stderr.write(`bench:bridge: model ${model}, ${maxTokens} tokens, ${rounds} rounds x ${repeats} repeats\n`);
await bridgeGenerate(); // warm-up: starts the bridge and loads the model
await bridgeScore();

const inproc = { generate: [] as number[], forward: [] as number[], generateCpu: [] as number[], forwardCpu: [] as number[], genTokens: 0, fullTokens: 0, device: '', mlx: '' };
const bridge = { generate: [] as number[], score: [] as number[], generateCpu: [] as number[], scoreCpu: [] as number[], genTokens: 0 };
for (let round = 0; round < rounds; round++) {
  const out = expectShape<{ inprocess: unknown }>(
    JSON.parse(runPython(['bench/bench_bridge.py', '--mode', 'inprocess', '--model', model, '--max-tokens', String(maxTokens), '--repeats', String(repeats)])),
    ['inprocess'],
    'result',
  );
  const r = expectShape<InProcess>(out.inprocess, ['generate', 'forward', 'device', 'mlx_version'], 'in-process result');
  inproc.generate.push(...r.generate.seconds);
  inproc.forward.push(...r.forward.seconds);
  inproc.generateCpu.push(...r.generate.cpu_seconds);
  inproc.forwardCpu.push(...r.forward.cpu_seconds);
  inproc.genTokens = r.generate.tokens;
  inproc.fullTokens = r.forward.tokens;
  inproc.device = r.device;
  inproc.mlx = r.mlx_version;
  for (let i = 0; i < repeats; i++) {
    const g = await bridgeGenerate();
    bridge.generate.push(g.seconds);
    bridge.generateCpu.push(g.cpu);
    bridge.genTokens = g.tokens;
  }
  for (let i = 0; i < repeats; i++) {
    const sc = await bridgeScore();
    bridge.score.push(sc.seconds);
    bridge.scoreCpu.push(sc.cpu);
  }
  process.stderr.write(`bench:bridge: round ${round + 1}/${rounds} done\n`);
}
await registry.close();

if (bridge.genTokens !== inproc.genTokens) {
  process.stderr.write(`bench:bridge: warning: the bridge generated ${bridge.genTokens} tokens, in-process ${inproc.genTokens}\n`);
}
const result = {
  model,
  device: inproc.device,
  mlxVersion: inproc.mlx,
  maxTokens,
  generatedTokens: inproc.genTokens,
  scoredTokens: inproc.fullTokens,
  samples: { inproc, bridge },
  inprocessGenerateTps: inproc.genTokens / median(inproc.generate),
  bridgeGenerateTps: bridge.genTokens / median(bridge.generate),
  forwardTps: inproc.fullTokens / median(inproc.forward),
  bridgeScoreTps: inproc.fullTokens / median(bridge.score),
  inprocessGenerateTpCpuS: inproc.genTokens / median(inproc.generateCpu),
  bridgeGenerateTpCpuS: bridge.genTokens / median(bridge.generateCpu),
  forwardTpCpuS: inproc.fullTokens / median(inproc.forwardCpu),
  bridgeScoreTpCpuS: inproc.fullTokens / median(bridge.scoreCpu),
};
const generateRatio = result.bridgeGenerateTps / result.inprocessGenerateTps;
const scoreRatio = result.bridgeScoreTps / result.forwardTps;
const generateCpuRatio = result.bridgeGenerateTpCpuS / result.inprocessGenerateTpCpuS;
const scoreCpuRatio = result.bridgeScoreTpCpuS / result.forwardTpCpuS;
mkdirSync(join(root, 'bench', '.out'), { recursive: true });
writeFileSync(join(root, 'bench', '.out', 'bridge.json'), `${JSON.stringify({ ...result, generateRatio, scoreRatio, generateCpuRatio, scoreCpuRatio }, null, 2)}\n`);

const f = (x: number): string => x.toFixed(2);
const verdict = (ratio: number): string => (ratio >= 0.9 ? 'ok (>= 90%)' : 'BELOW 90%');
process.stdout.write(
  [
    `| measure | in-process | bridge | bridge / in-process |`,
    `| --- | --- | --- | --- |`,
    `| streaming generation, tokens/s (${inproc.genTokens} tokens) | ${f(result.inprocessGenerateTps)} | ${f(result.bridgeGenerateTps)} | ${(generateRatio * 100).toFixed(1)}% ${verdict(generateRatio)} |`,
    `| score vs forward pass, tokens/s (${inproc.fullTokens} tokens) | ${f(result.forwardTps)} | ${f(result.bridgeScoreTps)} | ${(scoreRatio * 100).toFixed(1)}% ${verdict(scoreRatio)} |`,
    `| streaming generation, tokens per CPU-second | ${f(result.inprocessGenerateTpCpuS)} | ${f(result.bridgeGenerateTpCpuS)} | ${(generateCpuRatio * 100).toFixed(1)}% ${verdict(generateCpuRatio)} |`,
    `| score vs forward pass, tokens per CPU-second | ${f(result.forwardTpCpuS)} | ${f(result.bridgeScoreTpCpuS)} | ${(scoreCpuRatio * 100).toFixed(1)}% ${verdict(scoreCpuRatio)} |`,
    '',
  ].join('\n'),
);
