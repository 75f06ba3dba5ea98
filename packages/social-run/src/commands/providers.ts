import { Command } from 'commander';
import { ExitCode, EXIT_CHECK_FAILED, createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';

interface ProvidersOptions {
  check?: boolean;
  json?: boolean;
}

/** `social-run providers`: what is configured, what each provider can do, and (with --check) whether it answers. */
export function providersCommand(): Command {
  const command = new Command('providers')
    .description('List configured LM providers, their models and capabilities; --check makes a live health call to each')
    .option('--check', 'call each provider (list models, or load the bridge); exits 1 if the primary or a fallback fails')
    // runMain sets exitOverride on the root only; without this a usage error exits 1 here.
    .exitOverride();
  withJson(command);
  withExamples(command, ['social-run providers', 'social-run providers --check', 'social-run providers --check --json']);
  return command.action(async (options: ProvidersOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const { createRegistry } = await import('@reer/lm-registry');
    const registry = createRegistry({ config: ctx.config, env: ctx.env, logger: ctx.logger });
    try {
      const providers = registry.providers();
      const checks = options.check ? await Promise.all(providers.map((p) => registry.check(p.name))) : undefined;
      const failedInChain = (checks ?? []).filter((c) => {
        const info = providers.find((p) => p.name === c.provider);
        return !c.ok && !c.skipped && (info?.primary || info?.fallback);
      });
      if (ctx.json) {
        printJson({
          primary: registry.settings.primary ?? null,
          fallback: registry.settings.fallback,
          chain: registry.fallbackChain(),
          providers: providers.map((p) => ({ ...p, ...(checks ? { check: checks.find((c) => c.provider === p.name) } : {}) })),
        });
      } else {
        const caps = (c: (typeof providers)[number]['capabilities']) =>
          (['chat', 'stream', 'score', 'jsonSchema', 'seed'] as const).filter((k) => c[k]).join(',');
        const rows = providers.map((p) => {
          const check = checks?.find((c) => c.provider === p.name);
          const auth = p.authMethod === 'none' ? 'none' : `${p.keyEnv ?? p.authMethod} ${p.hasCredential ? 'set' : 'missing'}`;
          const role = [p.primary ? 'primary' : '', p.fallback ? 'fallback' : ''].filter(Boolean).join('+') || '-';
          const models = p.models.length > 3 ? `${p.models.slice(0, 3).join(', ')} +${p.models.length - 3}` : p.models.join(', ');
          const limits = `${p.rateLimits.rpm} rpm${p.rateLimits.tpm ? `, ${p.rateLimits.tpm} tpm` : ''}, ${p.rateLimits.concurrency} conc`;
          const base = [p.name, p.kind, role, models, caps(p.capabilities), auth, limits];
          if (!check) return base;
          const status = check.ok ? `ok ${Math.round(check.latencyMs)} ms: ${check.detail}` : check.skipped ? `skipped: ${check.detail.replace(/^not called: /, '')}` : `FAILED: ${check.detail}`;
          return [...base, status];
        });
        const headers = ['provider', 'kind', 'role', 'models', 'capabilities', 'auth', 'limits', ...(checks ? ['check'] : [])];
        printLine(formatTable(headers, rows));
        const chain = registry.fallbackChain();
        printLine();
        printLine(chain.length > 0 ? `Default LM chain: ${chain.join(' → ')}` : 'No default LM: the primary has no credential; commands use a cached local model or the offline composer.');
      }
      if (failedInChain.length > 0) throw new ExitCode(EXIT_CHECK_FAILED);
    } finally {
      await registry.close();
    }
  });
}
