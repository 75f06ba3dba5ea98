import { Command } from 'commander';
import { createContext, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { ReerError, type TraceData } from '@reer/core';

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

const score = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value.toFixed(3));

/** The trace for people: the post, the brief, the plan as it evolved, the score at each accepted step. */
function formatTrace(id: string, timestamp: string, t: TraceData): string {
  const lines: string[] = [];
  lines.push(`Trace ${id}  (${t.post_key}, ${t.mode}, stored ${timestamp})`);
  const metrics = Object.entries(t.metrics)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  lines.push(`Post by ${t.author || '(unknown)'} on ${t.platform}${t.created_at ? ` at ${t.created_at}` : ''} — relative engagement ${t.engagement.toFixed(3)}`);
  if (metrics) lines.push(`  ${metrics}`);
  lines.push(indent(t.post_text));
  lines.push('');
  lines.push(`Brief (${t.query_source === 'lm' ? 'written by the LM' : 'extracted from keywords and structure'}):`);
  lines.push(indent(t.query));
  if (t.mode === 'heuristic') {
    lines.push('');
    lines.push('No trajectory: mined with --no-lm (features and timing only).');
    return lines.join('\n');
  }
  lines.push('');
  lines.push(`Models: generator ${t.models.generator ?? '—'}, scorer ${t.models.scorer ?? '—'}`);
  lines.push(`Score: ${score(t.initial_score)} → ${score(t.final_score)}  (lower is better; stop: ${t.stop ?? '—'})`);
  lines.push(`Leak check: ${(t.leak.overlap * 100).toFixed(1)}% n-gram overlap with the post${t.leak.flagged ? ' — FLAGGED, not used for strategies' : ''}`);
  const [initial, ...steps] = t.history;
  if (initial) {
    lines.push('');
    lines.push(`Initial plan (score ${score(initial.score)}):`);
    lines.push(indent(initial.candidate));
  }
  const bySegment = new Map<number, typeof steps>();
  for (const step of steps) bySegment.set(step.segment, [...(bySegment.get(step.segment) ?? []), step]);
  let best = initial?.score ?? null;
  for (const [segment, candidates] of bySegment) {
    const tried = candidates.map((c) => (c.score === null ? 'malformed' : `${score(c.score)}${c.accepted ? ' ✓' : ''}`)).join(', ');
    const accepted = candidates.find((c) => c.accepted);
    lines.push('');
    if (accepted) {
      best = accepted.score;
      lines.push(`Step: segment ${segment + 1} rewritten — candidates ${tried}; best score now ${score(best)}`);
      lines.push(indent(accepted.candidate));
    } else {
      lines.push(`Step: segment ${segment + 1} kept — candidates ${tried}; none beat ${score(best)}`);
    }
  }
  lines.push('');
  lines.push(`Final plan (score ${score(t.final_score)}):`);
  for (const [i, s] of t.segments.entries()) lines.push(indent(s, `  [${i + 1}] `).replace(/\n {2}\[\d+\] /g, '\n      '));
  return lines.join('\n');
}

export function showCommand(): Command {
  // addCommand() does not pass the root's exitOverride on: without it a usage error would exit 1 from inside commander.
  const command = new Command('show')
    .exitOverride()
    .description('Print a trace readably: the post, the brief, the plan as it evolved and the score at each accepted step.')
    .argument('<ref>', 'trace record id, post key (x:123) or post id');
  withJson(command);
  withExamples(command, ['social-reer show x:1090712476135813120', 'social-reer show 1090712476135813120 --json']);
  return command.action(async (ref: string, flags: { json?: boolean }, cmd: Command) => {
    const ctx = createContext(cmd);
    const { findTrace } = await import('@reer/synthesizer');
    const { TraceStore } = await import('@reer/trace-store');
    const store = await TraceStore.open(ctx.dataDir, { logger: ctx.logger });
    try {
      const found = await findTrace(store, ref);
      if (!found) {
        throw new ReerError('E_INPUT_NOT_FOUND', `no trace for ${ref} in ${ctx.dataDir}`, { hint: 'Run social-reer mine first, or check the id with --data-dir.' });
      }
      if (flags.json) printJson(found);
      else printLine(formatTrace(found.id, found.timestamp, found.data));
    } finally {
      await store.close();
    }
  });
}
