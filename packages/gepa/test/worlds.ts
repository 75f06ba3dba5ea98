import type { Candidate, GepaAdapter, GepaEvaluation } from '../src/index.ts';

export interface ToyExample {
  id: number;
  kind: string;
}

export interface AdapterCall {
  texts: Candidate;
  ids: number[];
  captureTraces: boolean;
}

/** A program whose score per example is a pure function of the candidate's texts; records each call. */
export function toyAdapter(
  judge: (candidate: Candidate, example: ToyExample) => { score: number; feedback: string },
): GepaAdapter<ToyExample, string> & { calls: AdapterCall[] } {
  const calls: AdapterCall[] = [];
  return {
    calls,
    async evaluate(candidate, batch, { captureTraces }): Promise<GepaEvaluation<string>> {
      calls.push({ texts: { ...candidate }, ids: batch.map((e) => e.id), captureTraces });
      const judged = batch.map((e) => judge(candidate, e));
      return {
        outputs: batch.map((e) => `output for ${e.kind}${e.id}`),
        scores: judged.map((j) => j.score),
        feedback: judged.map((j) => j.feedback),
      };
    },
  };
}

export function examples(kinds: Record<string, number>, firstId = 0): ToyExample[] {
  const out: ToyExample[] = [];
  let id = firstId;
  for (const [kind, count] of Object.entries(kinds)) for (let n = 0; n < count; n++) out.push({ id: id++, kind });
  return out;
}

const words = (text: string | undefined) => new Set((text ?? '').split(/\s+/).filter(Boolean));

/**
 * The designed task where greedy gets stuck. Type A examples are solved by skill `x` (a quick fix)
 * or `a`; type B examples by `b`, but `x` breaks them (0.2, worse than the seed's 0.5). The
 * reflection LM adds the skill the first failing example's feedback asks for and never removes
 * one. A run that first finds `x` (most likely: A is the majority) and then only improves the best
 * candidate is stuck at 0.6; Pareto selection keeps the seed (best on B) and can go b → a → 1.0.
 */
export function trapJudge(candidate: Candidate, example: ToyExample): { score: number; feedback: string } {
  const t = words(candidate.instruction);
  if (example.kind === 'A') {
    if (t.has('x') || t.has('a')) return { score: 1, feedback: 'good' };
    return { score: 0, feedback: t.has('b') ? 'missing: a' : 'missing: x' };
  }
  if (t.has('x')) return { score: 0.2, feedback: 'conflicts with x; missing: b' };
  if (t.has('b')) return { score: 1, feedback: 'good' };
  return { score: 0.5, feedback: 'missing: b' };
}

/** The reflection script for `trapJudge`: add the skill asked for by the first imperfect example. */
export function trapReflection(prompt: string, current: string): string {
  const blocks = [...prompt.matchAll(/### Example \d+ \(score ([\d.]+)\)[\s\S]*?#### Feedback\n([^\n]*)/g)];
  const failing = blocks.find((m) => Number(m[1]) < 1);
  const skill = failing ? /missing: (\w+)/.exec(failing[2] ?? '')?.[1] : undefined;
  const next = skill && !words(current).has(skill) ? `${current} ${skill}` : current;
  return `Here is the improved instruction:\n\`\`\`\n${next}\n\`\`\``;
}
