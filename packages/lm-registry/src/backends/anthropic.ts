import Anthropic from '@anthropic-ai/sdk';
import { ReerError } from '@reer/core';
import { providerError, type ProviderErrorContext } from '../provider-error.ts';
import { ProviderConfigSchema, providerBaseUrl, providerCredential, type ProviderConfig } from '../provider-config.ts';
import type { BackendChatResult, BackendFactory, BackendOptions, ChatRequest, FinishReason, LmBackend, LmCapabilities, StreamEvent } from '../types.ts';
import { mapFinishReason } from './openai-compatible.ts';

/** The Messages API requires max_tokens; this is used when the caller gives none. */
const DEFAULT_MAX_TOKENS = 1024;

export const ANTHROPIC_CAPABILITIES: LmCapabilities = { chat: true, stream: true, score: false, jsonSchema: false, seed: false };

/**
 * Anthropic's Messages API through `@anthropic-ai/sdk` (SDK retries off: the registry retries).
 * Anthropic returns no log-probabilities, so there is no `score`.
 */
export class AnthropicBackend implements LmBackend {
  readonly provider: string;
  readonly model: string;
  readonly capabilities = ANTHROPIC_CAPABILITIES;
  private readonly apiModel: string;
  private readonly client: Anthropic;
  private readonly errorContext: ProviderErrorContext;

  constructor(model: string, options: BackendOptions) {
    const parsed = ProviderConfigSchema.parse(options.settings);
    const entry: ProviderConfig = { ...parsed, name: parsed.name ?? 'anthropic' };
    this.provider = entry.name;
    this.model = model;
    this.apiModel = entry.model_ids[model] ?? model;
    const credential = providerCredential(entry, options.env);
    if (entry.auth_method !== 'none' && !credential) {
      throw new ReerError('E_PROVIDER_AUTH', `${entry.name}: no credential: ${entry.key_env ?? 'key_env'} is not set`, {
        hint: `Set ${entry.key_env ?? 'the key variable'} in the environment or in .env.`,
      });
    }
    this.errorContext = { provider: entry.name, model, secrets: credential ? [credential] : [], keyEnv: entry.key_env };
    this.client = new Anthropic({
      // Explicit values so the SDK never reads credentials or URLs from process.env on its own.
      ...(entry.auth_method === 'oauth' ? { apiKey: null, authToken: credential ?? null } : { apiKey: credential ?? 'no-key', authToken: null }),
      baseURL: providerBaseUrl(entry, options.env) ?? 'https://api.anthropic.com',
      maxRetries: 0,
      timeout: 10 * 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  private body(request: ChatRequest) {
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    return {
      model: this.apiModel,
      max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(system ? { system } : {}),
      messages: request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
      temperature: Math.min(1, request.temperature ?? 0.7),
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.topK !== undefined ? { top_k: request.topK } : {}),
      ...(request.stop && request.stop.length > 0 ? { stop_sequences: request.stop } : {}),
    };
  }

  async chat(request: ChatRequest, signal: AbortSignal): Promise<BackendChatResult> {
    try {
      const message = await this.client.messages.create({ ...this.body(request), stream: false }, { signal });
      const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return {
        text,
        finishReason: mapFinishReason(message.stop_reason),
        usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
      };
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
  }

  async *streamChat(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent> {
    let text = '';
    let finish: FinishReason = 'unknown';
    let inputTokens = 0;
    let outputTokens = 0;
    try {
      const stream = await this.client.messages.create({ ...this.body(request), stream: true }, { signal });
      for await (const event of stream) {
        if (event.type === 'message_start') {
          inputTokens = event.message.usage.input_tokens;
          outputTokens = event.message.usage.output_tokens;
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          text += event.delta.text;
          yield { type: 'delta', text: event.delta.text };
        } else if (event.type === 'message_delta') {
          outputTokens = event.usage.output_tokens;
          if (event.delta.stop_reason) finish = mapFinishReason(event.delta.stop_reason);
        }
      }
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
    yield { type: 'done', result: { text, finishReason: finish, usage: { inputTokens, outputTokens } } };
  }

  async health(signal: AbortSignal): Promise<string> {
    try {
      const page = await this.client.models.list({}, { signal });
      const ids = page.data.map((m) => m.id);
      return `${ids.length} model(s) listed${ids.includes(this.apiModel) ? `, ${this.apiModel} available` : ''}`;
    } catch (error) {
      throw providerError(error, this.errorContext);
    }
  }
}

export const createAnthropicBackend: BackendFactory = (model, options) => new AnthropicBackend(model, options);
