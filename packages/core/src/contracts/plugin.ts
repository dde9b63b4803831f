import type { CliCommand } from './command.js';
import type { Component } from './component.js';
import type { Method } from './method.js';
import type { ModelPool } from './model-pool.js';
import type { TaskPool } from './task-pool.js';

/** What a plugin registers into. */
export interface PluginRegistrar {
  method(component: Component<Method>): void;
  modelpool(component: Component<ModelPool>): void;
  taskpool(component: Component<TaskPool>): void;
  /**
   * A folder of YAML presets laid out as `<dir>/<kind>/<name>.yaml` (e.g. `configs/method/ties.yaml`)
   * so `method=ties` finds the paper's settings.
   */
  presets(dir: string): void;
  /**
   * A command of the `mergebench` CLI (`mergebench <name> ...`), found among installed plugins.
   * Optional so that a plugin also loads on a core without it: call it as `registrar.command?.(c)`.
   */
  command?(command: CliCommand): void;
}

/**
 * A plugin: a plain object, usually the default export of a package, that registers components.
 * A package may also default-export a factory returning one.
 */
export interface MergebenchPlugin {
  readonly name: string;
  register(registrar: PluginRegistrar): void;
}

/** Identity helper that gives plugin objects their type. */
export function definePlugin(plugin: MergebenchPlugin): MergebenchPlugin {
  return plugin;
}
