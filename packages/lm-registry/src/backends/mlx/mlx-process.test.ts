import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isReerError } from '@reer/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../types.ts';
import { backendOptions, bridgePython, buildTestModel, processAlive, waitUntil } from './_test-support.ts';
import { MlxBackend } from './mlx-backend.ts';

// Process-level behaviour of the client against the real bridge: crashes, restarts, timeouts,
// protocol checks and orphans. Needs `pnpm bridge:setup`; fails (never skips) without it.
let tinyModel = '';
const signal = new AbortController().signal;
const LONG = { messages: [{ role: 'user' as const, content: 'go' }], temperature: 0, maxTokens: 100_000 };

beforeAll(() => {
  bridgePython();
  tinyModel = buildTestModel('tiny');
});

/** Starts a long streaming generation and resolves once the first delta arrived. */
async function startLongStream(backend: MlxBackend): Promise<{ done: Promise<unknown>; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  let first: () => void = () => {};
  const started = new Promise<void>((r) => {
    first = r;
  });
  const done = (async () => {
    for await (const event of backend.streamChat(LONG, signal)) {
      events.push(event);
      first();
    }
  })().catch((e: unknown) => e);
  await Promise.race([started, done]);
  return { done, events };
}

describe('mlx bridge process handling', () => {
  it('reports a sidecar killed mid-request and recovers on the next call', async () => {
    const backend = new MlxBackend(tinyModel, backendOptions({ restart_backoff_ms: 10 }));
    try {
      const { done } = await startLongStream(backend);
      const pid = backend.pid;
      expect(pid).toBeDefined();
      process.kill(pid!, 'SIGKILL');
      const error = await done;
      expect(isReerError(error, 'E_MODEL')).toBe(true);
      expect((error as Error).message).toMatch(/was killed by SIGKILL while requests were in flight/);
      expect(isReerError(error) && error.details?.retryable).toBe(true);
      const again = await backend.chat({ ...LONG, maxTokens: 3 }, signal);
      expect(again.usage.outputTokens).toBeLessThanOrEqual(3);
      expect(backend.pid).not.toBe(pid);
    } finally {
      await backend.close();
    }
  });

  it('gives up after too many crashes in the window', async () => {
    const backend = new MlxBackend(tinyModel, backendOptions({ max_restarts: 0 }));
    try {
      await backend.chat({ ...LONG, maxTokens: 1 }, signal);
      process.kill(backend.pid!, 'SIGKILL');
      await waitUntil(() => backend.pid === undefined, 10_000, 'the client to notice the crash');
      const error = await backend.chat({ ...LONG, maxTokens: 1 }, signal).catch((e: unknown) => e);
      expect(isReerError(error, 'E_MODEL')).toBe(true);
      expect((error as Error).message).toMatch(/crashed 1 times/);
    } finally {
      await backend.close();
    }
  });

  it('times a request out, cancels it on the bridge and keeps serving', async () => {
    const backend = new MlxBackend(tinyModel, backendOptions());
    try {
      await backend.chat({ ...LONG, maxTokens: 1 }, signal);
      const pid = backend.pid;
      const error = await backend.chat({ ...LONG, timeoutMs: 300 }, signal).catch((e: unknown) => e);
      expect(isReerError(error, 'E_TIMEOUT')).toBe(true);
      const next = await backend.chat({ ...LONG, maxTokens: 2 }, signal);
      expect(next.usage.outputTokens).toBeLessThanOrEqual(2);
      expect(backend.pid).toBe(pid);
    } finally {
      await backend.close();
    }
  });

  it('fails with a setup hint when the Python is missing', async () => {
    const backend = new MlxBackend(tinyModel, { ...backendOptions(), settings: { python: '/nonexistent/venv/bin/python' } });
    const error = await backend.chat(LONG, signal).catch((e: unknown) => e);
    expect(isReerError(error, 'E_MODEL')).toBe(true);
    expect(isReerError(error) && error.hint).toMatch(/pnpm bridge:setup/);
  });

  describe('against a scripted bridge', () => {
    /** A stand-in `mlx_bridge` package that answers initialize with `init` and load_model with `load`. */
    function fakeBridge(init: string, load: string): string {
      const dir = mkdtempSync(join(tmpdir(), 'fake-bridge-'));
      mkdirSync(join(dir, 'mlx_bridge'));
      writeFileSync(join(dir, 'mlx_bridge', '__init__.py'), '');
      writeFileSync(
        join(dir, 'mlx_bridge', '__main__.py'),
        [
          'import json, sys',
          'for line in sys.stdin:',
          '    msg = json.loads(line)',
          `    result = ${init} if msg["method"] == "initialize" else ${load}`,
          '    if "id" in msg:',
          '        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}), flush=True)',
        ].join('\n'),
      );
      return dir;
    }
    const INIT = (version: string) =>
      `{"protocol_version": "${version}", "bridge_version": "0", "mlx_version": "0", "mlx_lm_version": "0", "python_version": "3", "device": "cpu", "backend": "cpu", "pid": 1, "max_request_bytes": 1000000, "capabilities": {"stream": True, "score": True, "score_batch": True, "cancel": True}}`;

    it('refuses a bridge that speaks another protocol version', async () => {
      const backend = new MlxBackend(tinyModel, backendOptions({ bridge_dir: fakeBridge(INIT('2.0'), '{}') }));
      const error = await backend.chat(LONG, signal).catch((e: unknown) => e);
      expect(isReerError(error, 'E_MODEL')).toBe(true);
      expect((error as Error).message).toMatch(/speaks protocol 2.0; this client needs 1.0/);
      await backend.close();
    });

    it('rejects results that fail validation', async () => {
      const backend = new MlxBackend(tinyModel, backendOptions({ bridge_dir: fakeBridge(INIT('1.0'), '{"model": 7}') }));
      const error = await backend.chat(LONG, signal).catch((e: unknown) => e);
      expect(isReerError(error, 'E_PROVIDER')).toBe(true);
      expect((error as Error).message).toMatch(/load_model returned an unexpected result/);
      await backend.close();
    });
  });

  describe('no orphan bridge after the parent exits', () => {
    const fixture = fileURLToPath(new URL('./_orphan-fixture.ts', import.meta.url));

    async function parentWithBridge(mode: string): Promise<{ parent: ReturnType<typeof spawn>; bridgePid: number }> {
      const parent = spawn(process.execPath, ['--import', 'tsx', fixture, tinyModel, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      parent.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const bridgePid = await new Promise<number>((resolve, reject) => {
        parent.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n')[0] ?? '';
          if (out.includes('\n')) resolve((JSON.parse(line) as { bridgePid: number }).bridgePid);
        });
        parent.once('exit', (code) => {
          if (!out.includes('\n')) reject(new Error(`fixture exited (${code}) before starting the bridge: ${err}`));
        });
      });
      return { parent, bridgePid };
    }

    it.each([
      ['process.exit()', 'exit', null],
      ['an uncaught exception', 'throw', null],
      ['SIGTERM', 'wait', 'SIGTERM'],
      ['SIGINT', 'wait', 'SIGINT'],
      ['SIGKILL (no handler runs)', 'wait', 'SIGKILL'],
    ] as const)('after %s', async (_label, mode, sig) => {
      const { parent, bridgePid } = await parentWithBridge(mode);
      expect(processAlive(bridgePid) || mode !== 'wait').toBe(true);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
        parent.once('exit', (code, s) => r({ code, signal: s })),
      );
      if (sig) parent.kill(sig);
      const status = await exited;
      if (sig) expect(status.signal).toBe(sig); // the signal still ends the parent as it would have
      await waitUntil(() => !processAlive(bridgePid), 15_000, `bridge ${bridgePid} to exit`);
    });
  });
});
