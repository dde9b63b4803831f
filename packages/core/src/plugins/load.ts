import { pathToFileURL } from 'node:url';
import type { ComponentKind } from '../contracts/component.js';
import type { MergebenchPlugin } from '../contracts/plugin.js';
import { listNames, MergebenchError } from '../errors.js';
import {
  COMMAND_LINE,
  checkPluginPath,
  type PluginPathPolicy,
  type PluginSpecOrigin,
} from './plugin-paths.js';
import type { ComponentRegistry, RegisteredComponent } from './registry.js';
import { discoverPluginPackages, type ResolvedPackage, resolvePackage } from './resolve-package.js';
import { checkSingleTfjs } from './tfjs-copies.js';

/** Whether a spec may name a path, and where it came from (see plugin-paths.ts). */
export interface PluginLoadOptions {
  /** Default `code`: a path loads only when `origin.fromCode` (a JavaScript config file). */
  readonly pluginPaths?: PluginPathPolicy;
  /** Default: the command line. */
  readonly origin?: PluginSpecOrigin;
}

function asPlugin(value: unknown, source: string): MergebenchPlugin {
  const candidate = typeof value === 'function' ? (value as () => unknown)() : value;
  const p = candidate as Partial<MergebenchPlugin> | undefined;
  if (!p || typeof p.name !== 'string' || typeof p.register !== 'function') {
    throw new MergebenchError(
      `${source} does not default-export a mergebench plugin (an object with name and register, or a function returning one)`,
    );
  }
  return p as MergebenchPlugin;
}

/** Registers an already imported plugin object (used for built-ins and tests). */
export function registerPlugin(
  registry: ComponentRegistry,
  plugin: MergebenchPlugin,
  source = plugin.name,
): void {
  if (registry.hasLoaded(source)) return;
  plugin.register(registry.registrarFor(source));
}

/**
 * Loads a plugin package by name or path and registers it. Returns false when a package name is
 * not installed (so callers can try the next candidate); a package that fails to import is an
 * error, and so is a path the policy does not allow (checked before anything is read).
 */
export async function loadPlugin(
  registry: ComponentRegistry,
  spec: string,
  cwd: string,
  options: PluginLoadOptions = {},
): Promise<boolean> {
  checkPluginPath(spec, options.pluginPaths ?? 'code', options.origin ?? COMMAND_LINE);
  const pkg = resolvePackage(spec, cwd);
  if (!pkg) return false;
  if (registry.hasLoaded(pkg.name)) return true;
  registerPlugin(registry, await importPlugin(pkg), pkg.name);
  return true;
}

/**
 * Imports a resolved plugin package and returns its plugin, after checking that it would share
 * mergebench's copy of TensorFlow.js. Executes the package's code: callers check the path policy.
 */
export async function importPlugin(pkg: ResolvedPackage): Promise<MergebenchPlugin> {
  checkSingleTfjs(pkg.name, pkg.dir);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(pkg.entry).href)) as { default?: unknown };
  } catch (e) {
    throw new MergebenchError(
      `cannot import plugin ${pkg.name} from ${pkg.entry}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  return asPlugin(mod.default, pkg.name);
}

/** Packages that may provide component `name` of `kind`, most specific first. */
export function candidatePackages(kind: ComponentKind, name: string): string[] {
  if (name.startsWith('@') || name.startsWith('.') || name.includes('/')) return [name];
  return [`@mergebench/${kind}-${name}`, `mergebench-${kind}-${name}`];
}

/**
 * Finds a component by short name, loading the package that provides it when it is not
 * registered yet (`ties` → `@mergebench/method-ties`). Unknown names list what is available.
 */
export async function ensureComponent<K extends ComponentKind>(
  registry: ComponentRegistry,
  kind: K,
  name: string,
  cwd: string,
  options: PluginLoadOptions = {},
): Promise<RegisteredComponent<K>> {
  const known = registry.get(kind, name);
  if (known) return known;
  for (const spec of candidatePackages(kind, name)) {
    if (await loadPlugin(registry, spec, cwd, options)) {
      const pkgName = name.split('/').pop()!.replace(`${kind}-`, '');
      const found = registry.get(kind, name) ?? registry.get(kind, pkgName);
      if (found) return found;
    }
  }
  // A package may register several names (adamerging-task-wise and -layer-wise): look in all.
  const failures = await loadInstalledPlugins(registry, cwd);
  const anywhere = registry.get(kind, name);
  if (anywhere) return anywhere;
  const broken = failures.length > 0 ? `; could not load ${failures.map((f) => f.spec).join(', ')}` : '';
  const installed = discoverPluginPackages(cwd);
  throw new MergebenchError(
    `unknown ${kind} '${name}'; available: ${listNames(registry.names(kind), 50)}` +
      ` (tried packages ${candidatePackages(kind, name).join(', ')}; installed plugins: ${listNames(installed, 20)}${broken})`,
  );
}

/** An installed plugin package that could not be loaded, and why. */
export interface PluginLoadFailure {
  readonly spec: string;
  readonly error: string;
}

/**
 * Loads every installed plugin package, for `mergebench list` and for finding a preset or name
 * no candidate package provides. A broken package does not hide the others: its failure is
 * returned so the caller can show it.
 */
export async function loadInstalledPlugins(
  registry: ComponentRegistry,
  cwd: string,
): Promise<PluginLoadFailure[]> {
  const failures: PluginLoadFailure[] = [];
  for (const spec of discoverPluginPackages(cwd)) {
    try {
      await loadPlugin(registry, spec, cwd);
    } catch (e) {
      failures.push({ spec, error: (e as Error).message });
    }
  }
  return failures;
}
