import type { ChatMessage } from '@reer/lm-registry';

/** One example as the reflection LM sees it. */
export interface ReflectionRecord {
  /** The program's inputs for this example, rendered for a reader. */
  inputs: string;
  /** What the program produced. */
  outputs: string;
  /** The metric's feedback: what was good, what was wrong, by how much. */
  feedback: string;
  score: number;
}

const SYSTEM_PROMPT =
  'You improve the instructions of a text-generation program. You read the instruction it used, ' +
  'the inputs it received, what it produced and how each result was judged, and you write a better ' +
  'instruction. Be concrete: turn every recurring complaint in the feedback into a rule, keep what ' +
  'already works, and keep any domain facts the feedback reveals, because the program sees nothing ' +
  'but the instruction you write.';

/**
 * The reflection prompt (our own wording; the reference's structure): the current text of one
 * component, then per example its inputs, outputs and feedback, then the request for a new text
 * inside a fenced block.
 */
export function buildReflectionMessages(component: string, currentText: string, records: readonly ReflectionRecord[]): ChatMessage[] {
  const examples = records
    .map(
      (r, i) =>
        `### Example ${i + 1} (score ${formatScore(r.score)})\n` +
        `#### Inputs\n${r.inputs}\n\n#### Generated output\n${r.outputs}\n\n#### Feedback\n${r.feedback || '(none)'}`,
    )
    .join('\n\n');
  const user =
    `The program's component \`${component}\` currently reads:\n\`\`\`\n${currentText}\n\`\`\`\n\n` +
    `Here is how the program did on some examples with that text:\n\n${examples}\n\n` +
    'Work out what separates the good results from the bad ones and what the feedback keeps asking ' +
    `for. Then write the complete new text of \`${component}\`, ready to use as is, inside one ` +
    'block fenced with ``` (three backticks) on their own lines. Write nothing inside the fences except that text.';
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(3);
}

/**
 * The proposed text: what lies between the first and the last ``` fence, without a language tag on
 * the opening line. As in the reference, output with a lone opening or closing fence loses that
 * fence, and output without fences is taken whole.
 */
export function extractFencedText(output: string): string {
  const first = output.indexOf('```');
  const last = output.lastIndexOf('```');
  if (first === -1 || first + 3 > last) {
    const stripped = output.trim();
    if (stripped.startsWith('```')) return stripped.replace(/^```\S*\n?/, '').trim();
    if (stripped.endsWith('```')) return stripped.slice(0, -3).trim();
    return stripped;
  }
  let content = output.slice(first + 3, last);
  const tag = /^\S*\n/.exec(content);
  if (tag) content = content.slice(tag[0].length);
  return content.trim();
}
