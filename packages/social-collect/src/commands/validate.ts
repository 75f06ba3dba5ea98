import { Command } from 'commander';
import { ExitCode, createContext, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';

export function validateCommand(): Command {
  const command = new Command('validate').description(
    'Re-read every line of the store (posts, traces, strategies, candidates, evaluations, archives included) and check it against its schema. ' +
      'Prints one line per problem with file and line; exit 1 when there is any.',
  );
  // runMain sets exitOverride on the root only; without it here commander exits 1 itself on a usage error.
  command.exitOverride();
  withJson(command);
  withExamples(command, ['social-collect validate', 'social-collect validate --json']);
  return command.action(async (_flags: { json?: boolean }, cmd: Command) => {
    const ctx = createContext(cmd);
    const { TraceStore, storeOptionsFromConfig } = await import('@reer/trace-store');
    const store = await TraceStore.open(ctx.dataDir, storeOptionsFromConfig(ctx.config, ctx.logger));
    const problems = await store.validate().finally(() => store.close());
    const recovered = store.recovered;
    if (ctx.json) printJson({ ok: problems.length === 0, problems, recovered });
    else {
      for (const r of recovered) printLine(`recovered: ${r.file} at byte ${r.offset}: a torn last line (${r.bytes} bytes) was moved to ${r.quarantineFile}`);
      for (const p of problems) printLine(`${p.file}:${p.line}: ${p.message}`);
      printLine(problems.length === 0 ? `store OK (${ctx.dataDir})` : `${problems.length} problem(s) in ${ctx.dataDir}`);
    }
    if (problems.length > 0) throw new ExitCode(1);
  });
}
