import { Command } from 'commander';
import { addGlobalOptions } from '@reer/cli-kit';

/** The command table. Each command lives in `commands/<name>.ts` and loads heavy libraries lazily. */
export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('social-eval').description("Score posts and gate content in CI."));
  return program;
}
