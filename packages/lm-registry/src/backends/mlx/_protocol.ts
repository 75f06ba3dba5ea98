import { z } from 'zod';

/** Protocol major version this client speaks; the bridge's `initialize` must report the same major. */
export const CLIENT_PROTOCOL_VERSION = '1.0';

/** JSON-RPC and bridge error codes (mlx-bridge/mlx_bridge/protocol.py). */
export const RPC_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  modelNotLoaded: -32000,
  modelNotFound: -32001,
  outOfMemory: -32002,
  modelLoadFailed: -32003,
  cancelled: -32800,
} as const;

const IdSchema = z.union([z.string(), z.number().int()]);

export const RpcErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type RpcErrorBody = z.infer<typeof RpcErrorSchema>;

/** Anything the bridge writes on stdout: a response (result or error) or a notification. */
export const IncomingMessageSchema = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: IdSchema.nullable(), result: z.unknown() }).strict(),
  z.object({ jsonrpc: z.literal('2.0'), id: IdSchema.nullable(), error: RpcErrorSchema }).strict(),
  z.object({ jsonrpc: z.literal('2.0'), method: z.string(), params: z.unknown().optional() }).strict(),
]);
export type IncomingMessage = z.infer<typeof IncomingMessageSchema>;

export const DeltaParamsSchema = z.object({ id: IdSchema, index: z.number().int().nonnegative(), text: z.string() });

export const InitializeResultSchema = z.object({
  protocol_version: z.string(),
  bridge_version: z.string(),
  mlx_version: z.string(),
  mlx_lm_version: z.string(),
  python_version: z.string(),
  device: z.enum(['cpu', 'gpu']),
  backend: z.string(),
  pid: z.number().int(),
  max_request_bytes: z.number().int().positive(),
  capabilities: z.object({ stream: z.boolean(), score: z.boolean(), score_batch: z.boolean(), cancel: z.boolean() }).passthrough(),
});
export type InitializeResult = z.infer<typeof InitializeResultSchema>;

const MemorySchema = z.object({ active_bytes: z.number(), peak_bytes: z.number(), cache_bytes: z.number() });

export const LoadModelResultSchema = z.object({
  model: z.string(),
  path: z.string(),
  parameters: z.number().int(),
  dtype: z.string(),
  quantization: z.record(z.string(), z.unknown()).nullable(),
  vocab_size: z.number().int(),
  chat_template: z.boolean(),
  cached: z.boolean(),
  load_seconds: z.number(),
  memory: MemorySchema,
});
export type LoadModelResult = z.infer<typeof LoadModelResultSchema>;

export const GenerateResultSchema = z.object({
  text: z.string(),
  finish_reason: z.enum(['stop', 'length']),
  stop_sequence: z.string().nullable(),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }),
  timings: z.object({
    total_seconds: z.number(),
    time_to_first_token_seconds: z.number().nullable(),
    prompt_tps: z.number().nullable(),
    generation_tps: z.number().nullable(),
    peak_memory_bytes: z.number(),
  }),
});
export type GenerateResult = z.infer<typeof GenerateResultSchema>;

export const ScoreItemResultSchema = z.object({
  tokens: z.array(
    z.object({
      token: z.string(),
      id: z.number().int(),
      logprob: z.number(),
      start: z.number().int().nonnegative(),
      end: z.number().int().nonnegative(),
    }),
  ),
  mean_nll: z.number(),
  clipped_mean_nll: z.number(),
  prompt_tokens: z.number().int(),
  continuation_tokens: z.number().int(),
});
export type ScoreItemResult = z.infer<typeof ScoreItemResultSchema>;

export const ScoreBatchResultSchema = z.object({ results: z.array(ScoreItemResultSchema) });

export const InfoResultSchema = z.object({
  models: z.array(z.object({ model: z.string(), parameters: z.number() }).passthrough()),
  default_model: z.string().nullable(),
  memory: MemorySchema,
  device: z.string(),
  busy: IdSchema.nullable(),
  queued: z.number().int(),
  pid: z.number().int(),
});
export type InfoResult = z.infer<typeof InfoResultSchema>;

export const EmptyResultSchema = z.object({}).passthrough();
export const CancelResultSchema = z.object({ cancelled: z.boolean() });
