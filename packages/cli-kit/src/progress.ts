import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  start(total: number, label?: string): void;
  update(done: number): void;
  increment(by?: number): void;
  stop(): void;
}

const noop: Progress = { start() {}, update() {}, increment() {}, stop() {} };

/** A progress bar on stderr when it is a terminal; silent when piped or in CI. */
export function createProgress(interactive: boolean, label = 'progress'): Progress {
  if (!interactive) return noop;
  const bar = new SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {percentage}% {value}/{total} {eta_formatted}`, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0),
    update: (done) => bar.update(done),
    increment: (by = 1) => bar.increment(by),
    stop: () => bar.stop(),
  };
}
