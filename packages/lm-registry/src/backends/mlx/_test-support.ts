import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { silentLogger } from '@reer/core';
import type { BackendOptions } from '../../types.ts';
import { BRIDGE_DIR, DEFAULT_BRIDGE_PYTHON } from './mlx-backend.ts';

/** The venv's interpreter; throws (failing the suite, never skipping it) when the venv is missing. */
export function bridgePython(): string {
  const python = process.env.REER_MLX_PYTHON ?? DEFAULT_BRIDGE_PYTHON;
  if (!existsSync(python)) {
    throw new Error(`MLX bridge tests need ${python}: run \`pnpm bridge:setup\` first (CI runs it before the tests)`);
  }
  return python;
}

/** Builds (once; cached in mlx-bridge/.cache) a random-weight test model offline and returns its directory. */
export function buildTestModel(preset: 'tiny' | 'parrot'): string {
  const res = spawnSync(bridgePython(), ['-m', 'mlx_bridge.random_model', '--preset', preset], { cwd: BRIDGE_DIR, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`building the ${preset} test model failed (run \`pnpm bridge:setup\`?):\n${res.stderr}`);
  }
  return res.stdout.trim().split('\n').pop() ?? '';
}

export function backendOptions(settings: Record<string, unknown> = {}): BackendOptions {
  return { env: { HF_HUB_OFFLINE: '1' }, logger: silentLogger, settings: { python: bridgePython(), ...settings } };
}

/** True while a process with this id exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return stat.status === 0 && !stat.stdout.trim().startsWith('Z');
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
