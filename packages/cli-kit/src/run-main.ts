import { CommanderError, type Command } from 'commander';
import { isReerError, errorMessage } from '@reer/core';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

const REPORT_URL = 'https://github.com/reer-social/reer-social/issues';

/** Thrown by a command to end with a chosen exit code after it has printed its result. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * The one place where errors become words and exit codes: a `ReerError` prints one line (and its
 * hint) and exits 2 for bad input or 1 for a failed check or operation; commander's usage errors
 * exit 2; anything else is a bug and prints its stack.
 */
export async function runMain(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  overrideExits(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (error: unknown) {
    process.exitCode = exitCodeFor(error);
  }
}

/** Commander exits by itself unless every (sub)command routes its errors here. */
function overrideExits(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) overrideExits(sub);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof ExitCode) return error.code;
  if (error instanceof CommanderError) {
    // --help and --version end through exitOverride too.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    return EXIT_BAD_INPUT;
  }
  if (isReerError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (error.kind === 'bug') {
      process.stderr.write(`${error.stack ?? ''}\nThis is a bug: please report it at ${REPORT_URL}\n`);
      return EXIT_CHECK_FAILED;
    }
    return error.kind === 'input' || error.kind === 'usage' ? EXIT_BAD_INPUT : EXIT_CHECK_FAILED;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : errorMessage(error);
  process.stderr.write(`unexpected error: ${stack}\nThis is a bug: please report it at ${REPORT_URL}\n`);
  return EXIT_CHECK_FAILED;
}
