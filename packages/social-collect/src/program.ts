import { Command } from 'commander';
import { addGlobalOptions } from '@reer/cli-kit';
import { ingestCommand } from './commands/ingest.ts';
import { statsCommand } from './commands/stats.ts';
import { validateCommand } from './commands/validate.ts';

/** The command table. Each command lives in `commands/<name>.ts` and loads heavy libraries lazily. */
export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('social-collect').description("Ingest analytics exports (X, Meta, LinkedIn, generic CSV/JSON) into the store."));
  program.addCommand(ingestCommand());
  program.addCommand(statsCommand());
  program.addCommand(validateCommand());
  return program;
}
