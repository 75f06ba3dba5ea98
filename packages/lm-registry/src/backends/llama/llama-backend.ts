import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { ChatHistoryItem, LlamaContextSequence, LLamaChatGenerateResponseOptions, Token } from 'node-llama-cpp';
import { ReerError, errorMessage } from '@reer/core';
import { z } from 'zod';
import { summarizeLogprobs } from '../../score-summary.ts';
import type {
  BackendChatResult,
  BackendFactory,
  BackendOptions,
  ChatMessage,
  ChatRequest,
  FinishReason,
  LmBackend,
  LmCapabilities,
  ScoreRequest,
  ScoreResult,
  StreamEvent,
  TokenLogprob,
} from '../../types.ts';
import { abortError, acquireSharedModel, releaseSharedModel, type RuntimeSettings, type SharedModel } from './_runtime.ts';
import { alignTokenSpans } from './_token-spans.ts';
import { resolveModelCacheDir } from './catalog.ts';
import { resolveModelFile } from './model-cache.ts';

/** The `providers.llama` settings; every field is optional. */
export const LlamaSettingsSchema = z.object({
  /** Tokens per sequence (prompt + output, or prompt + continuation when scoring). @default 4096 */
  context_size: z.number().int().min(256).max(131072).default(4096),
  /** Requests served at once; more wait for a free sequence. @default 2 */
  sequences: z.number().int().min(1).max(64).default(2),
  /** CPU threads. @default all cores but one (at least 1): llama.cpp's spinning threads starve everything else otherwise */
  threads: z.number().int().min(1).optional(),
  /** `auto` uses CUDA, Vulkan or Metal when llama.cpp finds one, else the CPU. @default "auto" */
  gpu: z.union([z.literal('auto'), z.literal(false), z.literal('cuda'), z.literal('vulkan'), z.literal('metal')]).default('auto'),
  gpu_layers: z.union([z.number().int().min(0), z.literal('auto'), z.literal('max')]).optional(),
  batch_size: z.number().int().min(1).optional(),
  /** Output tokens when a request gives no `maxTokens`. @default 512 */
  max_tokens: z.number().int().min(1).default(512),
  /** Overrides `models.cache_dir` for this provider; `REER_MODEL_CACHE` still wins. */
  cache_dir: z.string().min(1).nullable().optional(),
});
export type LlamaSettings = z.infer<typeof LlamaSettingsSchema>;

const CAPABILITIES: LmCapabilities = { chat: true, stream: true, score: true, jsonSchema: true, seed: true };

/** Full-vocabulary probability maps are large: evaluate the scored part in slices of about this many entries. */
const PROBABILITY_ENTRIES_PER_SLICE = 4_000_000;

function parseSettings(settings: Record<string, unknown>): LlamaSettings {
  const parsed = LlamaSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `providers.llama.${i.path.join('.')}: ${i.message}`);
  throw new ReerError('E_CONFIG', `invalid llama settings: ${issues.join('; ')}`, {
    hint: 'Fix providers.llama in your config; config/default.yaml documents the fields.',
  });
}

function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The schema itself, also when given in OpenAI's `response_format.json_schema` envelope
 * (`{ name, strict, schema }`), as Ax passes it: the envelope alone would constrain nothing. */
function unwrapJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const inner = schema.schema;
  const isEnvelope = typeof schema.name === 'string' && schema.type === undefined && typeof inner === 'object' && inner !== null && !Array.isArray(inner);
  return isEnvelope ? (inner as Record<string, unknown>) : schema;
}

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  if (messages.length === 0) {
    throw new ReerError('E_USAGE', 'a chat request needs at least one message', { hint: 'Pass a user message.' });
  }
  return messages.map((m): ChatHistoryItem => {
    if (m.role === 'system') return { type: 'system', text: m.content };
    if (m.role === 'user') return { type: 'user', text: m.content };
    return { type: 'model', response: [m.content] };
  });
}

function finishReasonOf(stopReason: string): FinishReason {
  if (stopReason === 'eogToken' || stopReason === 'stopGenerationTrigger' || stopReason === 'customStopTrigger') return 'stop';
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === 'abort') return 'cancelled';
  return 'unknown';
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError');
}

/**
 * The `llama::` backend: a GGUF model run in-process by llama.cpp (node-llama-cpp). The model
 * loads on first use and is shared by every backend for the same file in this process.
 */
export class LlamaBackend implements LmBackend {
  readonly provider = 'llama';
  readonly model: string;
  readonly capabilities = CAPABILITIES;
  readonly #settings: LlamaSettings;
  readonly #runtime: RuntimeSettings;
  readonly #env: BackendOptions['env'];
  readonly #logger: BackendOptions['logger'];
  #path: string | null = null;
  #shared: Promise<SharedModel> | null = null;
  #closed = false;

  constructor(model: string, options: BackendOptions) {
    this.model = model;
    this.#settings = parseSettings(options.settings);
    this.#env = options.env;
    this.#logger = options.logger;
    this.#runtime = {
      gpu: this.#settings.gpu,
      gpuLayers: this.#settings.gpu_layers,
      contextSize: this.#settings.context_size,
      sequences: this.#settings.sequences,
      threads: this.#settings.threads ?? defaultThreads(),
      batchSize: this.#settings.batch_size,
    };
  }

  /** The GGUF file this backend runs (resolved on first use). */
  get modelPath(): string {
    if (this.#path === null) {
      const cacheDir = resolveModelCacheDir({ env: this.#env, configured: this.#settings.cache_dir ?? null });
      this.#path = resolveModelFile(this.model, { cacheDir });
    }
    return this.#path;
  }

  /** Loads the model (once per process) and returns the shared runtime objects. */
  shared(): Promise<SharedModel> {
    if (this.#closed) return Promise.reject(new ReerError('E_MODEL', `llama::${this.model} was closed`));
    if (!this.#shared) {
      const path = this.modelPath;
      const started = Date.now();
      this.#shared = acquireSharedModel(path, this.#runtime).then(
        (shared) => {
          this.#logger.debug({ model: path, ms: Date.now() - started, gpu: shared.llama.gpu, threads: this.#runtime.threads }, 'llama.cpp model ready');
          return shared;
        },
        (error: unknown) => {
          this.#shared = null;
          throw error;
        },
      );
    }
    return this.#shared;
  }

  async chat(request: ChatRequest, signal: AbortSignal): Promise<BackendChatResult> {
    return this.#generate(request, signal, undefined);
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent> {
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const generation = this.#generate(request, signal, (text) => {
      if (text.length === 0) return;
      queue.push(text);
      notify();
    }).finally(() => {
      finished = true;
      notify();
    });
    // Surface a failure through the iterator, not as an unhandled rejection.
    generation.catch(() => undefined);
    while (true) {
      const text = queue.shift();
      if (text !== undefined) {
        yield { type: 'delta', text };
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    yield { type: 'done', result: await generation };
  }

  async #generate(request: ChatRequest, signal: AbortSignal, onText: ((text: string) => void) | undefined): Promise<BackendChatResult> {
    const shared = await this.shared();
    const history = toHistory(request.messages);
    const grammar = request.jsonSchema ? await shared.grammarFor(unwrapJsonSchema(request.jsonSchema)) : undefined;
    const { LlamaChat } = await import('node-llama-cpp');
    return shared.sequences.use(signal, async (sequence) => {
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: shared.chatWrapper, autoDisposeSequence: false });
      const before = { input: sequence.tokenMeter.usedInputTokens, output: sequence.tokenMeter.usedOutputTokens };
      const options: LLamaChatGenerateResponseOptions = {
        signal,
        maxTokens: request.maxTokens ?? this.#settings.max_tokens,
        temperature: request.temperature ?? 0.7,
        ...(request.topP !== undefined ? { topP: request.topP } : {}),
        ...(request.topK !== undefined ? { topK: request.topK } : {}),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        ...(request.stop && request.stop.length > 0 ? { customStopTriggers: request.stop } : {}),
        ...(grammar ? { grammar } : {}),
        ...(onText ? { onTextChunk: onText } : {}),
      };
      try {
        const result = await chat.generateResponse(history, options);
        return {
          text: result.response,
          finishReason: finishReasonOf(result.metadata.stopReason),
          usage: {
            inputTokens: sequence.tokenMeter.usedInputTokens - before.input,
            outputTokens: sequence.tokenMeter.usedOutputTokens - before.output,
          },
        };
      } catch (error) {
        if (isAbort(error, signal)) throw abortError();
        throw new ReerError('E_PROVIDER', `llama.cpp generation failed (${errorMessage(error)})`, { cause: error });
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });
  }

  async score(requests: ScoreRequest[], signal: AbortSignal): Promise<ScoreResult[]> {
    const shared = await this.shared();
    // One at a time with the context to itself: see SequencePool.useExclusive for why.
    return shared.sequences.useExclusive(signal, async (sequence) => {
      const results: ScoreResult[] = [];
      for (const request of requests) {
        // The pool hands the sequence over cleared; each later request starts from a clear one too.
        if (results.length > 0) await sequence.clearHistory();
        results.push(await this.#scoreOne(shared, sequence, request, signal));
      }
      return results;
    });
  }

  async #scoreOne(shared: SharedModel, sequence: LlamaContextSequence, request: ScoreRequest, signal: AbortSignal): Promise<ScoreResult> {
    const { model } = shared;
    const text = request.prompt + request.continuation;
    // One tokenization of the whole text (special-token markup in a chat-formatted prompt becomes
    // control tokens); the continuation's tokens are found by character offsets, never by
    // tokenizing the prompt separately.
    const textTokens = model.tokenize(text, true);
    const spans = alignTokenSpans(model, textTokens, text);
    const bos = model.tokens.bos;
    const prependBos = model.tokens.shouldPrependBosToken && bos !== null && textTokens[0] !== bos;
    const tokens: Token[] = prependBos && bos !== null ? [bos, ...textTokens] : [...textTokens];
    const offset = prependBos ? 1 : 0;
    const boundary = request.prompt.length;
    let first = textTokens.length;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (span.end > boundary || (span.start === span.end && span.start >= boundary)) {
        first = i;
        break;
      }
    }
    if (first === textTokens.length) return summarizeLogprobs([]);
    const firstAll = first + offset;
    if (firstAll === 0) {
      throw new ReerError('E_USAGE', 'score needs a non-empty prompt with this model (it has no BOS token to condition the first token on)', {
        hint: 'Pass the instruction as the prompt.',
      });
    }
    if (tokens.length > sequence.contextSize) {
      throw new ReerError('E_CAPABILITY', `score request of ${tokens.length} tokens exceeds the context of ${sequence.contextSize}`, {
        hint: 'Raise providers.llama.context_size or score shorter text.',
      });
    }
    if (signal.aborted) throw abortError();

    // Evaluate the prompt once, then the continuation in slices that ask for the next-token
    // distribution at each position: each token is evaluated exactly once.
    const prefix = tokens.slice(0, firstAll - 1);
    if (prefix.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(prefix);
    const vocabulary = Math.max(1, model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 262_144);
    const sliceSize = Math.max(8, Math.floor(PROBABILITY_ENTRIES_PER_SLICE / vocabulary));
    const logprobs: number[] = [];
    for (let start = firstAll - 1; start < tokens.length - 1; start += sliceSize) {
      if (signal.aborted) throw abortError();
      const end = Math.min(start + sliceSize, tokens.length - 1);
      const input = tokens.slice(start, end).map((token) => [token, { generateNext: { probabilities: true } }] as [Token, { generateNext: { probabilities: true } }]);
      const outputs = await sequence.controlledEvaluate(input);
      for (let k = 0; k < input.length; k++) {
        const next = tokens[start + k + 1]!;
        const probability = outputs[k]?.next.probabilities?.get(next);
        if (probability === undefined) {
          throw new ReerError('E_MODEL', `llama.cpp returned no probability for token ${start + k + 1}`, { hint: 'This is a bug: please report it.' });
        }
        // Float32 softmax can underflow to 0 for extremely unlikely tokens.
        logprobs.push(Math.log(Math.max(probability, Number.MIN_VALUE)));
      }
    }

    const result: TokenLogprob[] = [];
    for (let i = first; i < textTokens.length; i++) {
      const span = spans[i]!;
      result.push({
        token: text.slice(span.start, span.end),
        logprob: logprobs[i - first]!,
        start: Math.max(0, span.start - boundary),
        end: span.end - boundary,
      });
    }
    return summarizeLogprobs(result);
  }

  /** Loads the model (a local check: nothing is contacted) and describes where it runs. */
  async health(signal: AbortSignal): Promise<string> {
    const shared = await this.shared();
    if (signal.aborted) throw abortError();
    const device = shared.llama.gpu === false ? 'CPU' : String(shared.llama.gpu);
    return `${basename(this.modelPath)} on ${device}, ${this.#runtime.threads} thread(s), ${shared.context.contextSize} tokens × ${this.#runtime.sequences} sequences`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const shared = this.#shared;
    this.#shared = null;
    if (shared && this.#path !== null) {
      await shared.catch(() => null);
      await releaseSharedModel(this.#path, this.#runtime);
    }
  }
}

/** Creates a `llama::<path | cached model name>` backend. Nothing loads until the first call. */
export const createLlamaBackend: BackendFactory = (model, options) => new LlamaBackend(model, options);
