import type { AxAIService, AxProgramForwardOptions } from '@ax-llm/ax';
import { type ErrorCode, errorMessage, isReerError } from '@reer/core';
import type { Candidate } from './merge.ts';
import type { ReflectionRecord } from './reflection.ts';
import type { GepaAdapter, GepaEvaluation } from './types.ts';

/** What a metric says about one output. */
export interface MetricResult {
  /** In [0, 1]; 1 is perfect. */
  score: number;
  /** Why: what was good, what was wrong, by how much. The reflection LM reads it. */
  feedback: string;
  /** Scores on named objectives, for multi-objective fronts. */
  objectives?: Record<string, number>;
}

export type Metric<Example, Output> = (example: Example, output: Output) => MetricResult | Promise<MetricResult>;

export interface ProgramAdapterOptions<Example, Output> {
  /** Run the program with `candidate`'s texts on one example. Must not keep state between calls. */
  run(candidate: Candidate, example: Example): Promise<Output>;
  metric: Metric<Example, Output>;
  /** Examples run at once. Results keep batch order whatever the concurrency. @default 1 */
  concurrency?: number;
  /** How the reflection LM sees an example's inputs. @default JSON */
  describeInputs?(example: Example): string;
  /** How the reflection LM sees an output. @default the string itself, or JSON */
  describeOutput?(output: Output): string;
}

/** Errors that would fail every example the same way: stop the run instead of scoring 0 forever. */
const FATAL_CODES: readonly ErrorCode[] = ['E_PROVIDER_AUTH', 'E_RATE_LIMITED', 'E_ABORTED', 'E_CAPABILITY', 'E_MODEL', 'E_MODEL_NOT_FOUND', 'E_INTERNAL', 'E_USAGE', 'E_CONFIG'];

const render = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/**
 * An adapter for any program that maps (texts, example) to an output, scored by a metric. A run
 * that throws scores 0 with the error as feedback (so reflection can react to e.g. unparsable
 * output), except errors that would hit every example alike (credentials, rate limits, a missing
 * model), which stop the run.
 */
export function createProgramAdapter<Example, Output>(options: ProgramAdapterOptions<Example, Output>): GepaAdapter<Example, Output | null> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const describeInputs = options.describeInputs ?? render;
  const describeOutput = options.describeOutput ?? render;

  async function one(candidate: Candidate, example: Example): Promise<{ output: Output | null } & MetricResult> {
    let output: Output;
    try {
      output = await options.run(candidate, example);
    } catch (error) {
      if (isReerError(error) && FATAL_CODES.includes(error.code)) throw error;
      return { output: null, score: 0, feedback: `The program failed on this example: ${errorMessage(error)}` };
    }
    return { output, ...(await options.metric(example, output)) };
  }

  return {
    async evaluate(candidate, batch): Promise<GepaEvaluation<Output | null>> {
      const results = new Array<{ output: Output | null } & MetricResult>(batch.length);
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const k = next++;
          results[k] = await one(candidate, batch[k] as Example);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
      const withObjectives = results.some((r) => r.objectives !== undefined);
      return {
        outputs: results.map((r) => r.output),
        scores: results.map((r) => r.score),
        feedback: results.map((r) => r.feedback),
        ...(withObjectives ? { objectiveScores: results.map((r) => r.objectives ?? {}) } : {}),
      };
    },
    reflectionRecords(_candidate, _component, batch, evaluation): ReflectionRecord[] {
      return batch.map((example, k) => {
        const output = evaluation.outputs[k];
        return {
          inputs: describeInputs(example),
          outputs: output === null || output === undefined ? '(no output: the program failed)' : describeOutput(output),
          feedback: evaluation.feedback[k] ?? '',
          score: evaluation.scores[k] ?? 0,
        };
      });
    },
  };
}

/** The part of an Ax program the engine uses: its instruction and `forward`. */
export interface AxTunableProgram<Inputs, Output> {
  setInstruction(instruction: string): void;
  forward(ai: AxAIService, values: Inputs, options?: Readonly<AxProgramForwardOptions<string>>): Promise<Output>;
}

export interface AxAdapterOptions<Example, Inputs, Output> {
  program: AxTunableProgram<Inputs, Output>;
  ai: AxAIService;
  inputsOf(example: Example): Inputs;
  metric: Metric<Example, Output>;
  forwardOptions?: Readonly<AxProgramForwardOptions<string>>;
  describeInputs?(example: Example): string;
  describeOutput?(output: Output): string;
}

/**
 * Tune an Ax program's instruction (component `instruction`) with our engine. Examples run one at a
 * time because the instruction is set on the shared program before each call.
 */
export function createAxAdapter<Example, Inputs, Output>(options: AxAdapterOptions<Example, Inputs, Output>): GepaAdapter<Example, Output | null> {
  return createProgramAdapter<Example, Output>({
    run: async (candidate, example) => {
      const instruction = candidate.instruction;
      if (instruction !== undefined) options.program.setInstruction(instruction);
      return options.program.forward(options.ai, options.inputsOf(example), options.forwardOptions);
    },
    metric: options.metric,
    concurrency: 1,
    ...(options.describeInputs ? { describeInputs: options.describeInputs } : {}),
    ...(options.describeOutput ? { describeOutput: options.describeOutput } : {}),
  });
}
