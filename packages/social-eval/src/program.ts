import { Command } from 'commander';
import { addGlobalOptions } from '@reer/cli-kit';
import { backtestCommand } from './commands/backtest.ts';
import { checkCommand } from './commands/check.ts';
import { compareCommand } from './commands/compare.ts';
import { fitCommand } from './commands/fit.ts';
import { scoreCommand } from './commands/score.ts';

/** The command table. Each command lives in `commands/<name>.ts` and loads heavy libraries lazily. */
export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('social-eval').description("Score posts and gate content in CI."));
  program.addCommand(scoreCommand());
  program.addCommand(fitCommand());
  program.addCommand(checkCommand());
  program.addCommand(backtestCommand());
  program.addCommand(compareCommand());
  return program;
}
