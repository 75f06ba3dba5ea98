/**
 * Stable error codes. Libraries throw `ReerError` with one of these; only the CLI turns them into
 * words and exit codes. Codes never change meaning once released: add new ones instead.
 */
export const ERROR_CODES = {
  /** Bad CLI usage or option values (exit 2). */
  E_USAGE: 'usage',
  /** An input file cannot be read or has an unknown / unusable shape (exit 2). */
  E_INPUT_FORMAT: 'input',
  /** An input file does not exist or cannot be opened (exit 2). */
  E_INPUT_NOT_FOUND: 'input',
  /** Config file or environment is invalid (exit 2). */
  E_CONFIG: 'input',
  /** A record failed its schema on write or read. */
  E_SCHEMA: 'input',
  /** The store on disk is damaged in a way that cannot be repaired automatically. */
  E_STORE_CORRUPT: 'failure',
  /** Could not take the store's lock in time. */
  E_STORE_LOCKED: 'failure',
  /** Provider URI does not parse or names something unknown (exit 2). */
  E_PROVIDER_URI: 'input',
  /** Missing or rejected credentials. */
  E_PROVIDER_AUTH: 'failure',
  /** Rate limited beyond the configured wait. */
  E_RATE_LIMITED: 'failure',
  /** The provider answered with an error or garbage after retries. */
  E_PROVIDER: 'failure',
  /** A call exceeded its timeout. */
  E_TIMEOUT: 'failure',
  /** The operation was cancelled by the caller. */
  E_ABORTED: 'failure',
  /** The LM lacks a capability the caller needs (e.g. `score`). */
  E_CAPABILITY: 'input',
  /** The local model / bridge could not be used. */
  E_MODEL: 'failure',
  /** A local model file is missing or fails its checksum. */
  E_MODEL_NOT_FOUND: 'input',
  /** Not enough data to do what was asked (e.g. fit a model). */
  E_INSUFFICIENT_DATA: 'failure',
  /** A quality gate failed (exit 1). */
  E_CHECK_FAILED: 'check',
  /** A bug: please report. */
  E_INTERNAL: 'bug',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
/** How the CLI treats an error: `usage`/`input` → exit 2, `check`/`failure` → exit 1, `bug` → stack + exit 1. */
export type ErrorKind = (typeof ERROR_CODES)[ErrorCode];

export interface ReerErrorOptions {
  /** What the user can do about it, in one sentence. */
  hint?: string;
  cause?: unknown;
  /** Machine-readable details (file, line, field…). Never put secrets here. */
  details?: Record<string, unknown>;
}

export class ReerError extends Error {
  override readonly name = 'ReerError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ReerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }
}

export function isReerError(value: unknown, code?: ErrorCode): value is ReerError {
  return value instanceof ReerError && (code === undefined || value.code === code);
}

/** Narrow an unknown thrown value to a message without `any`. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
