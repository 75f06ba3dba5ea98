/**
 * llama:: provider throughput and overhead: `pnpm bench:llama [--model gemma3-270m] [--threads N] [--rounds 5]`
 * (threads default to the provider's: cores − 1, at least 1).
 *
 * Uses a cached model (`pnpm models:fixture --model gemma3-270m`, or the default SmolLM2 fixture).
 * Three workloads, each run through the provider (`createLlamaBackend`) and as the same raw
 * node-llama-cpp calls on the same loaded model, interleaved A/B so that load from other processes
 * hits both alike; the medians are reported:
 *   - prompt processing: a ~480-token prompt, 1 output token (chat)
 *   - generation: 128 output tokens, greedy, from a short prompt (tokens/s over the whole call)
 *   - score: a ~40-token prompt + ~240-token continuation, log-probabilities of every continuation token
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
// node-llama-cpp is a dependency of @reer/lm-registry only; the bench reaches it through that package.
import { LlamaChat, type ChatHistoryItem, type Token } from 'node-llama-cpp';
import { silentLogger } from '@reer/core';
import { createLlamaBackend, resolveModelCacheDir, type LlamaBackend } from '@reer/lm-registry';
// The backend class (for its shared model) is not public: typed from its file.

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const preferred = flag('model', 'gemma3-270m');
const threads = Number(flag('threads', String(Math.max(1, availableParallelism() - 1))));
const rounds = Number(flag('rounds', '5'));
const cacheDir = resolveModelCacheDir({ env: process.env });
const model = [preferred, 'smollm2-135m-instruct'].find((m) => existsSync(`${cacheDir}/${m}.gguf`));
if (!model) {
  process.stderr.write(`no cached model: run \`pnpm models:fixture --model gemma3-270m\` first\n`);
  process.exit(1);
}

const backend = createLlamaBackend(model, { env: process.env, logger: silentLogger, settings: { threads, sequences: 1, context_size: 2048 } }) as LlamaBackend;
const loadStart = performance.now();
const shared = await backend.shared();
const loadMs = performance.now() - loadStart;
const never = new AbortController().signal;

const paragraph =
  'Open-source maintainers announce releases, answer questions and thank contributors. A good post says what changed, why it matters to the reader, and where to learn more, in a voice that sounds like the project. ';
const longPrompt = paragraph.repeat(12);
const shortPrompt = 'Write a detailed, friendly announcement of a new release of a data-cleaning package, with three paragraphs.';
const scorePrompt = 'Write a post announcing a new release of our data package for R users.\n\n';
const scoreContinuation = paragraph.repeat(6);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Raw node-llama-cpp: the same chat on the same model, context and chat wrapper, no provider code. */
async function rawChat(text: string, maxTokens: number): Promise<{ input: number; output: number }> {
  const sequence = await shared.sequences.acquire();
  try {
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: shared.chatWrapper, autoDisposeSequence: false });
    const before = { input: sequence.tokenMeter.usedInputTokens, output: sequence.tokenMeter.usedOutputTokens };
    const history: ChatHistoryItem[] = [{ type: 'user', text }];
    await chat.generateResponse(history, { maxTokens, temperature: 0 });
    chat.dispose({ disposeSequence: false });
    return { input: sequence.tokenMeter.usedInputTokens - before.input, output: sequence.tokenMeter.usedOutputTokens - before.output };
  } finally {
    shared.sequences.release(sequence);
  }
}

/** Raw node-llama-cpp scoring: one tokenization, prompt evaluated, continuation with next-token probabilities. */
async function rawScore(): Promise<number> {
  const sequence = await shared.sequences.acquire();
  try {
    const { model: m } = shared;
    const promptTokens = m.tokenize(scorePrompt, true);
    const all: Token[] = [...(m.tokens.bos !== null && m.tokens.shouldPrependBosToken ? [m.tokens.bos] : []), ...m.tokenize(scorePrompt + scoreContinuation, true)];
    const first = all.length - (m.tokenize(scorePrompt + scoreContinuation, true).length - promptTokens.length);
    await sequence.evaluateWithoutGeneratingNewTokens(all.slice(0, first - 1));
    const vocabulary = m.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 262_144;
    const slice = Math.max(8, Math.floor(4_000_000 / vocabulary));
    const logprobs: number[] = [];
    for (let start = first - 1; start < all.length - 1; start += slice) {
      const end = Math.min(start + slice, all.length - 1);
      const out = await sequence.controlledEvaluate(all.slice(start, end).map((t) => [t, { generateNext: { probabilities: true } }] as [Token, { generateNext: { probabilities: true } }]));
      for (let k = 0; k < end - start; k++) logprobs.push(Math.log(out[k]?.next.probabilities?.get(all[start + k + 1]!) ?? Number.MIN_VALUE));
    }
    return logprobs.length;
  } finally {
    shared.sequences.release(sequence);
  }
}

interface Sample {
  providerMs: number;
  rawMs: number;
  providerCpuMs: number;
  rawCpuMs: number;
  tokens: number;
}

/** Wall time and process CPU time (all threads, llama.cpp's included): CPU time is what other
 * processes on a shared machine do not inflate, so the overhead is judged on it. */
async function timed<T>(fn: () => Promise<T>): Promise<[number, number, T]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return [performance.now() - start, (used.user + used.system) / 1000, value];
}

async function measure(name: string, provider: () => Promise<number>, raw: () => Promise<number>): Promise<{ name: string; samples: Sample[] }> {
  await provider();
  await raw();
  const samples: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first so drift in machine load does not favour one side.
    const order = r % 2 === 0 ? ['p', 'r'] : ['r', 'p'];
    const sample: Sample = { providerMs: 0, rawMs: 0, providerCpuMs: 0, rawCpuMs: 0, tokens: 0 };
    for (const side of order) {
      const [ms, cpuMs, tokens] = await timed(side === 'p' ? provider : raw);
      if (side === 'p') {
        sample.providerMs = ms;
        sample.providerCpuMs = cpuMs;
      } else {
        sample.rawMs = ms;
        sample.rawCpuMs = cpuMs;
      }
      sample.tokens = tokens;
    }
    samples.push(sample);
  }
  return { name, samples };
}

const results = [
  await measure(
    'prompt processing (tokens in, 1 out)',
    async () => (await backend.chat({ messages: [{ role: 'user', content: longPrompt }], maxTokens: 1, temperature: 0 }, never)).usage.inputTokens,
    async () => (await rawChat(longPrompt, 1)).input,
  ),
  await measure(
    'generation (tokens out, greedy)',
    async () => (await backend.chat({ messages: [{ role: 'user', content: shortPrompt }], maxTokens: 128, temperature: 0 }, never)).usage.outputTokens,
    async () => (await rawChat(shortPrompt, 128)).output,
  ),
  await measure(
    'score (continuation tokens)',
    async () => (await backend.score([{ prompt: scorePrompt, continuation: scoreContinuation }], never))[0]!.tokens.length,
    rawScore,
  ),
];

const lines = [
  `model ${model} (${shared.model.filename ?? ''}), llama.cpp ${shared.llama.buildType} build, gpu ${String(shared.llama.gpu)}, ${threads} thread(s), load ${loadMs.toFixed(0)} ms, ${rounds} rounds`,
  '',
  '| workload | tokens | provider tok/s (wall) | raw tok/s (wall) | provider tok/s (CPU) | raw tok/s (CPU) | overhead (CPU time) |',
  '|---|---|---|---|---|---|---|',
];
for (const { name, samples } of results) {
  const tokens = samples[0]?.tokens ?? 0;
  const p = median(samples.map((s) => s.providerMs));
  const r = median(samples.map((s) => s.rawMs));
  const pc = median(samples.map((s) => s.providerCpuMs));
  const rc = median(samples.map((s) => s.rawCpuMs));
  const rate = (ms: number) => ((tokens / ms) * 1000).toFixed(1);
  lines.push(`| ${name} | ${tokens} | ${rate(p)} | ${rate(r)} | ${rate(pc)} | ${rate(rc)} | ${(((pc - rc) / rc) * 100).toFixed(1)}% |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
await backend.close();
