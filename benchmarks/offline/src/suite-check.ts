import {
  type ComponentRegistry,
  composeConfig,
  ensureComponent,
  MergebenchError,
  type ParamSpec,
  parseOverrides,
  validateParams,
} from '@mergebench/core';
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

// Stand-ins for the pools, which composeConfig requires: only the method is checked here.
const NO_POOLS = { modelpool: { name: 'unchecked' }, taskpool: { name: 'unchecked' } };

/**
 * Checks every run's method parameters (its preset, `method.*` overrides and sweep values)
 * against the method's declaration with core's validateParams, the check `mergebench run` makes,
 * without the zoo: a misspelled or mistyped parameter stops the suite before a zoo build of
 * minutes to hours. `tasks` stand for `{task}` in per-task runs. Required parameters left out
 * are not reported here: the run's config file may give them, and planSuite checks them.
 * Pool settings are checked by planSuite once the zoo's config exists.
 */
export async function checkMethodParams(
  suite: Suite,
  registry: ComponentRegistry,
  cwd: string,
  tasks: readonly string[],
): Promise<void> {
  const declarations = new Map<string, readonly ParamSpec[]>();
  for (const run of suite.runs) {
    for (const task of run.perTask ? tasks : [undefined]) {
      try {
        const own = run.overrides.map((o) => (task ? o.replaceAll('{task}', task) : o));
        const overrides = parseOverrides(own).filter((o) => o.path[0] === 'method');
        // Composed as a run composes it: the preset's values, then the overrides in order.
        const config = composeConfig({
          fileConfig: NO_POOLS,
          overrides,
          cwd,
          resolver: (kind, name) => registry.findPreset(kind, name),
        });
        const { name, ...values } = config.method;
        let specs = declarations.get(name);
        if (specs === undefined) {
          const declared = (await ensureComponent(registry, 'method', name, cwd)).component.info.params;
          specs = declared.map((spec) => (spec.default === undefined ? { ...spec, default: null } : spec));
          declarations.set(name, specs);
        }
        validateParams('method', values, specs);
      } catch (e) {
        if (!(e instanceof MergebenchError)) throw e;
        throw new MergebenchError(
          `${suite.file}: run '${run.label}'${task ? ` (task ${task})` : ''}: ${e.message.split('\n')[0]}`,
        );
      }
    }
  }
}
