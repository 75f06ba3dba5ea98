import type { ChatRequest, ChatResult, LanguageModel } from '@reer/lm-registry';

/**
 * A reflection LM for tests: `reply` maps each request to a text, synchronously and without state,
 * so a resumed run sees the same answers as an uninterrupted one. Records every request.
 */
export function scriptedLm(reply: (request: ChatRequest, prompt: string) => string): LanguageModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const unsupported = (what: string) => () => {
    throw new Error(`scripted LM: ${what} is not scripted`);
  };
  return {
    uri: 'test://scripted',
    provider: 'test',
    model: 'scripted',
    capabilities: { chat: true, stream: false, score: false, jsonSchema: false, seed: true },
    requests,
    async chat(request: ChatRequest): Promise<ChatResult> {
      requests.push(request);
      const prompt = request.messages.map((m) => m.content).join('\n');
      const text = reply(request, prompt);
      return { text, finishReason: 'stop', usage: { inputTokens: prompt.length, outputTokens: text.length }, lm: 'test://scripted', latencyMs: 0, attempts: 1, costUsd: 0 };
    },
    stream: unsupported('stream'),
    score: unsupported('score'),
    axService: unsupported('axService'),
  };
}

/** The current text of the component being rewritten, as the reflection prompt shows it. */
export function currentText(prompt: string): string {
  const match = /currently reads:\n```\n([\s\S]*?)\n```/.exec(prompt);
  return match?.[1] ?? '';
}

/** The component named in the reflection prompt. */
export function componentName(prompt: string): string {
  return /component `([^`]+)`/.exec(prompt)?.[1] ?? '';
}

/** The feedback lines of every example in the reflection prompt. */
export function feedbackLines(prompt: string): string[] {
  return [...prompt.matchAll(/#### Feedback\n([^\n]*)/g)].map((m) => m[1] ?? '');
}
