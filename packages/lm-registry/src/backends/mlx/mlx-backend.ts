import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReerError, errorMessage, type Logger } from '@reer/core';
import { z } from 'zod';
import type {
  BackendChatResult,
  BackendFactory,
  BackendOptions,
  ChatRequest,
  LmBackend,
  LmCapabilities,
  ScoreRequest,
  ScoreResult,
  StreamEvent,
} from '../../types.ts';
import { BridgeProcess } from './_bridge-process.ts';
import {
  CLIENT_PROTOCOL_VERSION,
  GenerateResultSchema,
  InfoResultSchema,
  InitializeResultSchema,
  LoadModelResultSchema,
  ScoreBatchResultSchema,
  ScoreItemResultSchema,
  type GenerateResult,
  type InitializeResult,
  type LoadModelResult,
  type ScoreItemResult,
} from './_protocol.ts';

/** The repository's mlx-bridge directory (this file is packages/lm-registry/src/backends/mlx/). */
export const BRIDGE_DIR = fileURLToPath(new URL('../../../../../mlx-bridge/', import.meta.url));
/** Where `pnpm bridge:setup` puts the interpreter. */
export const DEFAULT_BRIDGE_PYTHON = join(BRIDGE_DIR, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');

/** The `providers.entries.mlx` fields this backend reads (other entry fields are ignored here). */
export const MlxSettingsSchema = z.object({
  /** Interpreter with mlx_bridge installed. @default REER_MLX_PYTHON, else mlx-bridge/.venv/bin/python */
  python: z.string().min(1).nullable().optional(),
  /** Directory the bridge runs in (holds the mlx_bridge package). @default the repository's mlx-bridge/ */
  bridge_dir: z.string().min(1).nullable().optional(),
  /** Spawning the bridge and answering `initialize`. @default 60000 */
  startup_timeout_ms: z.number().int().positive().default(60_000),
  /** Loading (and on first use downloading) the model. @default 600000 */
  load_timeout_ms: z.number().int().positive().default(600_000),
  /** One request when the call gives no timeout. @default 300000 */
  request_timeout_ms: z.number().int().positive().default(300_000),
  /** Output tokens when a request gives none. @default 512 */
  max_tokens: z.number().int().positive().default(512),
  /** LoRA adapters applied at load. */
  adapter_path: z.string().min(1).nullable().optional(),
  /** Hugging Face revision (branch, tag or commit). */
  revision: z.string().min(1).nullable().optional(),
  /** Restarts after crashes allowed within `restart_window_ms` before giving up. @default 5 */
  max_restarts: z.number().int().nonnegative().default(5),
  restart_window_ms: z.number().int().positive().default(60_000),
  /** First wait before restarting a crashed bridge; doubles per consecutive crash. @default 500 */
  restart_backoff_ms: z.number().int().nonnegative().default(500),
  restart_backoff_max_ms: z.number().int().nonnegative().default(10_000),
  /** Work estimated above this is refused with an out-of-memory error. @default 90% of the device's memory */
  memory_limit_mb: z.number().int().positive().nullable().optional(),
  /** Score requests sent in one `score_batch` call. @default 64 */
  score_batch_size: z.number().int().positive().default(64),
  /** The bridge's own log level (its stderr goes to our logger at debug). @default "info" */
  log_level: z.enum(['debug', 'info', 'warning', 'error']).default('info'),
});
export type MlxSettings = z.infer<typeof MlxSettingsSchema>;

const CAPABILITIES: LmCapabilities = { chat: true, stream: true, score: true, jsonSchema: false, seed: true };

function parseSettings(settings: Record<string, unknown>): MlxSettings {
  const parsed = MlxSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `providers.entries.mlx.${i.path.join('.')}: ${i.message}`);
  throw new ReerError('E_CONFIG', `invalid mlx settings: ${issues.join('; ')}`, {
    hint: 'Fix the mlx provider entry in your config; config/default.yaml documents the fields.',
  });
}

/** A model that names a file-system location is resolved here, since the bridge runs elsewhere. */
export function resolveModelArgument(model: string, cwd = process.cwd()): string {
  if (model.startsWith('~/')) return join(homedir(), model.slice(2));
  if (isAbsolute(model)) return model;
  if (model.startsWith('./') || model.startsWith('../') || existsSync(resolve(cwd, model))) return resolve(cwd, model);
  return model;
}

/** UTF-16 index of every code point boundary: the bridge counts code points, JavaScript UTF-16 units. */
function codePointToUtf16(text: string): number[] {
  const map = [0];
  let units = 0;
  for (const ch of text) {
    units += ch.length;
    map.push(units);
  }
  return map;
}

export function toScoreResult(continuation: string, item: ScoreItemResult): ScoreResult {
  const map = codePointToUtf16(continuation);
  const at = (index: number): number => map[Math.min(index, map.length - 1)] ?? continuation.length;
  const tokens = item.tokens.map((t) => {
    const start = at(t.start);
    const end = at(t.end);
    return { token: continuation.slice(start, end), logprob: t.logprob, start, end };
  });
  return { tokens, meanNll: item.mean_nll, clippedMeanNll: item.clipped_mean_nll };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A `LmBackend` over one `python -m mlx_bridge` child serving one model. */
export class MlxBackend implements LmBackend {
  readonly provider = 'mlx';
  readonly model: string;
  readonly capabilities = CAPABILITIES;
  private readonly settings: MlxSettings;
  private readonly logger: Logger;
  private readonly env: Record<string, string | undefined>;
  private readonly modelPath: string;
  private process: BridgeProcess | null = null;
  private starting: Promise<BridgeProcess> | null = null;
  private crashes: number[] = [];
  private consecutiveCrashes = 0;
  private closed = false;
  /** What the running bridge reported at start; for diagnostics and the benchmark. */
  bridgeInfo: InitializeResult | null = null;
  modelInfo: LoadModelResult | null = null;

  constructor(model: string, options: BackendOptions) {
    this.model = model;
    this.settings = parseSettings(options.settings);
    this.logger = options.logger;
    this.env = { ...process.env, ...options.env };
    this.modelPath = resolveModelArgument(model);
  }

  private get python(): string {
    return this.settings.python ?? this.env.REER_MLX_PYTHON ?? DEFAULT_BRIDGE_PYTHON;
  }

  /** The running bridge, started (or restarted after a crash, with backoff) when needed. */
  private async ready(): Promise<BridgeProcess> {
    if (this.closed) throw new ReerError('E_ABORTED', `the mlx::${this.model} backend is closed`);
    if (this.process?.alive) return this.process;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async start(): Promise<BridgeProcess> {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < this.settings.restart_window_ms);
    if (this.crashes.length > this.settings.max_restarts) {
      throw new ReerError('E_MODEL', `the MLX bridge for ${this.model} crashed ${this.crashes.length} times in ${this.settings.restart_window_ms} ms; not restarting it now`, {
        hint: 'Run with --log-level debug to see the bridge stderr; check the model and free memory.',
        details: { retryable: false },
      });
    }
    if (this.consecutiveCrashes > 0) {
      const wait = Math.min(this.settings.restart_backoff_ms * 2 ** (this.consecutiveCrashes - 1), this.settings.restart_backoff_max_ms);
      const last = this.crashes[this.crashes.length - 1] ?? 0;
      const remaining = last + wait - Date.now();
      if (remaining > 0) await sleep(remaining);
      this.logger.warn({ model: this.model, attempt: this.consecutiveCrashes }, 'restarting the crashed MLX bridge');
    }
    const python = this.python;
    if (!existsSync(python) && (python.includes('/') || python.includes('\\'))) {
      throw new ReerError('E_MODEL', `the MLX bridge's Python is missing: ${python}`, {
        hint: 'Run `pnpm bridge:setup` (creates mlx-bridge/.venv with mlx), or set providers.entries.mlx.python / REER_MLX_PYTHON.',
        details: { retryable: false },
      });
    }
    const args = ['--log-level', this.settings.log_level];
    if (this.settings.memory_limit_mb) args.push('--memory-limit-mb', String(this.settings.memory_limit_mb));
    const proc = new BridgeProcess({
      python,
      cwd: this.settings.bridge_dir ?? BRIDGE_DIR,
      args,
      env: { ...this.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
      logger: this.logger,
      label: `mlx::${this.model}`,
    });
    try {
      const init = await proc.request('initialize', { client: { name: '@reer/lm-registry' } }, InitializeResultSchema, {
        timeoutMs: this.settings.startup_timeout_ms,
      });
      const major = (v: string): string => v.split('.')[0] ?? v;
      if (major(init.protocol_version) !== major(CLIENT_PROTOCOL_VERSION)) {
        throw new ReerError('E_MODEL', `the MLX bridge speaks protocol ${init.protocol_version}; this client needs ${CLIENT_PROTOCOL_VERSION}`, {
          hint: 'Rerun `pnpm bridge:setup` so the bridge matches this checkout.',
          details: { retryable: false },
        });
      }
      proc.maxRequestBytes = init.max_request_bytes;
      this.bridgeInfo = init;
      const loadParams: Record<string, unknown> = { model: this.modelPath };
      if (this.settings.adapter_path) loadParams.adapter_path = this.settings.adapter_path;
      if (this.settings.revision) loadParams.revision = this.settings.revision;
      this.modelInfo = await proc.request('load_model', loadParams, LoadModelResultSchema, { timeoutMs: this.settings.load_timeout_ms });
      this.logger.debug(
        { model: this.model, pid: proc.pid, device: init.device, parameters: this.modelInfo.parameters },
        'MLX bridge ready',
      );
    } catch (error) {
      await proc.close(500);
      if (!proc.alive || error instanceof ReerError) throw this.startError(error, proc);
      throw error;
    }
    this.process = proc;
    void proc.exited.then((info) => {
      if (this.process !== proc) return;
      this.process = null;
      if (!this.closed) {
        this.crashes.push(Date.now());
        this.consecutiveCrashes++;
        this.logger.warn({ model: this.model, ...info, stderr: proc.stderr.slice(-500) }, 'the MLX bridge exited unexpectedly');
      }
    });
    return proc;
  }

  private startError(error: unknown, proc: BridgeProcess): ReerError {
    if (error instanceof ReerError && error.code !== 'E_ABORTED') return error;
    return new ReerError('E_MODEL', `the MLX bridge failed to start for ${this.model}: ${errorMessage(error)}${proc.stderr ? `; stderr: ${proc.stderr.slice(-400)}` : ''}`, {
      cause: error,
      hint: 'Run `pnpm bridge:setup`; if mlx fails to import, its message is above.',
    });
  }

  private generateParams(request: ChatRequest, stream: boolean): Record<string, unknown> {
    if (request.jsonSchema) {
      throw new ReerError('E_CAPABILITY', 'the mlx provider cannot constrain output to a JSON schema', {
        hint: 'Use a provider with jsonSchema support, or parse the text yourself.',
      });
    }
    const params: Record<string, unknown> = {
      messages: request.messages,
      max_tokens: request.maxTokens ?? this.settings.max_tokens,
      temperature: request.temperature ?? 0.7,
      stream,
    };
    if (request.topP !== undefined) params.top_p = request.topP;
    if (request.topK !== undefined) params.top_k = request.topK;
    if (request.stop?.length) params.stop = request.stop;
    if (request.seed !== undefined) params.seed = request.seed;
    return params;
  }

  private async call<T>(
    method: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
    signal: AbortSignal,
    timeoutMs: number | undefined,
    onDelta?: (text: string) => void,
  ): Promise<T> {
    const proc = await this.ready();
    const result = await proc.request(method, params, schema, {
      timeoutMs: timeoutMs ?? this.settings.request_timeout_ms,
      signal,
      onDelta,
    });
    this.consecutiveCrashes = 0;
    return result;
  }

  private toChatResult(result: GenerateResult): BackendChatResult {
    return {
      text: result.text,
      finishReason: result.finish_reason,
      usage: { inputTokens: result.usage.prompt_tokens, outputTokens: result.usage.completion_tokens },
    };
  }

  async chat(request: ChatRequest, signal: AbortSignal): Promise<BackendChatResult> {
    const result = await this.call('generate', this.generateParams(request, false), GenerateResultSchema, signal, request.timeoutMs);
    return this.toChatResult(result);
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent> {
    const params = this.generateParams(request, true);
    const deltas: string[] = [];
    let wake: (() => void) | null = null;
    const notify = (): void => {
      wake?.();
      wake = null;
    };
    const state: { outcome: { ok: true; result: GenerateResult } | { ok: false; error: unknown } | null } = { outcome: null };
    // A consumer that stops early (break) aborts the generation on the bridge as well.
    const local = new AbortController();
    const onAbort = (): void => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    void this.call('generate', params, GenerateResultSchema, local.signal, request.timeoutMs, (text) => {
      deltas.push(text);
      notify();
    }).then(
      (result) => {
        state.outcome = { ok: true, result };
        notify();
      },
      (error: unknown) => {
        state.outcome = { ok: false, error };
        notify();
      },
    );
    try {
      while (true) {
        while (deltas.length > 0) yield { type: 'delta', text: deltas.shift() ?? '' };
        const settled = state.outcome;
        if (settled) {
          if (!settled.ok) throw settled.error;
          yield { type: 'done', result: this.toChatResult(settled.result) };
          return;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!state.outcome) local.abort();
    }
  }

  async score(requests: ScoreRequest[], signal: AbortSignal): Promise<ScoreResult[]> {
    const results: ScoreResult[] = [];
    for (let i = 0; i < requests.length; i += this.settings.score_batch_size) {
      const chunk = requests.slice(i, i + this.settings.score_batch_size);
      const items = chunk.map((r) => ({ prompt: r.prompt, continuation: r.continuation }));
      const scored =
        items.length === 1 && items[0]
          ? [await this.call('score', items[0], ScoreItemResultSchema, signal, undefined)]
          : (await this.call('score_batch', { items }, ScoreBatchResultSchema, signal, undefined)).results;
      if (scored.length !== chunk.length) {
        throw new ReerError('E_PROVIDER', `MLX bridge score_batch returned ${scored.length} results for ${chunk.length} items`);
      }
      for (const [k, item] of scored.entries()) results.push(toScoreResult(chunk[k]?.continuation ?? '', item));
    }
    return results;
  }

  async health(signal: AbortSignal): Promise<string> {
    const info = await this.call('info', {}, InfoResultSchema, signal, this.settings.startup_timeout_ms);
    const bridge = this.bridgeInfo;
    const model = info.models.find((m) => m.model === this.modelPath);
    return `mlx-bridge ${bridge?.bridge_version ?? '?'} (mlx ${bridge?.mlx_version ?? '?'}, ${info.device}) serving ${this.model}${model ? ` (${model.parameters} parameters)` : ''}, pid ${info.pid}`;
  }

  /** The running bridge's process id, for diagnostics and tests; undefined when none runs. */
  get pid(): number | undefined {
    return this.process?.alive ? this.process.pid : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const proc = this.process ?? (await this.starting?.catch(() => null)) ?? null;
    this.process = null;
    await proc?.close();
  }
}

/** `mlx::<model>`: a local directory or a Hugging Face repo id served by mlx_lm through the bridge. */
export const createMlxBackend: BackendFactory = (model, options) => new MlxBackend(model, options);
