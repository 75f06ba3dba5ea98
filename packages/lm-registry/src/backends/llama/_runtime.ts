import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import { ReerError, errorMessage } from '@reer/core';

/*
 * One llama.cpp runtime, one loaded model per file and one context per (model, context settings)
 * for the whole process, shared by every backend instance and released when the last one closes.
 * node-llama-cpp is imported lazily so that importing @reer/lm-registry stays cheap.
 */

export interface RuntimeSettings {
  gpu: 'auto' | false | 'cuda' | 'vulkan' | 'metal';
  gpuLayers: number | 'auto' | 'max' | undefined;
  contextSize: number;
  sequences: number;
  threads: number;
  batchSize: number | undefined;
}

export interface SharedModel {
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly chatWrapper: ChatWrapper;
  readonly sequences: SequencePool;
  /** JSON-schema grammars are compiled once per distinct schema. */
  grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar>;
}

/** Hands out the context's sequences one request at a time; callers wait when all are busy. */
export class SequencePool {
  readonly #free: LlamaContextSequence[];
  readonly #size: number;
  /** Resolves when the last exclusive user has finished; exclusive users queue on it. */
  #exclusiveTail: Promise<void> = Promise.resolve();
  readonly #waiters: Array<{ resolve: (seq: LlamaContextSequence) => void; reject: (error: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }> = [];

  constructor(sequences: LlamaContextSequence[]) {
    this.#free = [...sequences];
    this.#size = sequences.length;
  }

  /** Waits for a free sequence; its history is cleared so results never depend on earlier requests. */
  async acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    if (signal?.aborted) throw abortError();
    const free = this.#free.shift();
    const seq =
      free ??
      (await new Promise<LlamaContextSequence>((resolve, reject) => {
        const waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const index = this.#waiters.indexOf(waiter);
            if (index >= 0) this.#waiters.splice(index, 1);
            reject(abortError());
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        this.#waiters.push(waiter);
      }));
    try {
      await seq.clearHistory();
    } catch (error) {
      this.release(seq);
      throw error;
    }
    return seq;
  }

  release(seq: LlamaContextSequence): void {
    const next = this.#waiters.shift();
    if (next) {
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve(seq);
    } else {
      this.#free.push(seq);
    }
  }

  async use<T>(signal: AbortSignal | undefined, work: (seq: LlamaContextSequence) => Promise<T>): Promise<T> {
    const seq = await this.acquire(signal);
    try {
      return await work(seq);
    } finally {
      this.release(seq);
    }
  }

  /**
   * Runs `work` on one sequence while every other sequence is idle. llama.cpp batches the tokens of
   * all busy sequences into one decode, and node-llama-cpp 3.21's per-token probabilities
   * (`controlledEvaluate`) come back wrong when another sequence shares the batch (off by up to
   * 14 nats on SmolLM2; see docs/decisions/llama-cpp-provider.md), so scoring runs alone.
   * Requests already waiting keep their place; exclusive users run one at a time.
   */
  async useExclusive<T>(signal: AbortSignal | undefined, work: (seq: LlamaContextSequence) => Promise<T>): Promise<T> {
    const previous = this.#exclusiveTail;
    let finished!: () => void;
    this.#exclusiveTail = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const held: LlamaContextSequence[] = [];
    try {
      await previous;
      for (let i = 0; i < this.#size; i++) held.push(await this.acquire(signal));
      return await work(held[0]!);
    } finally {
      for (const seq of held) this.release(seq);
      finished();
    }
  }
}

export function abortError(): ReerError {
  return new ReerError('E_ABORTED', 'the llama.cpp request was cancelled');
}

interface Entry {
  refs: number;
  loaded: Promise<SharedModel>;
}

let llamaPromise: Promise<Llama> | null = null;
let llamaKey = '';
const models = new Map<string, { refs: number; loaded: Promise<LlamaModel> }>();
const contexts = new Map<string, Entry>();

async function getRuntime(gpu: RuntimeSettings['gpu']): Promise<Llama> {
  const key = String(gpu);
  if (llamaPromise && llamaKey !== key) {
    // The runtime is process-wide; the first backend's GPU choice wins.
    return llamaPromise;
  }
  if (!llamaPromise) {
    llamaKey = key;
    llamaPromise = (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      try {
        // build: 'never' — only the prebuilt binaries that came from npm are used: nothing is
        // compiled or downloaded at run time.
        return await getLlama({ gpu, build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error });
      } catch (cause) {
        llamaPromise = null;
        throw new ReerError('E_MODEL', `cannot start llama.cpp (${errorMessage(cause)})`, {
          hint: 'Reinstall dependencies so the @node-llama-cpp prebuilt binary for this platform is present, or set providers.llama.gpu: false.',
          cause,
        });
      }
    })();
  }
  return llamaPromise;
}

function contextKey(path: string, s: RuntimeSettings): string {
  return JSON.stringify([path, s.contextSize, s.sequences, s.threads, s.batchSize ?? null]);
}

/** The shared model + context for `path`; call `releaseSharedModel` with the same arguments when done. */
export function acquireSharedModel(path: string, settings: RuntimeSettings): Promise<SharedModel> {
  const key = contextKey(path, settings);
  const existing = contexts.get(key);
  if (existing) {
    existing.refs += 1;
    return existing.loaded;
  }
  const entry: Entry = { refs: 1, loaded: loadShared(path, settings) };
  contexts.set(key, entry);
  entry.loaded.catch(() => {
    if (contexts.get(key) === entry) contexts.delete(key);
  });
  return entry.loaded;
}

async function loadModelOnce(llama: Llama, path: string, settings: RuntimeSettings): Promise<LlamaModel> {
  const existing = models.get(path);
  if (existing) {
    existing.refs += 1;
    return existing.loaded;
  }
  const entry = {
    refs: 1,
    loaded: llama.loadModel({ modelPath: path, ...(settings.gpuLayers !== undefined ? { gpuLayers: settings.gpuLayers } : {}) }),
  };
  models.set(path, entry);
  entry.loaded.catch(() => {
    if (models.get(path) === entry) models.delete(path);
  });
  return entry.loaded;
}

async function loadShared(path: string, settings: RuntimeSettings): Promise<SharedModel> {
  const llama = await getRuntime(settings.gpu);
  let model: LlamaModel;
  try {
    model = await loadModelOnce(llama, path, settings);
  } catch (cause) {
    throw new ReerError('E_MODEL', `${path}: cannot load the model (${errorMessage(cause)})`, {
      hint: 'Check that the file is a complete GGUF model (re-run `social-run models pull` or `pnpm models:fixture`).',
      cause,
    });
  }
  const { resolveChatWrapper, GeneralChatWrapper } = await import('node-llama-cpp');
  let context: LlamaContext;
  try {
    context = await model.createContext({
      contextSize: settings.contextSize,
      sequences: settings.sequences,
      threads: settings.threads,
      ...(settings.batchSize !== undefined ? { batchSize: settings.batchSize } : {}),
    });
  } catch (cause) {
    await releaseModel(path);
    throw new ReerError('E_MODEL', `${path}: cannot create a context of ${settings.contextSize} tokens × ${settings.sequences} sequences (${errorMessage(cause)})`, {
      hint: 'Lower providers.llama.context_size or providers.llama.sequences.',
      cause,
    });
  }
  const sequences: LlamaContextSequence[] = [];
  for (let i = 0; i < settings.sequences; i++) sequences.push(context.getSequence());
  // resolveChatWrapper uses the GGUF's own Jinja chat template (or a built-in wrapper verified to
  // render identically to it); models without a template get the general wrapper.
  const chatWrapper = resolveChatWrapper(model) ?? new GeneralChatWrapper();
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  return {
    llama,
    model,
    context,
    chatWrapper,
    sequences: new SequencePool(sequences),
    grammarFor(schema) {
      const key = JSON.stringify(schema);
      let grammar = grammars.get(key);
      if (!grammar) {
        grammar = compileGrammar(llama, schema);
        grammars.set(key, grammar);
        grammar.catch(() => grammars.delete(key));
      }
      return grammar;
    },
  };
}

async function compileGrammar(llama: Llama, schema: Record<string, unknown>): Promise<LlamaGrammar> {
  try {
    // node-llama-cpp validates the schema subset it supports (GbnfJsonSchema) while compiling.
    return await llama.createGrammarForJsonSchema(schema as Parameters<Llama['createGrammarForJsonSchema']>[0]);
  } catch (cause) {
    throw new ReerError('E_CAPABILITY', `llama.cpp cannot turn this JSON schema into a grammar (${errorMessage(cause)})`, {
      hint: 'Simplify the output schema (plain objects, arrays, strings, numbers, booleans, enums).',
      cause,
    });
  }
}

async function releaseModel(path: string): Promise<void> {
  const entry = models.get(path);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  models.delete(path);
  const model = await entry.loaded.catch(() => null);
  await model?.dispose();
}

export async function releaseSharedModel(path: string, settings: RuntimeSettings): Promise<void> {
  const key = contextKey(path, settings);
  const entry = contexts.get(key);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  contexts.delete(key);
  const shared = await entry.loaded.catch(() => null);
  if (!shared) return;
  await shared.context.dispose();
  await releaseModel(path);
  if (models.size === 0 && llamaPromise) {
    const llama = await llamaPromise.catch(() => null);
    llamaPromise = null;
    await llama?.dispose();
  }
}
