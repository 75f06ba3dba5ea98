import type { TokenLogprob } from '../types.ts';

/** Tokens some servers echo that are not part of the text (BOS markers and the like). */
const SPECIAL_TOKEN = /^(<s>|<\/s>|<\|[a-z_]+\|>|<bos>|<eos>)$/i;

/**
 * Character spans of echoed tokens within `text`. Uses the server's `text_offset` when it is
 * consistent; otherwise walks the text (Together sends no offsets), treating special tokens as
 * zero-width and SentencePiece's `▁` as a space.
 */
export function tokenSpans(text: string, tokens: readonly string[], offsets?: readonly number[]): [number, number][] {
  if (offsets && offsets.length === tokens.length && offsets.every((o, i) => o >= 0 && o <= text.length && (i === 0 || o >= (offsets[i - 1] ?? 0)))) {
    return tokens.map((_, i) => {
      const start = offsets[i] ?? 0;
      const next = offsets[i + 1];
      return [start, Math.min(text.length, next ?? start + (tokens[i] ?? '').length)];
    });
  }
  const spans: [number, number][] = [];
  let cursor = 0;
  for (const raw of tokens) {
    const candidates = [raw, raw.replaceAll('▁', ' ')];
    const match = candidates.find((t) => t.length > 0 && text.startsWith(t, cursor));
    if (match !== undefined) {
      spans.push([cursor, cursor + match.length]);
      cursor += match.length;
    } else if (SPECIAL_TOKEN.test(raw) || raw.length === 0) {
      spans.push([cursor, cursor]);
    } else {
      // Byte-level pieces of one character decode to replacement text: advance by what is left of
      // the token's length, never past the end.
      const end = Math.min(text.length, cursor + Math.max(1, raw.length));
      spans.push([cursor, end]);
      cursor = end;
    }
  }
  return spans;
}

/**
 * The continuation's tokens from an echo of `prompt + continuation`: tokens that end inside the
 * prompt are dropped, one that straddles the boundary counts for the continuation, tokens past the
 * end (a generated token) are dropped. Spans are made contiguous so they cover the continuation
 * exactly. A missing log-probability (the very first token of a text) counts as 0.
 */
export function continuationLogprobs(
  prompt: string,
  continuation: string,
  tokens: readonly string[],
  logprobs: readonly (number | null | undefined)[],
  offsets?: readonly number[],
): TokenLogprob[] {
  const text = prompt + continuation;
  const spans = tokenSpans(text, tokens, offsets);
  const out: TokenLogprob[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const [start, end] = spans[i] ?? [0, 0];
    if (end <= prompt.length || start >= text.length) continue;
    if (end === start) continue;
    out.push({
      token: tokens[i] ?? '',
      logprob: logprobs[i] ?? 0,
      start: Math.max(0, start - prompt.length),
      end: Math.min(continuation.length, end - prompt.length),
    });
  }
  for (let i = 0; i < out.length; i++) {
    const token = out[i];
    if (!token) continue;
    token.start = i === 0 ? 0 : (out[i - 1]?.end ?? token.start);
    if (i === out.length - 1) token.end = continuation.length;
  }
  return out;
}
