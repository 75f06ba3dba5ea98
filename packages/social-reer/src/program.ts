import { Command } from 'commander';
import { addGlobalOptions } from '@reer/cli-kit';
import { mineCommand } from './commands/mine.ts';
import { showCommand } from './commands/show.ts';
import { strategiesCommand } from './commands/strategies.ts';

/** The command table. Each command lives in `commands/<name>.ts` and loads heavy libraries lazily. */
export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('social-reer').description("Mine REER traces and strategies from the author's best posts."));
  program.addCommand(mineCommand());
  program.addCommand(strategiesCommand());
  program.addCommand(showCommand());
  return program;
}
