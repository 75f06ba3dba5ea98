import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';

/** Environment variables that hold secrets: their values are redacted from every log line. */
export const SECRET_ENV_VARS = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'TOGETHER_API_KEY',
  'HF_TOKEN',
  'REER_API_KEY',
] as const;

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The process environment layered over `.env` in `cwd` (the real environment wins, as dotenv does).
 * Returns a new object; `process.env` is left alone so libraries stay free of global state.
 */
export function loadEnv(options: { cwd?: string; env?: Env } = {}): Env {
  const cwd = options.cwd ?? process.cwd();
  const base = options.env ?? process.env;
  const file = join(cwd, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  return { ...fromFile, ...base };
}

/** The secret values present in `env` (non-empty), for the logger's redaction. */
export function secretValues(env: Env): string[] {
  const values: string[] = [];
  for (const name of Object.keys(env)) {
    const value = env[name];
    const looksSecret =
      (SECRET_ENV_VARS as readonly string[]).includes(name) || /(_API_KEY|_TOKEN|_SECRET)$/.test(name);
    if (looksSecret && value && value.length >= 6) values.push(value);
  }
  return values;
}
