import { runMain } from '@reer/cli-kit';
import { buildProgram } from './program.ts';

await runMain(buildProgram());
