import { ReerError, errorMessage, type ErrorCode } from '@reer/core';

/** What the retry layer needs to know about a failed call; kept in `ReerError.details`. */
export interface RetryInfo {
  /** HTTP status, when the server answered. */
  status?: number;
  retryable: boolean;
  /** How long the server asked us to wait (Retry-After / x-ratelimit-reset-*), in ms. */
  retryAfterMs?: number;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** 408, 409, 429 and 5xx are worth retrying; other 4xx (bad request, auth, not found) never are. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** Replace each secret (and any bearer token) in `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join('[Redacted]');
  return out.replace(/Bearer\s+[A-Za-z0-9._~+/-]{8,}=*/g, 'Bearer [Redacted]');
}

/** A Go-style duration (`1s`, `6m0s`, `20ms`, `1m30.5s`) as used by OpenAI's reset headers. */
function parseDuration(value: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of value.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
    matched += m[0];
  }
  return matched.length > 0 && matched === value ? total : undefined;
}

/** A header value meaning "wait": seconds, a duration, or a date. */
function parseWait(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Some servers send a Unix timestamp in x-ratelimit-reset rather than seconds to wait.
    return n > 1e9 ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  const duration = parseDuration(text);
  if (duration !== undefined) return duration;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface HeaderLike {
  get(name: string): string | null;
}

/**
 * How long the server asked us to wait: `retry-after-ms`, `Retry-After`, else the reset header of
 * whichever limit is exhausted (`x-ratelimit-reset-requests` / `-tokens`, Anthropic's
 * `anthropic-ratelimit-*-reset`, `x-ratelimit-reset`).
 */
export function retryAfterFromHeaders(headers: HeaderLike | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const retryAfter = parseWait(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const pairs: [string, string][] = [
    ['x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
    ['x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
    ['anthropic-ratelimit-requests-remaining', 'anthropic-ratelimit-requests-reset'],
    ['anthropic-ratelimit-tokens-remaining', 'anthropic-ratelimit-tokens-reset'],
    ['x-ratelimit-remaining', 'x-ratelimit-reset'],
  ];
  const exhausted: number[] = [];
  const any: number[] = [];
  for (const [remainingName, resetName] of pairs) {
    const wait = parseWait(headers.get(resetName), now);
    if (wait === undefined) continue;
    any.push(wait);
    if (headers.get(remainingName)?.trim() === '0') exhausted.push(wait);
  }
  if (exhausted.length > 0) return Math.max(...exhausted);
  return any.length > 0 ? Math.min(...any) : undefined;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'E_PROVIDER_AUTH';
  if (status === 429) return 'E_RATE_LIMITED';
  if (status === 408) return 'E_TIMEOUT';
  return 'E_PROVIDER';
}

function hintForStatus(status: number, keyEnv: string | undefined): string | undefined {
  if (status === 401) return keyEnv ? `Check ${keyEnv} (in the environment or .env).` : 'Check the provider credentials.';
  if (status === 403) return 'The key is valid but not allowed to use this model or endpoint.';
  if (status === 404) return 'Check the model name and the provider base_url.';
  if (status === 400) return 'The provider rejected the request; check the model and parameters.';
  if (status === 429) return 'Lower providers.entries.<name>.rate_limits or configure providers.fallback.';
  return undefined;
}

/** Shapes shared by the openai and @anthropic-ai/sdk error classes (both Stainless-generated). */
interface SdkApiErrorLike {
  status?: number | undefined;
  headers?: HeaderLike | undefined;
  message: string;
  name: string;
}

function isSdkApiError(error: unknown): error is Error & SdkApiErrorLike {
  return error instanceof Error && 'status' in error && 'headers' in error;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

export interface ProviderErrorContext {
  provider: string;
  model: string;
  /** Values to scrub from messages (the provider's key). */
  secrets: readonly string[];
  /** Env var of the key, for the hint on 401. */
  keyEnv?: string | undefined;
}

/** Turn whatever an SDK or fetch threw into a `ReerError` with `RetryInfo` in its details. */
export function providerError(error: unknown, ctx: ProviderErrorContext): ReerError {
  if (error instanceof ReerError) return error;
  const where = `${ctx.provider}/${ctx.model}`;
  const clean = (m: string) => redactSecrets(m, ctx.secrets).split('\n')[0] ?? '';
  if (error instanceof SyntaxError) {
    return new ReerError('E_PROVIDER', `${where}: malformed response (${clean(error.message)})`, {
      hint: 'The server did not answer with valid JSON; check base_url points at an OpenAI-compatible API.',
      details: { retryable: true } satisfies RetryInfo,
    });
  }
  if (isSdkApiError(error)) {
    const status = typeof error.status === 'number' ? error.status : undefined;
    if (status !== undefined) {
      const info: RetryInfo = { status, retryable: isRetryableStatus(status), retryAfterMs: retryAfterFromHeaders(error.headers) };
      return new ReerError(codeForStatus(status), `${where}: HTTP ${status}: ${clean(error.message)}`, {
        hint: hintForStatus(status, ctx.keyEnv),
        details: { ...info },
      });
    }
    if (error.name === 'APIUserAbortError') {
      return new ReerError('E_ABORTED', `${where}: request aborted`, { details: { retryable: false } satisfies RetryInfo });
    }
    if (error.name === 'APIConnectionTimeoutError') {
      return new ReerError('E_TIMEOUT', `${where}: request timed out`, { details: { retryable: true } satisfies RetryInfo });
    }
    // APIConnectionError: resets, refused connections, and bodies that fail to parse.
    const cause = (error as Error).cause;
    if (cause instanceof SyntaxError) return providerError(cause, ctx);
    const reason = networkCode(error) ?? clean(cause instanceof Error ? cause.message : error.message);
    return new ReerError('E_PROVIDER', `${where}: connection failed (${reason})`, {
      hint: 'Check that the provider base_url is reachable.',
      details: { retryable: true } satisfies RetryInfo,
    });
  }
  const code = networkCode(error);
  if (code) {
    return new ReerError('E_PROVIDER', `${where}: network error ${code}`, {
      hint: 'Check that the provider base_url is reachable.',
      details: { retryable: true } satisfies RetryInfo,
    });
  }
  return new ReerError('E_PROVIDER', `${where}: ${clean(errorMessage(error))}`, { details: { retryable: false } satisfies RetryInfo });
}

/** The retry facts of an error (not retryable when it carries none). */
export function retryInfoOf(error: unknown): RetryInfo {
  if (!(error instanceof ReerError) || !error.details) return { retryable: false };
  const d = error.details;
  return {
    retryable: d.retryable === true,
    ...(typeof d.status === 'number' ? { status: d.status } : {}),
    ...(typeof d.retryAfterMs === 'number' ? { retryAfterMs: d.retryAfterMs } : {}),
  };
}
