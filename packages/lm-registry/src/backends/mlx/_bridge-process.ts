import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ReerError, errorMessage, type Logger } from '@reer/core';
import type { z } from 'zod';
import { guardChild } from './_orphan-guard.ts';
import { DeltaParamsSchema, IncomingMessageSchema, RPC_CODES, type RpcErrorBody } from './_protocol.ts';

export interface BridgeProcessOptions {
  python: string;
  cwd: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Names the model in messages. */
  label: string;
}

export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onDelta?: (text: string) => void;
  cleanup: () => void;
}

const STDERR_TAIL_LINES = 20;

/** The bridge's JSON-RPC error as a ReerError the registry and CLI understand. */
export function rpcToReerError(error: RpcErrorBody, method: string, label: string): ReerError {
  const text = `MLX bridge ${method} for ${label}: ${error.message}`;
  const details = { rpcCode: error.code, rpcData: error.data, retryable: false };
  switch (error.code) {
    case RPC_CODES.invalidParams:
      return new ReerError('E_USAGE', text, { details, hint: 'Fix the request field named in the message.' });
    case RPC_CODES.modelNotFound:
      return new ReerError('E_MODEL_NOT_FOUND', text, {
        details,
        hint: 'mlx::<model> takes a local directory (config.json, model.safetensors, tokenizer files) or a Hugging Face repo id such as mlx-community/Qwen3-0.6B-4bit.',
      });
    case RPC_CODES.outOfMemory:
      return new ReerError('E_MODEL', text, {
        details,
        hint: 'Use a smaller or quantized model, shorter inputs, or fewer items per score call.',
      });
    case RPC_CODES.modelLoadFailed:
    case RPC_CODES.modelNotLoaded:
      return new ReerError('E_MODEL', text, { details, hint: 'Check that the model is an mlx_lm-supported architecture.' });
    case RPC_CODES.cancelled:
      return new ReerError('E_ABORTED', text, { details });
    default:
      return new ReerError('E_PROVIDER', text, {
        details: { ...details, retryable: error.code === RPC_CODES.internalError },
        hint: 'The bridge logs on stderr; run with --log-level debug to see it.',
      });
  }
}

/** One running `python -m mlx_bridge`: newline-delimited JSON-RPC over its stdin/stdout. */
export class BridgeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly pending = new Map<number, Pending>();
  private readonly stderrTail: string[] = [];
  private readonly options: BridgeProcessOptions;
  private nextId = 1;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private spawnError: Error | null = null;
  private closing = false;
  maxRequestBytes = 16 * 2 ** 20;

  constructor(options: BridgeProcessOptions) {
    this.options = options;
    this.child = spawn(options.python, ['-m', 'mlx_bridge', ...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    guardChild(this.child);
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so answers still buffered in the pipe are delivered first.
      this.child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.failAll(this.exitError());
        resolve(this.exitInfo);
      });
      this.child.once('error', (error) => {
        // spawn failed (ENOENT…): no 'exit' follows.
        this.spawnError = error;
        this.exitInfo = { code: null, signal: null };
        this.failAll(this.exitError());
        resolve(this.exitInfo);
      });
    });
    // Writes to a bridge that just died fail with EPIPE; the exit handler reports that.
    this.child.stdin?.on('error', (error) => options.logger.debug({ err: errorMessage(error) }, 'mlx bridge stdin closed'));
    createInterface({ input: this.child.stdout!, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => this.onLine(line));
    createInterface({ input: this.child.stderr!, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      options.logger.debug({ mlxBridge: this.child.pid }, line);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  get stderr(): string {
    return this.stderrTail.join('\n');
  }

  private exitError(): ReerError {
    if (this.spawnError) {
      return new ReerError('E_MODEL', `could not start the MLX bridge with ${this.options.python}: ${this.spawnError.message}`, {
        cause: this.spawnError,
        hint: 'Run `pnpm bridge:setup` to create mlx-bridge/.venv, or set providers.entries.mlx.python.',
        details: { retryable: false },
      });
    }
    if (this.closing) return new ReerError('E_ABORTED', `the MLX bridge for ${this.options.label} was closed`);
    const how = this.exitInfo?.signal ? `was killed by ${this.exitInfo.signal}` : `exited with code ${this.exitInfo?.code}`;
    const tail = this.stderrTail.slice(-5).join(' | ');
    return new ReerError('E_MODEL', `the MLX bridge for ${this.options.label} ${how} while requests were in flight${tail ? `; last stderr: ${tail}` : ''}`, {
      // A crash is worth one more try: the next call starts a fresh bridge.
      details: { retryable: true, exitCode: this.exitInfo?.code, signal: this.exitInfo?.signal },
      hint: 'The bridge is restarted on the next call; if it keeps crashing, run with --log-level debug to see its stderr.',
    });
  }

  private failAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      entry.cleanup();
      entry.reject(error);
    }
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      this.options.logger.warn({ line: line.slice(0, 200), err: errorMessage(error) }, 'mlx bridge wrote a non-JSON line on stdout');
      return;
    }
    const parsed = IncomingMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.options.logger.warn({ line: line.slice(0, 200) }, 'mlx bridge wrote a message that is not JSON-RPC 2.0');
      return;
    }
    const message = parsed.data;
    if ('method' in message) {
      const delta = DeltaParamsSchema.safeParse(message.params);
      if (message.method !== 'generate/delta' || !delta.success) {
        this.options.logger.warn({ method: message.method }, 'mlx bridge sent an unknown notification');
        return;
      }
      const id = delta.data.id;
      if (typeof id === 'number') this.pending.get(id)?.onDelta?.(delta.data.text);
      return;
    }
    if (typeof message.id !== 'number') {
      // Only errors about lines the bridge could not attribute have no id; we never send such lines.
      const body = 'error' in message ? message.error.message : 'a result';
      this.options.logger.warn({ id: message.id }, `mlx bridge answered an unknown request: ${body}`);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return; // timed out or cancelled earlier: its late answer is dropped
    this.pending.delete(message.id);
    entry.cleanup();
    if ('error' in message) entry.reject(rpcToReerError(message.error, entry.method, this.options.label));
    else entry.resolve(message.result);
  }

  private write(message: Record<string, unknown>): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  notify(method: string, params: Record<string, unknown>): void {
    if (this.alive) this.write({ jsonrpc: '2.0', method, params });
  }

  request<T>(method: string, params: Record<string, unknown>, schema: z.ZodType<T>, options: RequestOptions): Promise<T> {
    if (!this.alive) return Promise.reject(this.exitError());
    if (options.signal?.aborted) return Promise.reject(new ReerError('E_ABORTED', `MLX bridge ${method} was cancelled`));
    const id = this.nextId++;
    const line = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    if (Buffer.byteLength(line) >= this.maxRequestBytes) {
      return Promise.reject(
        new ReerError('E_USAGE', `MLX bridge ${method}: the request is ${Buffer.byteLength(line)} bytes, over the bridge's ${this.maxRequestBytes}`, {
          hint: 'Send fewer or shorter items per call.',
        }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const abandon = (error: ReerError): void => {
        if (!this.pending.delete(id)) return;
        cleanup();
        // Stop the work on the model too, not just our wait for it.
        this.notify('$/cancelRequest', { id });
        reject(error);
      };
      const timer = setTimeout(
        () =>
          abandon(
            new ReerError('E_TIMEOUT', `MLX bridge ${method} for ${this.options.label} took longer than ${options.timeoutMs} ms`, {
              details: { retryable: false },
              hint: 'Raise providers.entries.mlx.request_timeout_ms or the call timeout, or ask for fewer tokens.',
            }),
          ),
        options.timeoutMs,
      );
      const onAbort = (): void => abandon(new ReerError('E_ABORTED', `MLX bridge ${method} was cancelled`));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        method,
        onDelta: options.onDelta,
        cleanup,
        reject,
        resolve: (value) => {
          const parsed = schema.safeParse(value);
          if (parsed.success) resolve(parsed.data);
          else {
            const issue = parsed.error.issues[0];
            reject(
              new ReerError('E_PROVIDER', `MLX bridge ${method} returned an unexpected result: ${issue?.path.join('.')}: ${issue?.message}`, {
                hint: 'The bridge and this client disagree on the protocol: rerun `pnpm bridge:setup`.',
              }),
            );
          }
        },
      });
      this.child.stdin?.write(`${line}\n`);
    });
  }

  /** Asks the bridge to shut down, then escalates: close stdin, SIGTERM, SIGKILL. */
  async close(graceMs = 3000): Promise<void> {
    if (!this.alive) return;
    this.closing = true;
    const waitExit = (ms: number): Promise<boolean> =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    this.write({ jsonrpc: '2.0', id: this.nextId++, method: 'shutdown' });
    this.child.stdin?.end();
    if (await waitExit(graceMs)) return;
    this.child.kill('SIGTERM');
    if (await waitExit(graceMs)) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
