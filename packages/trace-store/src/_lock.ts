import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ReerError, errorMessage, type Logger } from '@reer/core';
import lockfile from 'proper-lockfile';

export interface HeldLock {
  /** Set when another process took the lock over (ours went stale, e.g. the process was frozen). */
  readonly compromised: () => Error | undefined;
  release(): Promise<void>;
}

/**
 * Take the cross-process lock of a collection file: a `<file>.lock` directory managed by
 * proper-lockfile (atomic mkdir, refreshed mtime, taken over when stale). Retries with backoff
 * until `timeoutMs`, then throws `E_STORE_LOCKED`.
 */
export async function acquireLock(
  file: string,
  options: { timeoutMs: number; staleMs: number; logger: Logger },
): Promise<HeldLock> {
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + options.timeoutMs;
  let wait = 5;
  let compromise: Error | undefined;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        lockfilePath: `${file}.lock`,
        stale: options.staleMs,
        retries: 0,
        onCompromised: (err: Error) => {
          compromise = err;
          options.logger.error({ file, err: err.message }, 'store lock compromised');
        },
      });
      return {
        compromised: () => compromise,
        async release() {
          if (compromise) return;
          await release();
        },
      };
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code !== 'ELOCKED') {
        throw new ReerError('E_STORE_LOCKED', `${file}: cannot take the store lock (${errorMessage(cause)})`, {
          hint: 'Check that the data dir is writable.',
          cause,
        });
      }
      if (Date.now() >= deadline) {
        throw new ReerError('E_STORE_LOCKED', `${file}: another process held the store lock for more than ${options.timeoutMs} ms`, {
          hint: `Wait for the other writer to finish, or remove ${file}.lock if no process is using the store.`,
          cause,
        });
      }
      await delay(wait);
      wait = Math.min(wait * 2, 100);
    }
  }
}
