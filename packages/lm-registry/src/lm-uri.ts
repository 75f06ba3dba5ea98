import { ReerError } from '@reer/core';
import type { ProviderConfig, ProvidersSettings } from './provider-config.ts';

/** URI schemes: `dspy::` runs an API or OpenAI-compatible server through our Ax layer; `mlx::` and
 * `llama::` run a local model. */
export const LM_SCHEMES = ['dspy', 'mlx', 'llama'] as const;
export type LmScheme = (typeof LM_SCHEMES)[number];

export interface LmUri {
  /** The URI as given (trimmed). */
  uri: string;
  scheme: LmScheme;
  /** Provider entry name as written in the URI (may be an alias such as `together_ai`). */
  provider: string;
  /** Model as written in the URI: an API model name, a path, or a Hugging Face id. */
  model: string;
}

const ACCEPTED =
  'accepted: dspy::<provider>/<model> (e.g. dspy::openai/gpt-4o-mini, dspy::anthropic/claude-3-haiku, dspy::together_ai/meta-llama-3.1-8b-instruct, dspy::local/<model>), mlx::<model path or Hugging Face id>, llama::<gguf path or catalog name>';

function uriError(uri: string, problem: string, hint = ACCEPTED): ReerError {
  return new ReerError('E_PROVIDER_URI', `LM URI "${uri}": ${problem}`, { hint, details: { uri } });
}

/**
 * Parse `{provider}::{model}`. With `settings`, also checks that the provider is configured (by
 * name or alias, and of the scheme's kind) and that it lists the model; errors are one line that
 * says what is accepted.
 */
export function parseLmUri(uri: string, settings?: ProvidersSettings): LmUri {
  const text = uri.trim();
  const sep = text.indexOf('::');
  if (sep <= 0) throw uriError(text, 'missing "<scheme>::"');
  const scheme = text.slice(0, sep);
  const rest = text.slice(sep + 2);
  if (!(LM_SCHEMES as readonly string[]).includes(scheme)) {
    throw uriError(text, `unknown scheme "${scheme}" (use ${LM_SCHEMES.map((s) => `${s}::`).join(', ')})`);
  }
  if (rest.trim().length === 0) throw uriError(text, 'no model after "::"');
  let parsed: LmUri;
  if (scheme === 'dspy') {
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) throw uriError(text, 'dspy:: URIs are dspy::<provider>/<model>');
    parsed = { uri: text, scheme, provider: rest.slice(0, slash), model: rest.slice(slash + 1) };
  } else {
    parsed = { uri: text, scheme: scheme as LmScheme, provider: scheme, model: rest };
  }
  if (settings) providerForUri(parsed, settings);
  return parsed;
}

function configuredNames(settings: ProvidersSettings, kinds: (k: ProviderConfig['kind']) => boolean): string[] {
  const names: string[] = [];
  for (const entry of settings.entries.values()) if (kinds(entry.kind)) names.push(entry.name, ...entry.aliases);
  return names;
}

/** The provider entry a parsed URI names; throws `E_PROVIDER_URI` when unknown or the model is not listed. */
export function providerForUri(parsed: LmUri, settings: ProvidersSettings): ProviderConfig {
  const isLocalKind = (k: ProviderConfig['kind']) => k === 'mlx' || k === 'llama';
  let entry: ProviderConfig | undefined;
  for (const candidate of settings.entries.values()) {
    if (candidate.name === parsed.provider || candidate.aliases.includes(parsed.provider)) entry = candidate;
  }
  const wantsLocal = parsed.scheme !== 'dspy';
  if (!entry || isLocalKind(entry.kind) !== wantsLocal || (wantsLocal && entry.kind !== parsed.scheme)) {
    const names = configuredNames(settings, (k) => (wantsLocal ? k === parsed.scheme : !isLocalKind(k)));
    const known = names.length > 0 ? names.join(', ') : 'none configured';
    throw uriError(
      parsed.uri,
      wantsLocal
        ? `no "${parsed.scheme}" provider is configured`
        : `unknown provider "${parsed.provider}" (configured: ${known})`,
      'Use a provider listed under providers.entries in your config, or add one (an OpenAI-compatible server needs kind: openai-compatible and a base_url).',
    );
  }
  if (!entry.supported_models.includes('*') && !entry.supported_models.includes(parsed.model)) {
    throw uriError(
      parsed.uri,
      `provider "${entry.name}" does not list model "${parsed.model}" (supported: ${entry.supported_models.join(', ')})`,
      `Use one of the listed models, or add it to providers.entries.${entry.name}.supported_models in your config.`,
    );
  }
  return entry;
}
