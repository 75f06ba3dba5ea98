import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Paths pino censors wherever they appear (one or two levels deep). */
const REDACT_PATHS = [
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-api-key"]',
];

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Pretty, colored lines (default: when stderr is a TTY). */
  pretty?: boolean;
  /** Secret values to scrub from messages and string fields (see `secretValues`). */
  secrets?: readonly string[];
  /** Where lines go (default: stderr). Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[Redacted]');
    return out.replace(/Bearer\s+[A-Za-z0-9._~+/-]{8,}=*/g, 'Bearer [Redacted]');
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrub(v, secrets);
    return out;
  }
  return value;
}

/**
 * The toolkit's logger: JSON lines on stderr (pretty on a TTY), with API keys and Authorization
 * headers redacted by path and every known secret value scrubbed from any string.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  const destination = options.destination ?? process.stderr;
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY && destination === process.stderr);
  const stream = usePretty ? pretty({ destination: 2, sync: true, colorize: true }) : destination;
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => scrub(a, secrets)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
    },
    stream,
  );
}

/** A logger that drops everything, for libraries called without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
