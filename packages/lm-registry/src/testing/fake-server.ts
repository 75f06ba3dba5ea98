import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scriptable fake of the OpenAI chat/completions/models API, Together's echo format, vLLM's
 * `prompt_logprobs` and Anthropic's Messages API, on 127.0.0.1, for tests and benchmarks. The real
 * SDKs and Ax talk to it; a handler decides each response.
 */

export type FakeEndpoint = 'chat' | 'completions' | 'messages' | 'models' | 'unknown';

export interface FakeRequest {
  /** 0-based order of arrival. */
  index: number;
  endpoint: FakeEndpoint;
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when empty or not JSON). */
  body: unknown;
  /** `performance.timeOrigin + performance.now()` when the request arrived, in ms. */
  receivedAt: number;
}

export interface FakeReply {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** Chat / message text for the endpoint's normal success shape. */
  text?: string;
  /** Send this JSON instead of the endpoint's normal shape. */
  json?: unknown;
  /** Send these bytes as-is (e.g. malformed JSON). */
  raw?: string;
  /** Never answer (the socket stays open until the client gives up or the server closes). */
  hang?: boolean;
  /** Wait this long before answering (adds to the server's `latencyMs`). */
  delayMs?: number;
}

export type FakeHandler = (request: FakeRequest) => FakeReply | undefined | Promise<FakeReply | undefined>;

export interface FakeServerOptions {
  /** Decides each response; `undefined` (or no handler) gives the default success. */
  handler?: FakeHandler;
  /** Fixed latency added to every response, in ms. @default 0 */
  latencyMs?: number;
  /** Default chat/message text. @default 'ok' */
  defaultText?: string;
  /** How `/v1/completions` echoes logprobs. @default 'openai' */
  logprobsFormat?: 'openai' | 'together' | 'vllm';
  /** Log-probability of each echoed token. @default a deterministic value in [-3, -0.1] from the token text */
  tokenLogprob?: (token: string, index: number) => number;
  /** Model ids listed by `GET /v1/models`. @default ['fake-model'] */
  models?: string[];
}

export interface FakeServer {
  /** Base URL for OpenAI-style SDKs, ending in `/v1`. */
  url: string;
  /** Base URL without `/v1` (what the Anthropic SDK wants). */
  origin: string;
  /** Every request received, in order of arrival. */
  requests: FakeRequest[];
  setHandler(handler: FakeHandler | undefined): void;
  /** Forget logged requests. */
  reset(): void;
  close(): Promise<void>;
}

/** Word-with-leading-space tokens, like BPE tokenizers produce for plain text. */
export function fakeTokenize(text: string): string[] {
  return text.match(/\s*[^\s]+|\s+/g) ?? [];
}

function defaultLogprob(token: string): number {
  let h = 0;
  for (const ch of token) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return -(0.1 + (h % 30) / 10);
}

function endpointOf(method: string, path: string): FakeEndpoint {
  if (method === 'POST' && path.endsWith('/chat/completions')) return 'chat';
  if (method === 'POST' && path.endsWith('/completions')) return 'completions';
  if (method === 'POST' && path.endsWith('/messages')) return 'messages';
  if (method === 'GET' && path.endsWith('/models')) return 'models';
  return 'unknown';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function promptText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const parts = messages.map((m) => {
    const content = record(m).content;
    return typeof content === 'string' ? content : JSON.stringify(content ?? '');
  });
  if (typeof body.system === 'string') parts.unshift(body.system);
  return parts.join('\n');
}

const countTokens = (text: string) => Math.max(1, fakeTokenize(text).length);

export async function startFakeOpenAIServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  let handler = options.handler;
  const requests: FakeRequest[] = [];
  const latency = options.latencyMs ?? 0;
  const defaultText = options.defaultText ?? 'ok';
  const tokenLogprob = options.tokenLogprob ?? defaultLogprob;

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string, contentType = 'application/json') => {
    res.writeHead(status, { 'content-type': contentType, ...headers });
    res.end(body);
  };

  const chatJson = (body: Record<string, unknown>, text: string) => ({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: String(body.model ?? 'fake-model'),
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: countTokens(promptText(body)), completion_tokens: countTokens(text), total_tokens: countTokens(promptText(body)) + countTokens(text) },
  });

  const chatStream = (res: ServerResponse, body: Record<string, unknown>, text: string, headers: Record<string, string>) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model: String(body.model ?? 'fake-model') };
    for (const piece of fakeTokenize(text)) {
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
    }
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    const input = countTokens(promptText(body));
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: input, completion_tokens: countTokens(text), total_tokens: input + countTokens(text) } })}\n\n`);
    res.end('data: [DONE]\n\n');
  };

  const completionsJson = (body: Record<string, unknown>) => {
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    const tokens = fakeTokenize(prompt);
    const logprobs = tokens.map((t, i) => (i === 0 ? null : tokenLogprob(t, i)));
    const offsets: number[] = [];
    let at = 0;
    for (const t of tokens) {
      offsets.push(at);
      at += t.length;
    }
    const generated = ' x';
    const usage = { prompt_tokens: tokens.length, completion_tokens: 1, total_tokens: tokens.length + 1 };
    const base = { id: 'cmpl-fake', object: 'text_completion', created: 1_700_000_000, model: String(body.model ?? 'fake-model'), usage };
    if (options.logprobsFormat === 'vllm' || body.prompt_logprobs !== undefined) {
      const entries = tokens.map((t, i) => (i === 0 ? null : { [String(1000 + i)]: { logprob: tokenLogprob(t, i), rank: 1, decoded_token: t } }));
      return { ...base, choices: [{ index: 0, text: generated, finish_reason: 'length', logprobs: null, prompt_logprobs: entries }] };
    }
    if (options.logprobsFormat === 'together') {
      return {
        ...base,
        choices: [{ index: 0, text: generated, finish_reason: 'length', logprobs: { tokens: [generated], token_logprobs: [-1], token_ids: [1] } }],
        prompt: [{ text: prompt, logprobs: { tokens, token_logprobs: logprobs, token_ids: tokens.map((_, i) => i) } }],
      };
    }
    const echo = body.echo === true;
    return {
      ...base,
      choices: [
        {
          index: 0,
          text: echo ? prompt + generated : generated,
          finish_reason: 'length',
          logprobs: echo
            ? { tokens: [...tokens, generated], token_logprobs: [...logprobs, -1], text_offset: [...offsets, prompt.length], top_logprobs: null }
            : null,
        },
      ],
    };
  };

  const messageJson = (body: Record<string, unknown>, text: string) => ({
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: String(body.model ?? 'fake-model'),
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: countTokens(promptText(body)), output_tokens: countTokens(text) },
  });

  const messageStream = (res: ServerResponse, body: Record<string, unknown>, text: string, headers: Record<string, string>) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    const message = messageJson(body, '');
    event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { input_tokens: message.usage.input_tokens, output_tokens: 1 } } });
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const piece of fakeTokenize(text)) event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
    event('content_block_stop', { index: 0 });
    event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: countTokens(text) } });
    event('message_stop', {});
    res.end();
  };

  const server = createServer((req, res) => {
    // Arrival time is taken before the body is read, so rate measurements see when requests come in.
    const receivedAt = performance.timeOrigin + performance.now();
    void (async () => {
      const raw = await readBody(req);
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const request: FakeRequest = {
        index: requests.length,
        endpoint: endpointOf(method, path),
        method,
        path,
        headers,
        body,
        receivedAt,
      };
      requests.push(request);
      const reply = (await handler?.(request)) ?? {};
      if (reply.hang) return;
      const wait = latency + (reply.delayMs ?? 0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (res.destroyed) return;
      const status = reply.status ?? 200;
      const extra = reply.headers ?? {};
      if (reply.raw !== undefined) return send(res, status, extra, reply.raw);
      if (reply.json !== undefined) return send(res, status, extra, JSON.stringify(reply.json));
      if (status >= 400) {
        const message = reply.text ?? `fake error ${status}`;
        const errorBody =
          request.endpoint === 'messages'
            ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } }
            : { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
        return send(res, status, extra, JSON.stringify(errorBody));
      }
      const b = record(body);
      const text = reply.text ?? defaultText;
      switch (request.endpoint) {
        case 'chat':
          return b.stream === true ? chatStream(res, b, text, extra) : send(res, status, extra, JSON.stringify(chatJson(b, text)));
        case 'messages':
          return b.stream === true ? messageStream(res, b, text, extra) : send(res, status, extra, JSON.stringify(messageJson(b, text)));
        case 'completions':
          return send(res, status, extra, JSON.stringify(completionsJson(b)));
        case 'models':
          return send(res, status, extra, JSON.stringify({ object: 'list', data: (options.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake', type: 'model', display_name: id, created_at: '2024-01-01T00:00:00Z' })), has_more: false, first_id: null, last_id: null }));
        default:
          return send(res, 404, extra, JSON.stringify({ error: { message: `no route ${method} ${path}` } }));
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, {}, JSON.stringify({ error: { message: `fake server failure: ${String(error)}` } }));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    requests,
    setHandler: (next) => {
      handler = next;
    },
    reset: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
