import { configHash, type ResolvedRun } from '@mergebench/core';

/**
 * The hash a run's report carries: of its config with every component's parameters filled in
 * with their defaults (core's run identity). Two installations whose defaults differ give two
 * hashes for one config, so a worker compares this one, not the config's alone.
 */
export function runHash(resolved: ResolvedRun): string {
  const config = resolved.config as unknown as Record<string, unknown>;
  const filled = (kind: 'method' | 'modelpool' | 'taskpool') => ({
    name: (config[kind] as { name: string }).name,
    ...resolved[kind].params,
  });
  return configHash({
    ...config,
    method: filled('method'),
    modelpool: filled('modelpool'),
    taskpool: filled('taskpool'),
  });
}
