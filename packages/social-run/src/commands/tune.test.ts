import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '@reer/cli-kit';
import { DATA_LAYOUT } from '@reer/core';
import { type FakeRequest, type FakeServer, fakeProvidersConfig, startFakeOpenAIServer } from '@reer/lm-registry/testing';
import { TraceStore } from '@reer/trace-store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program.ts';

/**
 * End to end: `social-run tune` against a fake OpenAI-compatible server whose "model" writes
 * better posts (by the scorer's measure) when the instruction asks for a question hook, a call to
 * action and a closing hashtag, and whose "reflection model" adds one of those asks at a time.
 * Then `social-run generate` must use the tuned instruction.
 */
const TIPS = ['Open with a question.', 'End with a call to action.', 'Close with one hashtag.'];

interface ChatBody {
  messages: { role: string; content: string }[];
}

function fakeModel(request: FakeRequest) {
  if (request.endpoint !== 'chat') return undefined;
  const body = request.body as ChatBody;
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  const user = body.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
  if (system.includes('You improve the instructions')) {
    const current = /currently reads:\n```\n([\s\S]*?)\n```/.exec(user)?.[1] ?? '';
    const next = TIPS.find((tip) => !current.includes(tip));
    return { text: `Here is a better one:\n\`\`\`\n${next ? `${current} ${next}` : current}\n\`\`\`` };
  }
  if (system.includes('`Post Text`')) {
    const instruction = /<task_definition>\n([\s\S]*?)\n<\/task_definition>/.exec(system)?.[1] ?? '';
    const topic = /Post Topic: (.*)/.exec(user)?.[1]?.replace(/^Write a post about: /, '').trim() ?? 'our work';
    let post = `A note on ${topic}.`;
    if (instruction.includes(TIPS[0]!)) post = `Ever wondered why this matters?\n\n${post}`;
    if (instruction.includes(TIPS[1]!)) post = `${post}\n\nTry it today and tell us what you think!`;
    if (instruction.includes(TIPS[2]!)) post = `${post} #rstats`;
    return { text: `Post Text: ${post}` };
  }
  return undefined;
}

const TOPICS = [
  'the new testthat release and its snapshot tests',
  'why small pull requests get merged faster',
  'our community call on package documentation',
  'a faster way to render Quarto books',
  'lessons from maintaining an R package for ten years',
  'the rOpenSci review process from the inside',
  'profiling slow R code with profvis',
  'writing vignettes people actually read',
  'continuous integration for R packages on GitHub',
  'teaching tidy data to first year students',
  'how we triage issues every Monday',
  'the story behind our package hex sticker',
];

async function seedStore(dataDir: string) {
  const store = await TraceStore.open(dataDir);
  try {
    await store.append(
      'posts',
      TOPICS.map((topic, i) => ({
        type: 'post' as const,
        source: 'test',
        data: {
          platform: 'x',
          post_id: String(1000 + i),
          author: 'ada',
          text: `Thinking about ${topic}. More soon.`,
          created_at: new Date(Date.UTC(2025, 0, 1 + i * 3)).toISOString(),
          is_reply: false,
          is_repost: false,
          metrics: { impressions: 1000, likes: 10 + i, reposts: 1, replies: 1 },
        },
      })),
    );
  } finally {
    await store.close();
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = 0;
  try {
    await runMain(buildProgram(), ['node', 'social-run', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout };
  } finally {
    process.exitCode = previous;
    write.mockRestore();
  }
}

describe('social-run tune, end to end against a fake OpenAI-compatible server', () => {
  let server: FakeServer;
  let dir: string;
  let configFile: string;

  beforeEach(async () => {
    server = await startFakeOpenAIServer({ handler: fakeModel });
    dir = mkdtempSync(join(tmpdir(), 'social-run-tune-'));
    configFile = join(dir, 'config.yaml');
    // JSON is YAML: the fake providers section plus a small, fast GEPA setup.
    const raw = { ...fakeProvidersConfig(server).raw, gepa: { budget: 60, concurrency: 4, val_fraction: 0.34 }, logging: { level: 'error' } };
    writeFileSync(configFile, JSON.stringify(raw));
    await seedStore(join(dir, 'data'));
  });

  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises the validation score, writes tuned_pipeline.json, and generate then uses the tuned instruction', async () => {
    const dataDir = join(dir, 'data');
    const base = ['--data-dir', dataDir, '--config', configFile, '--log-level', 'error'];
    const tuned = await cli([...base, 'tune', '--lm', 'dspy::fake/fake-model', '--json']);
    expect(tuned.code).toBe(0);
    const summary = JSON.parse(tuned.stdout) as { seed_val_score: number; tuned_val_score: number; instruction: string; budget: { used: number }; sets: { val: number } };
    console.info(`tune e2e: seed ${summary.seed_val_score.toFixed(3)} → tuned ${summary.tuned_val_score.toFixed(3)}, ${summary.budget.used} calls, ${summary.sets.val} val`);
    expect(summary.tuned_val_score).toBeGreaterThan(summary.seed_val_score + 0.1);
    expect(TIPS.some((tip) => summary.instruction.includes(tip))).toBe(true);
    expect(summary.budget.used).toBeGreaterThanOrEqual(60);

    const file = join(dataDir, DATA_LAYOUT.tunedPipeline);
    const document = JSON.parse(readFileSync(file, 'utf8')) as { components: { instruction: string }; lineage: unknown[]; scores: { seed: number; tuned: number } };
    expect(document.components.instruction).toBe(summary.instruction);
    expect(document.lineage.length).toBeGreaterThan(0);
    // Never the training data: no post text from the store in the result file.
    expect(readFileSync(file, 'utf8')).not.toContain('More soon.');
    // Checkpoints were written, one run file.
    expect(readdirSync(join(dataDir, DATA_LAYOUT.checkpoints)).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);

    server.reset();
    const generated = await cli([...base, 'generate', '--topic', 'our next release', '--lm', 'dspy::fake/fake-model', '--candidates', '1', '--json']);
    expect(generated.code).toBe(0);
    const output = JSON.parse(generated.stdout) as { context: { program: string } };
    expect(output.context.program).toBe('tuned');
    const systems = server.requests.map((r) => (r.body as ChatBody | undefined)?.messages?.find((m) => m.role === 'system')?.content ?? '');
    expect(systems.some((s) => s.includes(summary.instruction))).toBe(true);
  });

  it('resumes an interrupted run to the same result', async () => {
    const dataDir = join(dir, 'data');
    const base = ['--data-dir', dataDir, '--config', configFile, '--log-level', 'error'];
    const full = await cli([...base, 'tune', '--lm', 'dspy::fake/fake-model', '--run-id', 'full', '--json']);
    expect(full.code).toBe(0);

    // Kill the second run after a few proposals: the fake server starts failing every request.
    let reflections = 0;
    server.setHandler((request) => {
      const system = (request.body as ChatBody | undefined)?.messages?.[0]?.content ?? '';
      if (system.includes('You improve the instructions') && ++reflections > 1) return { status: 401, json: { error: { message: 'killed' } } };
      return fakeModel(request);
    });
    const killed = await cli([...base, 'tune', '--lm', 'dspy::fake/fake-model', '--run-id', 'again', '--json']);
    expect(killed.code).not.toBe(0);
    server.setHandler(fakeModel);
    const resumed = await cli([...base, 'tune', '--lm', 'dspy::fake/fake-model', '--run-id', 'again', '--resume', '--json']);
    expect(resumed.code).toBe(0);
    const a = JSON.parse(full.stdout) as Record<string, unknown>;
    const b = JSON.parse(resumed.stdout) as Record<string, unknown>;
    for (const key of ['seed_val_score', 'tuned_val_score', 'instruction', 'budget', 'iterations', 'candidates']) expect(b[key]).toEqual(a[key]);
    expect(existsSync(join(dataDir, DATA_LAYOUT.checkpoints, 'again.jsonl'))).toBe(true);
  });
});

describe('social-run tune, bad usage', () => {
  it('fails with a one-line usage error when --train comes without --val', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'social-run-tune-usage-'));
    try {
      let stderr = '';
      const errors = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      });
      const result = await cli(['--data-dir', dir, 'tune', '--lm', 'dspy::fake/fake-model', '--train', join(dir, 'train.jsonl')]);
      errors.mockRestore();
      expect(result.code).toBe(2);
      expect(stderr).toContain('error [E_USAGE]: --train and --val go together');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
