import { ReerError, errorMessage } from '@reer/core';
import type { BackendFactory, LmCapabilities } from './types.ts';

/** What `mlx::` and `llama::` LMs declare before their backend is loaded (the backend's own
 * capabilities replace these once it is). */
export const LOCAL_DECLARED_CAPABILITIES: Record<'mlx' | 'llama', LmCapabilities> = {
  mlx: { chat: true, stream: true, score: true, jsonSchema: false, seed: true },
  llama: { chat: true, stream: true, score: true, jsonSchema: true, seed: true },
};

/**
 * The factory for `mlx::` or `llama::` LMs, imported only when such a URI is first used, so that
 * node-llama-cpp and the MLX bridge's child process cost nothing for API-only runs.
 */
export async function loadLocalBackendFactory(kind: 'mlx' | 'llama'): Promise<BackendFactory> {
  try {
    if (kind === 'mlx') return (await import('./backends/mlx/index.ts')).createMlxBackend;
    return (await import('./backends/llama/index.ts')).createLlamaBackend;
  } catch (cause) {
    throw new ReerError('E_MODEL', `${kind}:: backend could not be loaded (${errorMessage(cause).split('\n')[0]})`, {
      hint: kind === 'mlx' ? 'Run `pnpm bridge:setup` (Apple silicon), or use llama:: or an API provider.' : 'Reinstall dependencies (`pnpm install`) so node-llama-cpp is present.',
      cause,
    });
  }
}
