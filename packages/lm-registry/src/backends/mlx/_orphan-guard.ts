import type { ChildProcess } from 'node:child_process';

/**
 * Kills bridge processes when this process ends, so none outlive it: on a normal exit, and on
 * SIGINT/SIGTERM/SIGHUP (after which the signal is re-raised when nobody else handles it, so the
 * process still ends the way it would have). A parent killed outright (SIGKILL) cannot run this;
 * the bridge then sees stdin close and exits on its own, and on Linux it also asks the kernel for
 * SIGTERM when its parent dies.
 */
const children = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  uninstall();
  // Our handler replaced the default action; with no other listener, restore it by re-raising.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', killAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

export function guardChild(child: ChildProcess): void {
  children.add(child);
  install();
  const forget = (): void => {
    children.delete(child);
    if (children.size === 0) uninstall();
  };
  child.once('exit', forget);
  // A process that never started emits 'error' and no 'exit'.
  child.once('error', forget);
}
