/** A segment of a text with its character span [start, end) in that text. */
export interface TextSpan {
  start: number;
  end: number;
}

/**
 * REER's segmentation: split on blank lines; a piece shorter than `minChars` merges into the piece
 * after it; if that leaves a single segment, split on single newlines instead (same merge rule).
 * Segments are slices of the original text (separators inside a merged segment are kept), trimmed
 * of surrounding whitespace.
 * @param minChars @default 100
 */
export function segmentSpans(text: string, minChars = 100): TextSpan[] {
  const byBlank = mergeShort(text, pieceSpans(text, /\n[ \t]*\n\s*/g), minChars);
  if (byBlank.length > 1) return byBlank;
  return mergeShort(text, pieceSpans(text, /\n\s*/g), minChars);
}

/** The segments' texts. */
export function segmentText(text: string, minChars = 100): string[] {
  return segmentSpans(text, minChars).map((s) => text.slice(s.start, s.end));
}

/** Joins segments back the way the search recomposes a trajectory. */
export function joinSegments(segments: readonly string[]): string {
  return segments.join('\n\n');
}

/** Spans of the non-blank pieces between separators, trimmed. */
function pieceSpans(text: string, separator: RegExp): TextSpan[] {
  const spans: TextSpan[] = [];
  let from = 0;
  const push = (start: number, end: number) => {
    const slice = text.slice(start, end);
    const lead = slice.length - slice.trimStart().length;
    const trail = slice.length - slice.trimEnd().length;
    if (start + lead < end - trail) spans.push({ start: start + lead, end: end - trail });
  };
  for (const match of text.matchAll(separator)) {
    push(from, match.index);
    from = match.index + match[0].length;
  }
  push(from, text.length);
  return spans;
}

function mergeShort(text: string, pieces: TextSpan[], minChars: number): TextSpan[] {
  const out: TextSpan[] = [];
  let pending: TextSpan | undefined;
  for (const piece of pieces) {
    const merged: TextSpan = pending ? { start: pending.start, end: piece.end } : piece;
    if (text.slice(merged.start, merged.end).length < minChars) {
      pending = merged;
      continue;
    }
    out.push(merged);
    pending = undefined;
  }
  // A short tail has no next piece to merge into: it joins the segment before it, or stands alone.
  if (pending) {
    const last = out.pop();
    out.push(last ? { start: last.start, end: pending.end } : pending);
  }
  return out;
}
