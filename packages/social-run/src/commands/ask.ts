import { Command, InvalidArgumentError, Option } from 'commander';
import { createContext, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { ReerError } from '@reer/core';

interface AskOptions {
  lm?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  fallback: boolean;
  json?: boolean;
}

function numberOption(min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`);
    }
    return n;
  };
}

/** `social-run ask`: one completion through the whole provider stack, to check a configuration. */
export function askCommand(): Command {
  const command = new Command('ask')
    .description('Send one prompt through the full LM stack (rate limits, retries, fallback) and print the answer')
    .argument('<prompt>', 'the user message')
    .option('--lm <uri>', 'LM URI, e.g. dspy::openai/gpt-4o-mini, mlx::<model>, llama::<model> (default: providers.primary)')
    .option('--system <text>', 'system message')
    .addOption(new Option('--temperature <t>', 'sampling temperature (0-2)').argParser(numberOption(0, 2, false)))
    .addOption(new Option('--max-tokens <n>', 'most tokens to generate').argParser(numberOption(1, 1_000_000, true)))
    .option('--no-fallback', 'do not move to providers.fallback when the LM fails')
    // runMain sets exitOverride on the root only; without this a bad option value exits 1 here.
    .exitOverride();
  withJson(command);
  withExamples(command, [
    'social-run ask --lm dspy::openai/gpt-4o-mini "Write a one-line hook about shipping small."',
    'social-run ask --lm dspy::local/qwen2.5-7b-instruct --system "Be terse." --max-tokens 64 "hello"',
    'social-run ask --lm llama::smollm2-135m-instruct --json "hi"',
  ]);
  return command.action(async (prompt: string, options: AskOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const { createRegistry } = await import('@reer/lm-registry');
    const registry = createRegistry({ config: ctx.config, env: ctx.env, logger: ctx.logger });
    try {
      const uri = options.lm ?? registry.settings.primary;
      if (!uri) {
        throw new ReerError('E_CONFIG', 'no --lm given and providers.primary is not configured', { hint: 'Pass --lm <uri>, e.g. --lm dspy::openai/gpt-4o-mini.' });
      }
      const lm = registry.resolve(uri, { fallback: options.fallback });
      const result = await lm.chat({
        messages: [...(options.system ? [{ role: 'system' as const, content: options.system }] : []), { role: 'user' as const, content: prompt }],
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      });
      if (ctx.json) {
        printJson({ ...result, requested: uri, usage: registry.usage() });
        return;
      }
      printLine(result.text);
      const via = result.lm === uri ? result.lm : `${result.lm} (fallback from ${uri})`;
      process.stderr.write(
        `${via}: ${Math.round(result.latencyMs)} ms, ${result.attempts} attempt(s), ${result.usage.inputTokens} in / ${result.usage.outputTokens} out tokens, ~$${result.costUsd.toFixed(6)}, finish: ${result.finishReason}\n`,
      );
    } finally {
      await registry.close();
    }
  });
}
