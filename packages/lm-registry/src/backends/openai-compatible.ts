import OpenAI from 'openai';
import { z } from 'zod';
import { ReerError } from '@reer/core';
import { summarizeLogprobs } from '../score-summary.ts';
import { providerError, type ProviderErrorContext } from '../provider-error.ts';
import { ProviderConfigSchema, providerBaseUrl, providerCredential, type ProviderConfig } from '../provider-config.ts';
import type {
  BackendChatResult,
  BackendFactory,
  BackendOptions,
  ChatRequest,
  FinishReason,
  LmBackend,
  LmCapabilities,
  ScoreRequest,
  ScoreResult,
  StreamEvent,
  TokenUsage,
} from '../types.ts';
import { continuationLogprobs } from './echo-logprobs.ts';

const DEFAULT_BASE_URLS: Partial<Record<ProviderConfig['kind'], string>> = {
  openai: 'https://api.openai.com/v1',
  together: 'https://api.together.xyz/v1',
};

/** Rough token count for servers that report no usage: about four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'end_turn':
    case 'stop_sequence':
    case 'eos':
      return 'stop';
    case 'length':
    case 'max_tokens':
      return 'length';
    case null:
    case undefined:
      return 'unknown';
    default:
      return 'unknown';
  }
}

/** The legacy completions answer to an echo request, in OpenAI's / vLLM's shape or Together's. */
const EchoLogprobsSchema = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  text_offset: z.array(z.number()).optional(),
});
const PromptLogprobEntrySchema = z.record(z.string(), z.object({ logprob: z.number(), decoded_token: z.string().optional() })).nullable();
const CompletionScoreResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        logprobs: EchoLogprobsSchema.nullable().optional(),
        prompt_logprobs: z.array(PromptLogprobEntrySchema).nullable().optional(),
      }),
    )
    .min(1),
  /** Together returns the echoed prompt here. */
  prompt: z.array(z.object({ logprobs: EchoLogprobsSchema.optional() })).optional(),
});

/** Capabilities an entry of this kind declares. */
export function openAiCompatibleCapabilities(entry: ProviderConfig): LmCapabilities {
  return {
    chat: true,
    stream: true,
    score: entry.score !== 'none',
    jsonSchema: entry.kind === 'openai' || entry.json_schema,
    seed: true,
  };
}

/**
 * Chat, streaming and teacher-forced scoring on any server that speaks OpenAI's API (OpenAI,
 * Together, vLLM, llama.cpp's server, Ollama, LM Studio, `mlx_lm.server`), through the official
 * `openai` SDK. The SDK's own retries are off: the registry retries.
 */
export class OpenAiCompatibleBackend implements LmBackend {
  readonly provider: string;
  readonly model: string;
  readonly capabilities: LmCapabilities;
  private readonly entry: ProviderConfig;
  private readonly apiModel: string;
  private readonly client: OpenAI;
  private readonly errorContext: ProviderErrorContext;

  constructor(model: string, options: BackendOptions) {
    const entry = parseEntry(options.settings);
    this.entry = entry;
    this.provider = entry.name;
    this.model = model;
    this.apiModel = entry.model_ids[model] ?? model;
    this.capabilities = openAiCompatibleCapabilities(entry);
    const baseURL = providerBaseUrl(entry, options.env) ?? DEFAULT_BASE_URLS[entry.kind];
    if (!baseURL) {
      throw new ReerError('E_CONFIG', `providers.entries.${entry.name}: base_url is required for an OpenAI-compatible server`, {
        hint: 'Set base_url (e.g. http://127.0.0.1:8000/v1) for this provider in your config.',
      });
    }
    const key = providerCredential(entry, options.env);
    if (entry.auth_method !== 'none' && !key) {
      throw new ReerError('E_PROVIDER_AUTH', `${entry.name}: no credential: ${entry.key_env ?? 'key_env'} is not set`, {
        hint: `Set ${entry.key_env ?? 'the key variable'} in the environment or in .env.`,
      });
    }
    this.errorContext = { provider: entry.name, model, secrets: key ? [key] : [], keyEnv: entry.key_env };
    this.client = new OpenAI({
      // Servers without auth still need a non-empty string for the SDK.
      apiKey: key ?? 'no-key',
      baseURL,
      maxRetries: 0,
      // Timeouts are the registry's (per call, via the AbortSignal); this is only a backstop.
      timeout: 10 * 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  private body(request: ChatRequest) {
    const isOpenAi = this.entry.kind === 'openai';
    return {
      model: this.apiModel,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: request.temperature ?? 0.7,
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      // OpenAI has no top_k; vLLM, llama.cpp and Together accept it.
      ...(request.topK !== undefined && !isOpenAi ? { top_k: request.topK } : {}),
      ...(request.maxTokens !== undefined ? (isOpenAi ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }) : {}),
      ...(request.stop && request.stop.length > 0 ? { stop: request.stop } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.jsonSchema && this.capabilities.jsonSchema
        ? { response_format: { type: 'json_schema' as const, json_schema: { name: 'output', schema: request.jsonSchema, strict: false } } }
        : {}),
    };
  }

  private usageOf(usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined, request: ChatRequest, text: string): TokenUsage {
    return {
      inputTokens: usage?.prompt_tokens ?? estimateTokens(request.messages.map((m) => m.content).join('\n')),
      outputTokens: usage?.completion_tokens ?? estimateTokens(text),
    };
  }

  async chat(request: ChatRequest, signal: AbortSignal): Promise<BackendChatResult> {
    try {
      const response = await this.client.chat.completions.create({ ...this.body(request), stream: false }, { signal });
      const choice = response.choices?.[0];
      if (!choice) throw new ReerError('E_PROVIDER', `${this.provider}/${this.model}: response has no choices`, { details: { retryable: true } });
      const text = choice.message?.content ?? '';
      return { text, finishReason: mapFinishReason(choice.finish_reason), usage: this.usageOf(response.usage, request, text) };
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent> {
    let text = '';
    let finish: FinishReason = 'unknown';
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    try {
      const stream = await this.client.chat.completions.create(
        { ...this.body(request), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta?.content;
        if (delta) {
          text += delta;
          yield { type: 'delta', text: delta };
        }
        if (choice.finish_reason) finish = mapFinishReason(choice.finish_reason);
      }
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
    yield { type: 'done', result: { text, finishReason: finish, usage: this.usageOf(usage, request, text) } };
  }

  async score(requests: ScoreRequest[], signal: AbortSignal): Promise<ScoreResult[]> {
    if (this.entry.score === 'none') {
      throw new ReerError('E_CAPABILITY', `${this.provider}/${this.model} cannot score`, {
        hint: 'Scoring needs a completions server with echo + logprobs (vLLM, Together) or the MLX bridge.',
      });
    }
    const results: ScoreResult[] = [];
    for (const request of requests) results.push(await this.scoreOne(request, signal));
    return results;
  }

  private async scoreOne(request: ScoreRequest, signal: AbortSignal): Promise<ScoreResult> {
    const promptLogprobs = this.entry.score === 'prompt_logprobs';
    const text = request.prompt + request.continuation;
    let raw: unknown;
    try {
      // `prompt_logprobs` is vLLM's extension; the SDK forwards body fields it does not know.
      const body = {
        model: this.apiModel,
        prompt: text,
        max_tokens: 1,
        temperature: 0,
        ...(promptLogprobs ? { prompt_logprobs: 0 } : { echo: true, logprobs: 1 }),
      };
      raw = await this.client.completions.create(body as OpenAI.CompletionCreateParamsNonStreaming, { signal });
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
    const parsed = CompletionScoreResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ReerError('E_PROVIDER', `${this.provider}/${this.model}: completions response has no usable logprobs (${parsed.error.issues[0]?.message ?? 'invalid'})`, {
        hint: `Check that the server supports ${promptLogprobs ? 'prompt_logprobs' : 'echo with logprobs'} on /v1/completions, or set score: none for this provider.`,
        details: { retryable: false },
      });
    }
    const choice = parsed.data.choices[0];
    let tokens: string[];
    let logprobs: (number | null)[];
    let offsets: number[] | undefined;
    if (promptLogprobs) {
      const entries = choice?.prompt_logprobs ?? [];
      tokens = [];
      logprobs = [];
      for (const entry of entries) {
        // vLLM puts the prompt's own token first in each position's map.
        const first = entry ? Object.values(entry)[0] : undefined;
        tokens.push(first?.decoded_token ?? '');
        logprobs.push(first?.logprob ?? null);
      }
      // vLLM sends null for the first position, so its text is unknown: it is whatever of the
      // text the other tokens leave at the start.
      if (entries[0] === null && tokens.length > 0) {
        const rest = tokens.slice(1).join('');
        if (text.endsWith(rest)) tokens[0] = text.slice(0, text.length - rest.length);
      }
    } else {
      const echo = parsed.data.prompt?.[0]?.logprobs ?? choice?.logprobs ?? undefined;
      if (!echo) {
        throw new ReerError('E_PROVIDER', `${this.provider}/${this.model}: echo response has no logprobs`, {
          hint: 'The server ignored echo/logprobs; set score: none for this provider or use one that supports it.',
          details: { retryable: false },
        });
      }
      tokens = echo.tokens;
      logprobs = echo.token_logprobs;
      offsets = echo.text_offset;
    }
    return summarizeLogprobs(continuationLogprobs(request.prompt, request.continuation, tokens, logprobs, offsets));
  }

  async health(signal: AbortSignal): Promise<string> {
    try {
      const page = await this.client.models.list({ signal });
      const ids = page.data.map((m) => m.id);
      return `${ids.length} model(s) listed${ids.includes(this.apiModel) ? `, ${this.apiModel} available` : ''}`;
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
  }
}

function parseEntry(settings: Record<string, unknown>): ProviderConfig {
  const parsed = ProviderConfigSchema.parse(settings);
  return { ...parsed, name: parsed.name ?? String(parsed.kind) };
}

/** `BackendFactory` for kinds `openai`, `together` and `openai-compatible`. */
export const createOpenAiCompatibleBackend: BackendFactory = (model, options) => new OpenAiCompatibleBackend(model, options);
