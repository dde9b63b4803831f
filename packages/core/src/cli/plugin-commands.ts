import { builtinPlugin } from '../builtin/plugin.js';
import { listNames } from '../errors.js';
import {
  ComponentRegistry,
  loadInstalledPlugins,
  type PluginLoadFailure,
  type RegisteredCommand,
  registerPlugin,
} from '../plugins/index.js';

/**
 * The commands installed plugins provide. Only installed packages are looked at (the
 * `mergebench-plugin` keyword, found from `cwd` and from core's own place), never a path: a
 * command runs code, so it must come from what the user installed.
 */
export async function pluginCommands(
  cwd: string,
): Promise<{ commands: RegisteredCommand[]; failures: PluginLoadFailure[] }> {
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  const failures = await loadInstalledPlugins(registry, cwd);
  return { commands: registry.listCommands(), failures };
}

/** The names of the plugin commands, for the message about an unknown command. */
export function describeCommands(commands: readonly RegisteredCommand[]): string {
  return commands.length === 0
    ? 'none from installed plugins'
    : `from installed plugins: ${listNames(
        commands.map((c) => `${c.command.name} (${c.source})`),
        20,
      )}`;
}
