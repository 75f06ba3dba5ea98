import {
  AxBaseAI,
  axBaseAIDefaultConfig,
  type AxAIFeatures,
  type AxAIService,
  type AxAIServiceImpl,
  type AxAIServiceOptions,
  type AxAPI,
  type AxChatRequest,
  type AxChatResponse,
  type AxChatResponseResult,
  type AxModelConfig,
  type AxTokenUsage,
} from '@ax-llm/ax';
import type { ChatMessage, ChatRequest, ChatResult, FinishReason, LanguageModel, StreamEvent, TokenUsage } from './types.ts';

type AxInternalChatRequest = Omit<AxChatRequest, 'model'> & { model: string };
type AxPromptItem = AxChatRequest['chatPrompt'][number];

/** What `localCall` answers: a whole result, or one event of a stream. */
type LocalResponse = ChatResult;
type LocalDelta = StreamEvent;

function axFinishReason(reason: FinishReason): AxChatResponseResult['finishReason'] {
  if (reason === 'stop' || reason === 'length') return reason;
  if (reason === 'error') return 'error';
  return 'stop';
}

function axTokens(usage: TokenUsage): AxTokenUsage {
  return { promptTokens: usage.inputTokens, completionTokens: usage.outputTokens, totalTokens: usage.inputTokens + usage.outputTokens };
}

/** Ax chat prompts carry multimodal parts and tool turns; our LMs take plain text turns. */
function toMessages(prompt: readonly AxPromptItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const item of prompt) {
    if (item.role === 'system') {
      messages.push({ role: 'system', content: item.content });
    } else if (item.role === 'user') {
      const content =
        typeof item.content === 'string'
          ? item.content
          : item.content
              .map((part) => {
                if (part.type === 'text') return part.text;
                if (part.type === 'url') return part.cachedContent ?? part.url;
                if (part.type === 'file') return part.extractedText ?? '';
                if (part.type === 'audio') return part.transcription ?? '';
                return part.altText ?? '';
              })
              .filter((t) => t.length > 0)
              .join('\n');
      messages.push({ role: 'user', content });
    } else if (item.role === 'assistant') {
      messages.push({ role: 'assistant', content: item.content ?? '' });
    } else {
      // Emulated function results go back to the model as user text.
      messages.push({ role: 'user', content: item.result });
    }
  }
  return messages;
}

function toReadableStream(events: AsyncIterable<StreamEvent>): ReadableStream<StreamEvent> {
  const iterator = events[Symbol.asyncIterator]();
  return new ReadableStream<StreamEvent>({
    async pull(controller) {
      try {
        const step = await iterator.next();
        if (step.done) controller.close();
        else controller.enqueue(step.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** Ax's provider-implementation half: request/response mapping around a local call into the LM. */
class LanguageModelAxImpl implements AxAIServiceImpl<string, string, ChatRequest, unknown, LocalResponse, LocalDelta, unknown> {
  private lastUsage: AxTokenUsage | undefined;

  constructor(private readonly lm: LanguageModel) {}

  createChatReq = (req: Readonly<AxInternalChatRequest>, config?: Readonly<AxAIServiceOptions>): [AxAPI, ChatRequest] => {
    const mc = req.modelConfig;
    // Ax sends OpenAI's envelope ({ name, strict, schema }); our LMs take the JSON schema itself.
    const format = req.responseFormat?.type === 'json_schema' ? (req.responseFormat.schema as Record<string, unknown> | undefined) : undefined;
    const inner = format?.schema;
    const schema = inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : format;
    const request: ChatRequest = {
      messages: toMessages(req.chatPrompt),
      ...(mc?.temperature !== undefined ? { temperature: mc.temperature } : {}),
      ...(mc?.topP !== undefined ? { topP: mc.topP } : {}),
      ...(mc?.topK !== undefined ? { topK: mc.topK } : {}),
      ...(mc?.maxTokens !== undefined ? { maxTokens: mc.maxTokens } : {}),
      ...(mc?.stopSequences && mc.stopSequences.length > 0 ? { stop: [...mc.stopSequences] } : {}),
      ...(schema ? { jsonSchema: schema } : {}),
      ...(config?.abortSignal ? { signal: config.abortSignal } : {}),
    };
    const lm = this.lm;
    const localCall = async (data: ChatRequest, stream?: boolean): Promise<LocalResponse | ReadableStream<LocalDelta>> =>
      stream ? toReadableStream(lm.stream(data)) : await lm.chat(data);
    // Ax types localCall generically over request/response; ours is fixed to this service's types.
    const api: AxAPI = { name: 'local', localCall: localCall as AxAPI['localCall'] };
    return [api, request];
  };

  // Arrow properties: Ax calls these with `this` bound to the AxBaseAI, not to this object.
  createChatResp = (resp: Readonly<LocalResponse>): AxChatResponse => {
    this.lastUsage = axTokens(resp.usage);
    return {
      results: [{ index: 0, content: resp.text, finishReason: axFinishReason(resp.finishReason) }],
      modelUsage: { ai: `reer:${this.lm.provider}`, model: this.lm.model, tokens: this.lastUsage },
    };
  };

  createChatStreamResp = (delta: Readonly<LocalDelta>): AxChatResponse => {
    if (delta.type === 'delta') return { results: [{ index: 0, content: delta.text }] };
    this.lastUsage = axTokens(delta.result.usage);
    return {
      results: [{ index: 0, content: '', finishReason: axFinishReason(delta.result.finishReason) }],
      modelUsage: { ai: `reer:${this.lm.provider}`, model: this.lm.model, tokens: this.lastUsage },
    };
  };

  getModelConfig = (): AxModelConfig => {
    // Ax's convention: temperature 0 unless the program sets one.
    return axBaseAIDefaultConfig();
  };

  getTokenUsage = (): AxTokenUsage | undefined => this.lastUsage;
}

function featuresOf(lm: LanguageModel): AxAIFeatures {
  return {
    functions: false,
    streaming: lm.capabilities.stream,
    structuredOutputs: lm.capabilities.jsonSchema,
    media: {
      images: { supported: false, formats: [] },
      audio: { supported: false, formats: [] },
      files: { supported: false, formats: [], uploadMethod: 'none' },
      urls: { supported: false, webSearch: false, contextFetching: false },
    },
    caching: { supported: false, types: [] },
    thinking: false,
    multiTurn: true,
  };
}

/**
 * An Ax AI service over one of our `LanguageModel`s, so Ax programs (`ax(...)`, `AxGen.forward`)
 * run on any LM, the local MLX and llama.cpp ones included, while every call still goes through
 * the registry's rate limits, retries, fallback and usage accounting. Ax's own HTTP layer is not
 * used: `localCall` calls the LM directly. Streaming works where the LM streams.
 */
export function createAxService(lm: LanguageModel): AxAIService {
  return new AxBaseAI<string, string, ChatRequest, unknown, LocalResponse, LocalDelta, unknown, string>(new LanguageModelAxImpl(lm), {
    name: `reer:${lm.provider}`,
    headers: async () => ({}),
    modelInfo: [{ name: lm.model }],
    defaults: { model: lm.model },
    supportFor: () => featuresOf(lm),
  });
}
