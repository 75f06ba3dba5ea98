import type { Command } from 'commander';
import { runMain } from '../run-main.ts';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI program in-process the way its bin does (through `runMain`, so exit codes are the real
 * ones) and captures what it writes, for the CLIs' tests.
 */
export async function runCaptured(program: Command, args: readonly string[]): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const text = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += text(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += text(chunk);
    return true;
  }) as typeof process.stderr.write;
  const previous = process.exitCode;
  process.exitCode = 0;
  try {
    await runMain(program, ['node', program.name(), ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = previous;
  }
}
