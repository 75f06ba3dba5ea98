import { AxGen, type AxAIService } from '@ax-llm/ax';
import type { TokenUsage } from '@reer/lm-registry';

/**
 * The seed instruction GEPA starts from. It must never be empty: Ax's optimizers and ours tune
 * the instruction, and an empty one silently disables AxGEPA.
 */
export const DEFAULT_INSTRUCTION = [
  'Write one new social media post for the author whose own past posts are given as examples.',
  'Sound like them: reuse their tone, sentence length, emoji and hashtag habits, and the way they address readers.',
  'Follow the strategy brief for the structure and the hook.',
  'Obey the platform rules, above all the length limit.',
  'Say something concrete about the topic; never copy or lightly edit an example.',
  'Output only the post text, with no preamble, quotes or commentary.',
].join(' ');

/** Names of the program's tunable text components, as GEPA sees them. */
export const PROGRAM_COMPONENTS = ['instruction'] as const;

const INPUTS =
  'postTopic:string "what the post should be about", platformRules:string "the platform and its length rules", strategyBrief:string "how to structure the post", authorExamples:string "the author\'s own past posts, best first"';
// One output field each: Ax then takes a reply without field labels as that field, so small local
// models that ignore the `key: value` format still yield a post.
const POST_SIGNATURE = `${INPUTS} -> postText:string "the post, ready to publish"`;
const THREAD_SIGNATURE = `${INPUTS} -> threadParts:string[] "the thread's posts, in order, each within the limit"`;

export interface GenerationInputs {
  postTopic: string;
  platformRules: string;
  strategyBrief: string;
  authorExamples: string;
}

/**
 * The program's inputs, built the same way for generation and for tuning so that what GEPA tunes
 * is exactly what `generate` runs.
 */
export function buildProgramInputs(options: {
  topic: string;
  rulesText: string;
  strategy: { name: string; brief: string } | undefined;
  /** The author's example posts, best first. */
  examples: readonly string[];
  thread?: boolean;
}): GenerationInputs {
  return {
    postTopic: options.topic,
    platformRules: options.thread ? `${options.rulesText} Write a thread: each part must fit the limit.` : options.rulesText,
    strategyBrief: options.strategy ? `${options.strategy.name}: ${options.strategy.brief}` : "Follow the author's usual structure.",
    authorExamples:
      options.examples.length === 0 ? '(no past posts yet)' : options.examples.map((text, i) => `Example ${i + 1}:\n${text.trim()}`).join('\n\n'),
  };
}

export interface SamplingSettings {
  /** Ax defaults to 0 for every provider; posts need variety. */
  temperature: number;
  maxTokens: number;
  seed?: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = { temperature: 0.8, maxTokens: 400 };

export interface GenerationOutput {
  postText: string;
  threadParts?: string[];
  /** The model stopped at `maxTokens` mid-post; the text is what it wrote until then. */
  truncated: boolean;
  usage: TokenUsage;
}

const TRUNCATED = /^(?:Generate failed: )?Max tokens reached before completion\s*\nContent:\s?/;

/**
 * Ax throws when a reply stops at the token limit. A cut-off post is still a draft worth repairing
 * (the repair round asks for a shorter version), so recover the text and flag it instead.
 */
function truncatedContent(error: unknown, label: string): string | null {
  if (!(error instanceof Error) || !TRUNCATED.test(error.message)) return null;
  const content = error.message.replace(TRUNCATED, '');
  return content.replace(new RegExp(`^\\s*(${label}|[A-Z][A-Za-z ]+):[ \\t]*`), '').trim();
}

/** The generation program: an Ax program whose instruction GEPA tunes. */
export class GenerationProgram {
  #instruction: string;

  constructor(options: { instruction?: string } = {}) {
    this.#instruction = options.instruction?.trim() || DEFAULT_INSTRUCTION;
  }

  get instruction(): string {
    return this.#instruction;
  }

  setInstruction(instruction: string): void {
    // An empty instruction would leave the program undirected; keep the seed instead.
    this.#instruction = instruction.trim() || DEFAULT_INSTRUCTION;
  }

  /** Components as GEPA candidates see them. */
  components(): Record<string, string> {
    return { instruction: this.#instruction };
  }

  /**
   * Runs the program once: a single post, or with `thread` the parts of a thread. A fresh AxGen per
   * call keeps concurrent runs and their usage apart.
   */
  async run(
    ai: AxAIService,
    inputs: GenerationInputs,
    sampling: SamplingSettings = DEFAULT_SAMPLING,
    options: { thread?: boolean } = {},
  ): Promise<GenerationOutput> {
    const forwardOptions = {
      maxRetries: 1,
      stream: false,
      modelConfig: {
        temperature: sampling.temperature,
        maxTokens: sampling.maxTokens,
        ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
      },
    };
    if (options.thread) {
      const gen = new AxGen<GenerationInputs, { threadParts: string[] }>(THREAD_SIGNATURE);
      gen.setInstruction(this.#instruction);
      try {
        const out = await gen.forward(ai, inputs, forwardOptions);
        const threadParts = out.threadParts.map((p) => p.trim()).filter(Boolean);
        return { postText: threadParts.join('\n\n'), threadParts, truncated: false, usage: usageOf(gen) };
      } catch (error: unknown) {
        const partial = truncatedContent(error, 'Thread Parts');
        if (partial === null) throw error;
        return { postText: partial, truncated: true, usage: usageOf(gen) };
      }
    }
    const gen = new AxGen<GenerationInputs, { postText: string }>(POST_SIGNATURE);
    gen.setInstruction(this.#instruction);
    try {
      const out = await gen.forward(ai, inputs, forwardOptions);
      return { postText: out.postText.trim(), truncated: false, usage: usageOf(gen) };
    } catch (error: unknown) {
      const partial = truncatedContent(error, 'Post Text');
      if (partial === null) throw error;
      return { postText: partial, truncated: true, usage: usageOf(gen) };
    }
  }
}

const REPAIR_SIGNATURE =
  'draftPost:string "a post that is too long", lengthRule:string "the limit and how far over the draft is" -> shortenedPost:string "the same post, shorter"';

/** Asks the LM to shorten a post that breaks the platform's length limit while keeping its point. */
export async function shortenPost(
  ai: AxAIService,
  draftPost: string,
  lengthRule: string,
  sampling: SamplingSettings,
): Promise<{ text: string; truncated: boolean; usage: TokenUsage }> {
  const gen = new AxGen<{ draftPost: string; lengthRule: string }, { shortenedPost: string }>(REPAIR_SIGNATURE);
  gen.setInstruction(
    'Shorten the draft so it fits the length rule. Keep the point, the hook, the links and the voice; cut filler words, merge sentences, drop the least important detail. Output only the shortened post.',
  );
  try {
    const out = await gen.forward(ai, { draftPost, lengthRule }, {
      maxRetries: 1,
      stream: false,
      modelConfig: { temperature: Math.min(sampling.temperature, 0.5), maxTokens: sampling.maxTokens },
    });
    return { text: out.shortenedPost.trim(), truncated: false, usage: usageOf(gen) };
  } catch (error: unknown) {
    const partial = truncatedContent(error, 'Shortened Post');
    if (partial === null) throw error;
    return { text: partial, truncated: true, usage: usageOf(gen) };
  }
}

function usageOf(gen: { getUsage(): readonly { tokens?: { promptTokens?: number; completionTokens?: number } }[] }): TokenUsage {
  let inputTokens = 0;
  let outputTokens = 0;
  for (const u of gen.getUsage()) {
    inputTokens += u.tokens?.promptTokens ?? 0;
    outputTokens += u.tokens?.completionTokens ?? 0;
  }
  return { inputTokens, outputTokens };
}
