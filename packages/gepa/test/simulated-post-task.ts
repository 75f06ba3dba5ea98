import { AxGen, AxMockAIService } from '@ax-llm/ax';
import type { ChatRequest } from '@reer/lm-registry';
import { SeededRng, createAxAdapter } from '../src/index.ts';
import type { MetricResult } from '../src/index.ts';
import { scriptedLm } from './scripted-lm.ts';

/**
 * The simulated tuning task shared by the Ax comparison benchmark and the Ax adapter test. A
 * mock "model" writes a post about a topic and includes an element (a hook, a hashtag…) only when
 * the program's instruction asks for it; each example needs two or three elements. The metric
 * scores the share of needed elements present and names the missing ones. A simulated reflection
 * model adds one element the feedback asks for and, now and then, drops one by mistake.
 */
export const FACETS = {
  hook: { ask: 'Open with a hook question.', marker: 'Ever wondered?' },
  hashtag: { ask: 'End with a hashtag.', marker: '#rstats' },
  link: { ask: 'Include a link.', marker: 'https://example.org' },
  emoji: { ask: 'Use one emoji.', marker: '🚀' },
  number: { ask: 'Cite a number.', marker: '42%' },
  cta: { ask: 'Finish with a call to action.', marker: 'Try it today.' },
  mention: { ask: 'Mention a collaborator.', marker: '@team' },
  quote: { ask: 'Quote a user.', marker: '"it just works"' },
  thread: { ask: 'Tease a follow-up thread.', marker: '(1/n)' },
  version: { ask: 'Name the version.', marker: 'v2.1' },
} as const;
export type Facet = keyof typeof FACETS;
const FACET_NAMES = Object.keys(FACETS) as Facet[];

export const SEED_INSTRUCTION = 'Write a short social media post about the topic.';

export interface PostTaskExample {
  postTopic: string;
  needs: Facet[];
}

/** `count` examples; element needs follow a skewed distribution so some elements matter more. */
export function postTaskExamples(count: number, seed: number): PostTaskExample[] {
  const rng = new SeededRng(seed);
  const weights = [6, 5, 4, 3, 3, 2, 2, 1, 1, 1];
  return Array.from({ length: count }, (_, k) => {
    const needs = new Set<Facet>();
    const size = 2 + rng.int(3);
    while (needs.size < size) needs.add(rng.weightedChoice(FACET_NAMES, weights));
    return { postTopic: `topic ${seed}-${k}`, needs: [...needs].sort() };
  });
}

export function facetsOf(instruction: string): Facet[] {
  return FACET_NAMES.filter((f) => instruction.includes(FACETS[f].ask));
}

export function writePost(topic: string, instruction: string): string {
  return [`A note on ${topic}.`, ...facetsOf(instruction).map((f) => FACETS[f].marker)].join(' ');
}

export function postMetric(example: PostTaskExample, post: string): MetricResult {
  const missing = example.needs.filter((f) => !post.includes(FACETS[f].marker));
  const score = (example.needs.length - missing.length) / example.needs.length;
  return { score, feedback: missing.length === 0 ? 'Every requested element is present.' : `missing: ${missing.join(', ')}` };
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The simulated reflection: a deterministic function of the current text, the feedback and a salt. */
export function proposeInstruction(current: string, feedbackText: string, salt: number): string {
  const rng = new SeededRng(hashOf(`${salt}|${current}|${feedbackText}`));
  const present = facetsOf(current);
  const asked: Facet[] = [];
  for (const m of feedbackText.matchAll(/missing: ([a-z, ]+)/g)) {
    for (const name of (m[1] ?? '').split(',').map((s) => s.trim())) {
      if ((FACET_NAMES as string[]).includes(name) && !present.includes(name as Facet)) asked.push(name as Facet);
    }
  }
  const next = new Set(present);
  if (asked.length > 0) next.add(rng.choice(asked));
  if (present.length > 0 && rng.next() < 0.3) next.delete(rng.choice(present));
  return [SEED_INSTRUCTION, ...FACET_NAMES.filter((f) => next.has(f)).map((f) => FACETS[f].ask)].join(' ');
}

/** The student model as an Ax service: reads the instruction from the system prompt. */
export function studentAi(): AxMockAIService<string> {
  return new AxMockAIService<string>({
    chatResponse: async (req) => {
      const system = req.chatPrompt.find((m) => m.role === 'system');
      const user = req.chatPrompt.find((m) => m.role === 'user');
      const systemText = typeof system?.content === 'string' ? system.content : '';
      const userText = typeof user?.content === 'string' ? user.content : '';
      const instruction = /<task_definition>\n([\s\S]*?)\n<\/task_definition>/.exec(systemText)?.[1] ?? '';
      const topic = /Post Topic: (.*)/.exec(userText)?.[1]?.trim() ?? '';
      return { results: [{ index: 0, content: `Post Text: ${writePost(topic, instruction)}`, finishReason: 'stop' }] };
    },
  });
}

/** The Ax program being tuned. */
export function postProgram(): AxGen<{ postTopic: string }, { postText: string }> {
  const program = new AxGen<{ postTopic: string }, { postText: string }>(
    'postTopic:string "what the post is about" -> postText:string "the post, ready to publish"',
  );
  program.setInstruction(SEED_INSTRUCTION);
  return program;
}

/** The simulated reflection model for our engine (reads our reflection prompt). */
export function engineTeacher(salt: number) {
  return scriptedLm((_request: ChatRequest, prompt: string) => {
    const current = /currently reads:\n```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
    return `\`\`\`\n${proposeInstruction(current, prompt, salt)}\n\`\`\``;
  });
}

/**
 * The same simulated reflection model for AxGEPA, which asks its teacher two things: a feedback
 * summary (the critic, echoed here) and the new value (the proposer).
 */
export function axTeacher(salt: number): AxMockAIService<string> {
  return new AxMockAIService<string>({
    chatResponse: async (req) => {
      const system = req.chatPrompt.find((m) => m.role === 'system');
      const user = req.chatPrompt.find((m) => m.role === 'user');
      const systemText = typeof system?.content === 'string' ? system.content : '';
      const userText = typeof user?.content === 'string' ? user.content : '';
      if (systemText.includes('`Feedback Summary`') && !systemText.includes('`New Value`')) {
        const notes = [...userText.matchAll(/missing: [a-z, ]+/g)].map((m) => m[0]);
        return { results: [{ index: 0, content: `Feedback Summary: ${notes.join('; ') || 'no issues'}`, finishReason: 'stop' }] };
      }
      const current = /Current Value: ([\s\S]*?)\n\n[A-Z][a-zA-Z ]+:/.exec(userText)?.[1] ?? '';
      return { results: [{ index: 0, content: `New Value: ${proposeInstruction(current.trim(), userText, salt)}`, finishReason: 'stop' }] };
    },
  });
}

/** The Ax program of this task wired as a GEPA adapter: the student model, the topic as input, `postMetric`. */
export function postTaskAdapter() {
  return createAxAdapter({
    program: postProgram(),
    ai: studentAi(),
    inputsOf: (e: PostTaskExample) => ({ postTopic: e.postTopic }),
    metric: (e, out: { postText: string }) => postMetric(e, out.postText),
    forwardOptions: { maxRetries: 0 },
  });
}
