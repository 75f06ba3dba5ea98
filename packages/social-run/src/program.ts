import { Command } from 'commander';
import { addGlobalOptions } from '@reer/cli-kit';
import { askCommand } from './commands/ask.ts';
import { generateCommand } from './commands/generate.ts';
import { modelsCommand } from './commands/models.ts';
import { providersCommand } from './commands/providers.ts';
import { tuneCommand } from './commands/tune.ts';

/** The command table. Each command lives in `commands/<name>.ts` and loads heavy libraries lazily. */
export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('social-run').description("Generate posts in the author's voice, tune the program, manage providers and models."));
  program.addCommand(generateCommand());
  program.addCommand(modelsCommand());
  program.addCommand(askCommand());
  program.addCommand(providersCommand());
  program.addCommand(tuneCommand());
  return program;
}
