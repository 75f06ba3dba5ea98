import { createAxService, type ChatRequest, type ChatResult, type LanguageModel } from '@reer/lm-registry';
import type { CandidateUsage, GeneratorLm } from './generate.ts';

/**
 * A generator LM over a registry `LanguageModel`. Each candidate gets its own metered view of the
 * LM, so the usage stored with a candidate (calls, retries, tokens, cost) is exactly what its own
 * calls spent, even while other candidates run concurrently through the same rate limiter.
 */
export function generatorLmFrom(lm: LanguageModel): GeneratorLm {
  return {
    uri: lm.uri,
    open() {
      const results: ChatResult[] = [];
      const metered: LanguageModel = {
        uri: lm.uri,
        provider: lm.provider,
        model: lm.model,
        capabilities: lm.capabilities,
        chat: async (request: ChatRequest) => {
          const result = await lm.chat(request);
          results.push(result);
          return result;
        },
        stream: (request: ChatRequest) => lm.stream(request),
        score: (requests, options) => lm.score(requests, options),
        axService: () => ai,
      };
      const ai = createAxService(metered);
      return {
        ai,
        usage: (): CandidateUsage => ({
          calls: results.length,
          retries: results.reduce((n, r) => n + Math.max(0, r.attempts - 1), 0),
          input_tokens: results.reduce((n, r) => n + r.usage.inputTokens, 0),
          output_tokens: results.reduce((n, r) => n + r.usage.outputTokens, 0),
          cost_usd: results.reduce((n, r) => n + r.costUsd, 0),
        }),
      };
    },
  };
}
