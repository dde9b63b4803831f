import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MergebenchError } from '../errors.js';

interface PackageJson {
  name?: string;
  main?: string;
  module?: string;
  exports?: unknown;
  keywords?: string[];
}

/** Folders to look for `node_modules` in: the working directory upwards, then core's own place. */
function searchRoots(cwd: string): string[] {
  const roots: string[] = [];
  const walkUp = (start: string) => {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (!roots.includes(dir)) roots.push(dir);
      if (path.dirname(dir) === dir) break;
    }
  };
  walkUp(cwd);
  walkUp(path.dirname(fileURLToPath(import.meta.url)));
  return roots;
}

function readPackageJson(dir: string): PackageJson {
  const file = path.join(dir, 'package.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (e) {
    throw new MergebenchError(`${file}: cannot read package.json (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * The ESM entry of a package folder, from `exports` (import/node/default conditions) or `main`;
 * with `subpath` (e.g. `./mergebench-backend`), that export only.
 */
function entryOf(dir: string, pkg: PackageJson, subpath = '.'): string | undefined {
  const pick = (target: unknown): string | undefined => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object' && !Array.isArray(target)) {
      const t = target as Record<string, unknown>;
      for (const cond of ['import', 'node', 'default']) if (cond in t) return pick(t[cond]);
    }
    return undefined;
  };
  const { exports } = pkg;
  // An object keyed by subpaths, or (a string or conditions) the '.' export alone.
  const bySubpath =
    exports !== null &&
    typeof exports === 'object' &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith('.'));
  const target = bySubpath
    ? (exports as Record<string, unknown>)[subpath]
    : subpath === '.'
      ? exports
      : undefined;
  const exported = pick(target);
  if (subpath !== '.') return exported === undefined ? undefined : path.resolve(dir, exported);
  return path.resolve(dir, exported ?? pkg.module ?? pkg.main ?? 'index.js');
}

export interface ResolvedPackage {
  readonly name: string;
  readonly dir: string;
  readonly entry: string;
}

/**
 * Finds an installed package by name (in any `node_modules` above the working directory or
 * core), or a plugin given as a path. Returns undefined when a name is not installed.
 */
export function resolvePackage(spec: string, cwd: string): ResolvedPackage | undefined {
  const isPath = spec.startsWith('.') || path.isAbsolute(spec);
  if (isPath) {
    const target = path.resolve(cwd, spec);
    if (!existsSync(target)) throw new MergebenchError(`plugin path ${target} does not exist`);
    if (statSync(target).isDirectory()) {
      const pkg = readPackageJson(target);
      return { name: pkg.name ?? target, dir: target, entry: entryOf(target, pkg) as string };
    }
    return { name: target, dir: path.dirname(target), entry: target };
  }
  for (const root of searchRoots(cwd)) {
    const dir = path.join(root, 'node_modules', spec);
    if (existsSync(path.join(dir, 'package.json'))) {
      return { name: spec, dir, entry: entryOf(dir, readPackageJson(dir)) as string };
    }
  }
  return undefined;
}

/** Whether a package's package.json carries `keyword` (`mergebench-plugin`, `mergebench-backend`). */
function hasKeyword(dir: string, keyword: string): boolean {
  try {
    return readPackageJson(dir).keywords?.includes(keyword) ?? false;
  } catch {
    return false;
  }
}

/** Package folders directly in one `node_modules`: `name` and `@scope/name`. */
function packagesIn(nm: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nm)) {
    if (entry.startsWith('.')) continue; // .bin, .pnpm, .package-lock.json
    if (!entry.startsWith('@')) names.push(entry);
    else if (statSync(path.join(nm, entry), { throwIfNoEntry: false })?.isDirectory()) {
      for (const name of readdirSync(path.join(nm, entry))) names.push(`${entry}/${name}`);
    }
  }
  return names;
}

/**
 * Names of installed plugin packages: every package in a `node_modules` above the working
 * directory (or core) whose package.json carries the `mergebench-plugin` keyword, whatever its
 * name. Only package.json files are read; nothing is imported.
 */
export function discoverPluginPackages(cwd: string): string[] {
  return discoverPackagesWithKeyword(cwd, 'mergebench-plugin');
}

/** Names of installed packages whose package.json carries `keyword`, found as plugins are. */
export function discoverPackagesWithKeyword(cwd: string, keyword: string): string[] {
  const found = new Set<string>();
  for (const root of searchRoots(cwd)) {
    const nm = path.join(root, 'node_modules');
    if (!existsSync(nm)) continue;
    for (const name of packagesIn(nm)) {
      if (!found.has(name) && hasKeyword(path.join(nm, name), keyword)) found.add(name);
    }
  }
  return [...found].sort();
}

/** The folder and the `subpath` export's file of an installed package; undefined where it has none. */
export function resolvePackageExport(
  spec: string,
  cwd: string,
  subpath: string,
): ResolvedPackage | undefined {
  const pkg = resolvePackage(spec, cwd);
  if (!pkg) return undefined;
  const entry = entryOf(pkg.dir, readPackageJson(pkg.dir), subpath);
  return entry === undefined ? undefined : { ...pkg, entry };
}
