import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Env } from './env.ts';
import { ReerError, errorMessage } from './errors.ts';
import { formatZodIssues } from './zod-issues.ts';

/** The defaults shipped with the toolkit. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../../config/default.yaml', import.meta.url));

export type RawConfig = Record<string, unknown>;

export interface LoadedConfig {
  /** Deep merge of the files, later ones winning. Each package validates its own section. */
  raw: RawConfig;
  /** The files merged, in order. */
  files: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: RawConfig, over: RawConfig): RawConfig {
  const out: RawConfig = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function readYaml(file: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ReerError('E_CONFIG', `${file}: cannot read config (${errorMessage(cause)})`, {
      hint: 'Check the path given to --config or REER_CONFIG.',
      cause,
    });
  }
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new ReerError('E_CONFIG', `${file}${line ? `:${line}` : ''}: invalid YAML (${first.message.split('\n')[0]})`, {
      hint: 'Fix the YAML syntax at that line.',
    });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new ReerError('E_CONFIG', `${file}: the top level must be a mapping of sections`, {
      hint: 'Start the file with section names such as `providers:` or `scorer:`.',
    });
  }
  return value;
}

/**
 * Load `config/default.yaml`, then `REER_CONFIG`, then `--config` (each optional beyond the
 * defaults), deep-merged in that order.
 */
export function loadConfig(options: { configPath?: string | undefined; env?: Env; cwd?: string; defaultsPath?: string } = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const files = [options.defaultsPath ?? DEFAULT_CONFIG_PATH];
  for (const candidate of [options.env?.REER_CONFIG, options.configPath]) {
    if (!candidate) continue;
    const file = isAbsolute(candidate) ? candidate : resolve(cwd, candidate);
    if (!existsSync(file)) {
      throw new ReerError('E_CONFIG', `${file}: config file not found`, {
        hint: 'Check the path given to --config or REER_CONFIG.',
      });
    }
    files.push(file);
  }
  let raw: RawConfig = {};
  for (const file of files) raw = deepMerge(raw, readYaml(file));
  return { raw, files };
}

/**
 * Validate one section of the config with the owning package's schema. Errors name the field
 * (`scorer.weights.x.hook: expected number`) and the files that were merged.
 */
export function configSection<S extends z.ZodType>(config: LoadedConfig, name: string, schema: S): z.infer<S> {
  const result = schema.safeParse(config.raw[name] ?? {});
  if (result.success) return result.data;
  const issues = formatZodIssues(result.error, name);
  throw new ReerError('E_CONFIG', `invalid config: ${issues.join('; ')} (from ${config.files.join(', ')})`, {
    hint: 'Fix the field named above in your config file; config/default.yaml documents every field.',
    details: { issues },
  });
}
