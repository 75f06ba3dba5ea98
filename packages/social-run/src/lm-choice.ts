import type { CliContext } from '@reer/cli-kit';
import type { GeneratorLm } from '@reer/pipeline';

export interface LmChoice {
  lms: GeneratorLm[];
  /** One line for stderr: which LM runs and how to get a better one. */
  message: string;
  close(): Promise<void>;
}

/**
 * The LMs a command uses: those named with `--lm`, else the configured API provider when its key is
 * set, else a cached local GGUF model, else none (the caller's offline path). Says which on stderr
 * so a user never mistakes template output for a model's.
 */
export async function resolveGeneratorLms(ctx: CliContext, uris: readonly string[] | undefined): Promise<LmChoice> {
  const { createRegistry, findCachedDefaultModel, loadModelsConfig } = await import('@reer/lm-registry');
  const { generatorLmFrom } = await import('@reer/pipeline');
  const registry = createRegistry({ config: ctx.config, env: ctx.env, logger: ctx.logger });
  const close = () => registry.close();
  if (uris && uris.length > 0) {
    const lms = uris.map((uri) => generatorLmFrom(registry.resolve(uri)));
    return { lms, message: `Using ${uris.join(', ')}.`, close };
  }
  const primary = registry.defaultLm();
  if (primary) {
    const chain = registry.fallbackChain();
    return { lms: [generatorLmFrom(primary)], message: `Using the configured provider ${chain.join(' → ')}.`, close };
  }
  const local = findCachedDefaultModel({ env: ctx.env, models: loadModelsConfig(ctx.config) });
  if (local) {
    return {
      lms: [generatorLmFrom(registry.resolve(local))],
      message: `No API key set: using the local model ${local} on this machine. Set OPENAI_API_KEY (or another provider's key) for stronger posts.`,
      close,
    };
  }
  return {
    lms: [],
    message:
      'No LM available (no API key, no cached local model): using the offline composer (offline::template), which fills strategy templates and is no substitute for a model. Set OPENAI_API_KEY, or run `pnpm models:fixture` / `social-run models pull <name>` for a local model.',
    close,
  };
}
