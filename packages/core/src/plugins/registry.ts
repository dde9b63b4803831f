import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CliCommand } from '../contracts/command.js';
import type { Component, ComponentKind } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import type { ModelPool } from '../contracts/model-pool.js';
import type { PluginRegistrar } from '../contracts/plugin.js';
import type { TaskPool } from '../contracts/task-pool.js';
import { listNames, MergebenchError } from '../errors.js';

export interface ComponentTypes {
  method: Method;
  modelpool: ModelPool;
  taskpool: TaskPool;
}

export interface RegisteredComponent<K extends ComponentKind = ComponentKind> {
  readonly component: Component<ComponentTypes[K]>;
  /** The package (or `builtin`) that registered it. */
  readonly source: string;
}

/** A plugin's CLI command and the package that registered it. */
export interface RegisteredCommand {
  readonly command: CliCommand;
  readonly source: string;
}

/** Every component and preset folder the loaded plugins registered, by kind and name. */
export class ComponentRegistry {
  private readonly components: { [K in ComponentKind]: Map<string, RegisteredComponent<K>> } = {
    method: new Map(),
    modelpool: new Map(),
    taskpool: new Map(),
  };
  private readonly presetDirs: { dir: string; source: string }[] = [];
  private readonly commands = new Map<string, RegisteredCommand>();
  private readonly loaded = new Set<string>();

  /** Packages whose plugins have registered, so each registers once. */
  hasLoaded(source: string): boolean {
    return this.loaded.has(source);
  }

  /** The registrar handed to one plugin; names it registers are tagged with `source`. */
  registrarFor(source: string): PluginRegistrar {
    this.loaded.add(source);
    const add = <K extends ComponentKind>(kind: K, component: Component<ComponentTypes[K]>) => {
      if (component.info.kind !== kind) {
        throw new MergebenchError(
          `${source} registered ${kind} '${component.info.name}' whose info.kind is '${component.info.kind}'`,
        );
      }
      const existing = this.components[kind].get(component.info.name);
      if (existing) {
        throw new MergebenchError(
          `duplicate ${kind} '${component.info.name}': registered by ${existing.source} and by ${source}`,
        );
      }
      this.components[kind].set(component.info.name, { component, source });
    };
    return {
      method: (c) => add('method', c),
      modelpool: (c) => add('modelpool', c),
      taskpool: (c) => add('taskpool', c),
      presets: (dir) => this.presetDirs.push({ dir, source }),
      command: (command) => {
        const existing = this.commands.get(command.name);
        if (existing)
          throw new MergebenchError(
            `duplicate command '${command.name}': registered by ${existing.source} and by ${source}`,
          );
        this.commands.set(command.name, { command, source });
      },
    };
  }

  get<K extends ComponentKind>(kind: K, name: string): RegisteredComponent<K> | undefined {
    return this.components[kind].get(name);
  }

  /** Like `get`, but an unknown name is an error that lists what is available. */
  require<K extends ComponentKind>(kind: K, name: string): RegisteredComponent<K> {
    const found = this.get(kind, name);
    if (!found) {
      throw new MergebenchError(`unknown ${kind} '${name}'; available: ${listNames(this.names(kind), 50)}`);
    }
    return found;
  }

  names(kind: ComponentKind): string[] {
    return [...this.components[kind].keys()].sort();
  }

  list<K extends ComponentKind>(kind: K): RegisteredComponent<K>[] {
    return this.names(kind).map((n) => this.components[kind].get(n)!);
  }

  /** A CLI command an installed plugin provides (see CliCommand). */
  getCommand(name: string): RegisteredCommand | undefined {
    return this.commands.get(name);
  }

  /** Every plugin-provided command, by name. */
  listCommands(): RegisteredCommand[] {
    return [...this.commands.keys()].sort().map((n) => this.commands.get(n)!);
  }

  /** Finds `<dir>/<kind>/<name>.yaml` in the registered preset folders. */
  findPreset(kind: string, name: string): { file: string; values: Record<string, unknown> } | undefined {
    for (const { dir } of this.presetDirs) {
      for (const ext of ['.yaml', '.yml']) {
        const file = path.join(dir, kind, name + ext);
        if (!existsSync(file)) continue;
        let values: unknown;
        try {
          values = parseYaml(readFileSync(file, 'utf8'));
        } catch (e) {
          throw new MergebenchError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
        }
        if (values === null || typeof values !== 'object' || Array.isArray(values)) {
          throw new MergebenchError(`${file}: expected a mapping of ${kind} settings`);
        }
        return { file, values: values as Record<string, unknown> };
      }
    }
    return undefined;
  }
}
