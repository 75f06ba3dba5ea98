export interface SplitThreadOptions {
  /** Maximum length of one part, in the platform's own units. */
  limit: number;
  /** The platform's length counter (X weighted length, Bluesky graphemes, …). */
  measure: (text: string) => number;
  /** Append ` 1/3`-style numbering to each part. @default false */
  numbering?: boolean;
}

const ATOMIC_TOKEN = /^(https?:\/\/\S+|www\.\S+|[@#][\w.@-]+)$/i;
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** An ordinary word longer than the limit (no spaces to break at) is cut between graphemes; URLs and mentions never are. */
function splitOverlongWord(word: string, limit: number, measure: (text: string) => number): string[] {
  if (ATOMIC_TOKEN.test(word) || measure(word) <= limit) return [word];
  const chunks: string[] = [];
  let current = '';
  for (const { segment } of graphemeSegmenter.segment(word)) {
    if (current && measure(current + segment) > limit) {
      chunks.push(current);
      current = '';
    }
    current += segment;
  }
  if (current) chunks.push(current);
  return chunks;
}

function sentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    for (const { segment } of sentenceSegmenter.segment(paragraph)) {
      const s = segment.trim();
      if (s) out.push(s);
    }
  }
  return out;
}

/**
 * Splits long content into thread parts: on sentence boundaries first, then on word boundaries,
 * never inside a URL, mention or hashtag, measuring each part with the platform's counter.
 * A single token longer than the limit (a giant URL) stays whole in its own part: the rule check
 * reports it rather than the splitter corrupting it.
 */
export function splitThread(text: string, options: SplitThreadOptions): string[] {
  const { measure, numbering = false } = options;
  if (measure(text.trim()) <= options.limit) return [text.trim()];
  if (!numbering) return pack(text, options.limit, measure);
  // Reserve room for the widest " n/N" suffix; the part count can change the width, so repeat
  // until it is stable (it settles in two or three rounds).
  let count = 1;
  for (let round = 0; round < 5; round++) {
    const parts = pack(text, options.limit - measure(` ${count}/${count}`), measure);
    if (parts.length === count || round === 4) return parts.map((p, i) => `${p} ${i + 1}/${parts.length}`);
    count = parts.length;
  }
  return [];
}

function pack(text: string, limit: number, measure: (text: string) => number): string[] {

  const pieces: string[] = [];
  for (const sentence of sentences(text)) {
    if (measure(sentence) <= limit) {
      pieces.push(sentence);
      continue;
    }
    // Too long even alone: pack its words, keeping URLs and mentions atomic.
    let current = '';
    for (const word of sentence.split(/\s+/).filter(Boolean).flatMap((w) => splitOverlongWord(w, limit, measure))) {
      const next = current ? `${current} ${word}` : word;
      if (measure(next) <= limit || !current) current = next;
      else {
        pieces.push(current);
        current = word;
      }
      if (ATOMIC_TOKEN.test(word) && measure(current) > limit) {
        pieces.push(current);
        current = '';
      }
    }
    if (current) pieces.push(current);
  }

  const parts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const next = current ? `${current} ${piece}` : piece;
    if (current && measure(next) > limit) {
      parts.push(current);
      current = piece;
    } else current = next;
  }
  if (current) parts.push(current);
  return parts;
}
