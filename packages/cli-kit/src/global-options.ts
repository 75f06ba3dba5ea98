import { type Command, Option } from 'commander';
import {
  LOG_LEVELS,
  createLogger,
  loadConfig,
  loadEnv,
  resolveDataDir,
  secretValues,
  type Env,
  type LoadedConfig,
  type Logger,
} from '@reer/core';

/** Options every CLI takes, parsed by commander from the root program. */
export interface GlobalOptions {
  dataDir?: string;
  config?: string;
  logLevel?: (typeof LOG_LEVELS)[number];
  json?: boolean;
}

/** What a command needs from the environment, built once from the global options. */
export interface CliContext {
  cwd: string;
  env: Env;
  dataDir: string;
  config: LoadedConfig;
  logger: Logger;
  json: boolean;
  /** True when stderr is a terminal: show progress bars. */
  interactive: boolean;
}

/** Adds `--data-dir`, `--config`, `--log-level` to a root program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--data-dir <dir>', 'data directory (default: $REER_DATA_DIR or ./data)')
    .option('--config <file>', 'config file layered over config/default.yaml (also $REER_CONFIG)')
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS))
    .showHelpAfterError('(run with --help for usage)');
}

/** Adds `--json` to a command whose output is data. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print machine-readable JSON on stdout');
}

/** Builds the context from the merged options of a command (its own and the root's). */
export function createContext(command: Command): CliContext {
  const opts = command.optsWithGlobals<GlobalOptions>();
  const cwd = process.cwd();
  const env = loadEnv({ cwd });
  const config = loadConfig({ configPath: opts.config, env, cwd });
  const logger = createLogger({ level: opts.logLevel ?? (opts.json ? 'warn' : 'info'), secrets: secretValues(env) });
  return {
    cwd,
    env,
    dataDir: resolveDataDir({ dataDir: opts.dataDir, env, cwd }),
    config,
    logger,
    json: Boolean(opts.json),
    interactive: Boolean(process.stderr.isTTY),
  };
}

/** Appends an example block to a command's --help. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}
