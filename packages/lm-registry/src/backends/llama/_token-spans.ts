import { ReerError } from '@reer/core';

/** What span alignment needs from a tokenizer (a node-llama-cpp LlamaModel provides it). */
export interface Detokenizer {
  detokenize(tokens: readonly number[], specialTokens?: boolean, lastTokens?: readonly number[]): string;
}

export interface TokenSpan {
  start: number;
  end: number;
}

const REPLACEMENT = '\uFFFD';
/** A character split over more tokens than this would be a broken vocabulary. */
const MAX_GROUP = 8;

/**
 * Character spans of `tokens` within `text`, found by walking the text with each token's piece.
 * Byte-level tokenizers split some characters (emoji, CJK) over several tokens whose pieces are
 * not valid UTF-8 on their own: such a group is decoded together, the last token of the group gets
 * the characters and the others get an empty span. Spans are contiguous and cover `text` exactly.
 */
export function alignTokenSpans(tokenizer: Detokenizer, tokens: readonly number[], text: string): TokenSpan[] {
  const spans: TokenSpan[] = [];
  let pos = 0;
  let i = 0;
  while (i < tokens.length) {
    let matched = false;
    for (let size = 1; size <= MAX_GROUP && i + size <= tokens.length; size++) {
      const group = tokens.slice(i, i + size);
      const context = tokens.slice(Math.max(0, i - 8), i);
      const piece = tokenizer.detokenize(group, true, context);
      if (piece.includes(REPLACEMENT) && !text.slice(pos, pos + piece.length).includes(REPLACEMENT)) continue;
      // At the very start some tokenizers drop the leading space of the first piece.
      const candidates = pos === 0 && piece.startsWith(' ') && !text.startsWith(' ') ? [piece, piece.slice(1)] : [piece];
      const fit = candidates.find((c) => text.startsWith(c, pos));
      if (fit === undefined) continue;
      for (let k = 0; k < size - 1; k++) spans.push({ start: pos, end: pos });
      spans.push({ start: pos, end: pos + fit.length });
      pos += fit.length;
      i += size;
      matched = true;
      break;
    }
    if (!matched) {
      throw new ReerError('E_MODEL', `cannot align token ${i} (${JSON.stringify(tokenizer.detokenize([tokens[i] ?? 0], true))}) with the text at character ${pos}`, {
        hint: 'The model tokenizer normalizes this text; score plain text or report the text that fails.',
      });
    }
  }
  if (pos !== text.length) {
    throw new ReerError('E_MODEL', `token spans cover ${pos} of ${text.length} characters`, {
      hint: 'The model tokenizer normalizes this text; score plain text or report the text that fails.',
    });
  }
  return spans;
}
