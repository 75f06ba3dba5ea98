export { createMlxBackend, MlxBackend, MlxSettingsSchema, BRIDGE_DIR, DEFAULT_BRIDGE_PYTHON, resolveModelArgument } from './mlx-backend.ts';
export type { MlxSettings } from './mlx-backend.ts';
