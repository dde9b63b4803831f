import { builtinPlugin } from '../builtin/plugin.js';
import { loadConfigFile } from '../config/load.js';
import { COMPONENT_KINDS } from '../contracts/component.js';
import type { ParamSpec } from '../contracts/params.js';
import {
  ComponentRegistry,
  loadInstalledPlugins,
  loadPlugin,
  type PluginLoadFailure,
  registerPlugin,
} from '../plugins/index.js';

/**
 * What `mergebench list` shows: the built-ins, every installed package with the
 * `mergebench-plugin` keyword, and the packages the config file names under `plugins:`. It
 * imports no path (list must be safe on any folder): a path is reported, not loaded.
 */
export async function listRegistry(
  cwd: string,
  configPath?: string,
): Promise<{ registry: ComponentRegistry; failures: PluginLoadFailure[] }> {
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  const failures = await loadInstalledPlugins(registry, cwd);
  const loaded = await loadConfigFile({ cwd, configPath });
  const named = loaded && Array.isArray(loaded.config.plugins) ? loaded.config.plugins : [];
  for (const spec of named.filter((s): s is string => typeof s === 'string')) {
    const origin = { where: `config file ${loaded!.filepath}` };
    try {
      if (!(await loadPlugin(registry, spec, cwd, { pluginPaths: 'never', origin }))) {
        failures.push({ spec, error: `not installed (named in ${origin.where})` });
      }
    } catch (e) {
      failures.push({ spec, error: (e as Error).message });
    }
  }
  return { registry, failures };
}

function describeParam(p: ParamSpec): string {
  const def = p.default === undefined ? 'required' : `default ${JSON.stringify(p.default)}`;
  const choices = p.choices ? `, one of ${p.choices.join('|')}` : '';
  return `      ${p.name} (${p.type}, ${def}${choices}): ${p.description}`;
}

/** The text of `mergebench list`: every installed component with its parameters and paper. */
export function formatComponentList(registry: ComponentRegistry): string {
  const lines: string[] = [];
  for (const kind of COMPONENT_KINDS) {
    lines.push(`${kind}s:`);
    for (const { component, source } of registry.list(kind)) {
      const { info } = component;
      lines.push(`  ${info.name}  (${source})  ${info.description}`);
      if (info.paper) lines.push(`      paper: ${info.paper.title} <${info.paper.url}>`);
      for (const p of info.params) lines.push(describeParam(p));
    }
  }
  const commands = registry.listCommands();
  if (commands.length > 0) {
    lines.push('commands:');
    for (const { command, source } of commands) {
      lines.push(`  ${command.name}  (${source})`);
      for (const line of command.usage.split('\n')) lines.push(`      ${line}`);
    }
  }
  return lines.join('\n');
}

/** The same listing as JSON, for tools. */
export function componentListJson(registry: ComponentRegistry): unknown {
  return Object.fromEntries(
    COMPONENT_KINDS.map((kind) => [
      kind,
      registry.list(kind).map(({ component, source }) => ({ ...component.info, package: source })),
    ]),
  );
}
