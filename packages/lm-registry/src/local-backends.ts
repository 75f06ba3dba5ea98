import { ReerError, errorMessage } from '@reer/core';
import type { BackendFactory, LmCapabilities } from './types.ts';

/** What `mlx::` and `llama::` LMs declare before their backend is loaded (the backend's own
 * capabilities replace these once it is). */
export const LOCAL_DECLARED_CAPABILITIES: Record<'mlx' | 'llama', LmCapabilities> = {
  mlx: { chat: true, stream: true, score: true, jsonSchema: false, seed: true },
  llama: { chat: true, stream: true, score: true, jsonSchema: true, seed: true },
};

const MODULES = {
  mlx: { path: './backends/mlx/index.ts', factory: 'createMlxBackend' },
  llama: { path: './backends/llama/index.ts', factory: 'createLlamaBackend' },
} as const;

/**
 * The factory for `mlx::` or `llama::` LMs, imported only when such a URI is first used, so that
 * node-llama-cpp and the MLX bridge's child process cost nothing for API-only runs.
 */
export async function loadLocalBackendFactory(kind: 'mlx' | 'llama'): Promise<BackendFactory> {
  const { path, factory } = MODULES[kind];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(new URL(path, import.meta.url).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ReerError('E_MODEL', `${kind}:: backend could not be loaded (${errorMessage(cause).split('\n')[0]})`, {
      hint: kind === 'mlx' ? 'Run `pnpm bridge:setup` (Apple silicon) or use llama:: or an API provider.' : 'Reinstall dependencies (`pnpm install`) so node-llama-cpp is present.',
      cause,
    });
  }
  const create = mod[factory];
  if (typeof create !== 'function') {
    throw new ReerError('E_INTERNAL', `${path} does not export ${factory}`);
  }
  return create as BackendFactory;
}
