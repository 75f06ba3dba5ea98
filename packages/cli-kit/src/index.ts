export { runMain, ExitCode, EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT } from './run-main.ts';
export { addGlobalOptions, withJson, withExamples, createContext } from './global-options.ts';
export type { GlobalOptions, CliContext } from './global-options.ts';
export { printJson, printLine, formatTable } from './output.ts';
export { createProgress } from './progress.ts';
export type { Progress } from './progress.ts';
