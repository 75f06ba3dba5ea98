import { AxMockAIService } from '@ax-llm/ax';
import type { PostData } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_STRATEGIES } from './builtin-strategies.ts';
import { axGeneratorLm, generateCandidates, tokenBudget, type GenerateCandidatesOptions, type RuleVerdict } from './generate.ts';
import { OFFLINE_LM } from './offline-composer.ts';

const LIMIT = 120;
const measure = (t: string) => [...t].length;
const checkRules = (text: string): RuleVerdict => {
  const length = measure(text);
  const tooLong = length > LIMIT;
  return { valid: !tooLong && length > 0, violations: tooLong ? [`too_long: ${length}/${LIMIT}`] : [], tooLong, length, limit: LIMIT };
};

const history: PostData[] = [
  {
    platform: 'x',
    post_id: 'p1',
    author: 'me',
    text: 'Our community call on reproducible research is next Tuesday, join us #rstats',
    created_at: '2024-01-01T00:00:00.000Z',
    is_reply: false,
    is_repost: false,
    metrics: { likes: 40, impressions: 1000 },
  },
  {
    platform: 'x',
    post_id: 'p2',
    author: 'me',
    text: 'New package release: faster imports and better docs #rstats',
    created_at: '2024-01-02T00:00:00.000Z',
    is_reply: false,
    is_repost: false,
    metrics: { likes: 10, impressions: 1000 },
  },
];

type Reply = string | ((prompt: string) => string);

/** A mock LM answering the generation program and the repair program from scripts. */
function scriptedLm(replies: { post: Reply[]; shorten?: Reply[] }) {
  const seen: { system: string; user: string; temperature: number | undefined }[] = [];
  let postIndex = 0;
  let shortenIndex = 0;
  const ai = new AxMockAIService<string>({
    chatResponse: async (req) => {
      const system = String(req.chatPrompt[0]?.content ?? '');
      const user = String(req.chatPrompt.at(-1)?.content ?? '');
      seen.push({ system, user, temperature: req.modelConfig?.temperature });
      const isRepair = system.includes('shortenedPost');
      const script = isRepair ? (replies.shorten ?? []) : replies.post;
      const i = isRepair ? shortenIndex++ : postIndex++;
      const reply = script[Math.min(i, script.length - 1)] ?? '';
      const text = typeof reply === 'function' ? reply(user) : reply;
      if (text === 'THROW') throw new Error('provider exploded');
      return { results: [{ index: 0, content: `${isRepair ? 'Shortened Post' : 'Post Text'}: ${text}`, finishReason: 'stop' }] };
    },
  });
  return { lm: axGeneratorLm('mock::scripted', ai), seen };
}

function baseOptions(overrides: Partial<GenerateCandidatesOptions>): GenerateCandidatesOptions {
  return {
    topic: 'package release with better docs',
    platform: 'x',
    lms: [],
    candidates: 4,
    strategies: BUILTIN_STRATEGIES,
    posts: history,
    engagementOf: (p) => (p.metrics.likes ?? 0) / (p.metrics.impressions ?? 1),
    checkRules,
    measure,
    scoreCandidate: (text) => ({ score: Math.min(1, text.length / 100), valid: true, violations: [], explanation: `length ${text.length}` }),
    rulesText: `X: at most ${LIMIT} characters.`,
    ...overrides,
  };
}

describe('generateCandidates', () => {
  it('gives the program the topic, the strategy brief and the author\'s related best posts', async () => {
    const { lm, seen } = scriptedLm({ post: ['A fresh post about the release, with docs and speed.'] });
    await generateCandidates(baseOptions({ lms: [lm], candidates: 1, strategyOverride: 'builtin:announcement' }));
    const user = seen[0]?.user ?? '';
    expect(user).toContain('package release with better docs');
    expect(user).toContain('Announcement: Lead with the news');
    expect(user).toContain('New package release: faster imports');
    expect(seen[0]?.system).toContain('Write one new social media post');
  });

  it('repairs a too-long post and drops one still too long after two rounds', async () => {
    const long = 'x'.repeat(200);
    const { lm, seen } = scriptedLm({
      post: ['Short and good post about the release.', long],
      shorten: [(u) => (u.includes('xxxx') ? 'y'.repeat(150) : 'ok'), 'y'.repeat(150)],
    });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 2, strategyOverride: 'builtin:story' }));
    expect(seen.filter((s) => s.system.includes('shortenedPost'))).toHaveLength(2);
    expect(result.candidates).toHaveLength(1);
    expect(result.dropped).toHaveLength(1);
    expect(result.dropped[0]?.dropped).toMatch(/still invalid after 2 repair/);
    expect(result.dropped[0]?.repairs).toBe(2);
  });

  it('splits a thread into parts that each fit', async () => {
    const long = 'This is one sentence of a long thread about the package. '.repeat(6).trim();
    const { lm } = scriptedLm({ post: [long] });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 1, thread: true, numbering: true }));
    const parts = result.candidates[0]?.parts ?? [];
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(measure(part)).toBeLessThanOrEqual(LIMIT);
    expect(parts[0]).toMatch(/1\/\d+$/);
    expect(result.candidates[0]?.valid).toBe(true);
  });

  it('collapses near-duplicates, rejects copies of past posts and ranks by score', async () => {
    const { lm } = scriptedLm({
      post: [
        'Release day: better docs and faster imports for everyone who asked.',
        'Release day: better docs and faster imports for everyone who asked!',
        'Our community call on reproducible research is next Tuesday, join us #rstats',
        'Short one.',
      ],
    });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 4 }));
    expect(result.candidates.map((c) => c.text)).toEqual([
      'Release day: better docs and faster imports for everyone who asked!',
      'Short one.',
    ]);
    expect(result.candidates.map((c) => c.rank)).toEqual([1, 2]);
    const reasons = result.dropped.map((c) => c.dropped ?? '');
    expect(reasons.some((r) => r.startsWith('copies past post p1'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('near-duplicate'))).toBe(true);
  });

  it('varies strategies and temperatures across candidates and records them', async () => {
    const { lm, seen } = scriptedLm({ post: [(u) => `Post number ${u.length} about docs`] });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 4 }));
    expect(new Set(seen.map((s) => s.temperature)).size).toBeGreaterThan(1);
    const all = [...result.candidates, ...result.dropped];
    expect(new Set(all.map((c) => c.strategy)).size).toBeGreaterThan(1);
    for (const c of all) expect(c.lm).toBe('mock::scripted');
  });

  it('keeps going when some calls fail, and fails clearly when all do', async () => {
    const { lm } = scriptedLm({ post: ['THROW', 'A good post about the docs release.'] });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 2 }));
    expect(result.candidates).toHaveLength(1);
    expect(result.dropped[0]?.dropped).toMatch(/generation failed: .*provider exploded/);
    const broken = scriptedLm({ post: ['THROW'] });
    await expect(generateCandidates(baseOptions({ lms: [broken.lm], candidates: 2 }))).rejects.toThrow(/every candidate failed/);
  });

  it('drops a reply that echoes the prompt scaffolding instead of a post', async () => {
    const { lm } = scriptedLm({ post: ['Post Topic: package release\nStrategy Brief: lead with news', 'A real post about the docs release.'] });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 2 }));
    expect(result.candidates.map((c) => c.text)).toEqual(['A real post about the docs release.']);
    expect(result.dropped[0]?.violations[0]).toMatch(/^echoes_prompt/);
  });

  it('offers labelled offline posts when every model candidate is dropped', async () => {
    const { lm } = scriptedLm({ post: ['x'.repeat(300)], shorten: ['y'.repeat(300)] });
    const result = await generateCandidates(baseOptions({ lms: [lm], candidates: 2 }));
    expect(result.offlineFallback).toBe(true);
    expect(result.dropped).toHaveLength(2);
    expect(result.candidates.length).toBeGreaterThan(0);
    for (const c of result.candidates) expect(c).toMatchObject({ lm: OFFLINE_LM, valid: true });
  });

  it('sizes the token budget to the platform limit', async () => {
    expect(tokenBudget(280, false)).toBe(144);
    expect(tokenBudget(280, true)).toBe(576);
    expect(tokenBudget(63_206, false)).toBe(1024);
    expect(tokenBudget(10, false)).toBe(96);
  });

  it('composes offline, labelled, with one candidate per distinct strategy', async () => {
    const result = await generateCandidates(baseOptions({ lms: [], candidates: 3 }));
    expect(result.candidates.length).toBeGreaterThan(0);
    for (const c of result.candidates) {
      expect(c.lm).toBe(OFFLINE_LM);
      expect(c.text).toContain('package release with better docs');
    }
  });
});
