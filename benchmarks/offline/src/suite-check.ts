import { type ComponentRegistry, ensureComponent, MergebenchError } from '@mergebench/core';
import type { Suite } from './suite-file.js';

/**
 * Fails on the first run whose method is neither a registered method nor a preset, naming the
 * run and the method, without needing the zoo (so a typo does not wait for a zoo build).
 */
export async function checkMethodsExist(
  suite: Suite,
  registry: ComponentRegistry,
  cwd: string,
): Promise<void> {
  const known = new Map<string, string | undefined>();
  for (const run of suite.runs) {
    const name = run.method;
    if (!known.has(name)) {
      let error: string | undefined;
      try {
        await ensureComponent(registry, 'method', name, cwd);
      } catch (e) {
        // ensureComponent has loaded every installed plugin by now, so presets are visible too.
        error = registry.findPreset('method', name) ? undefined : (e as Error).message.split('\n')[0];
      }
      known.set(name, error);
    }
    const error = known.get(name);
    if (error) throw new MergebenchError(`${suite.file}: run '${run.label}': method: ${error}`);
  }
}
