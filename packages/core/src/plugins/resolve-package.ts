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

/** The ESM entry of a package folder, from `exports` (import/node/default conditions) or `main`. */
function entryOf(dir: string, pkg: PackageJson): string {
  const pick = (target: unknown): string | undefined => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object' && !Array.isArray(target)) {
      const t = target as Record<string, unknown>;
      if ('.' in t) return pick(t['.']);
      for (const cond of ['import', 'node', 'default']) if (cond in t) return pick(t[cond]);
    }
    return undefined;
  };
  const rel = pick(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
  return path.resolve(dir, rel);
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
      return { name: pkg.name ?? target, dir: target, entry: entryOf(target, pkg) };
    }
    return { name: target, dir: path.dirname(target), entry: target };
  }
  for (const root of searchRoots(cwd)) {
    const dir = path.join(root, 'node_modules', spec);
    if (existsSync(path.join(dir, 'package.json'))) {
      return { name: spec, dir, entry: entryOf(dir, readPackageJson(dir)) };
    }
  }
  return undefined;
}

/** A package is a plugin when its package.json has the keyword `mergebench-plugin`. */
function isPlugin(dir: string): boolean {
  try {
    return readPackageJson(dir).keywords?.includes('mergebench-plugin') ?? false;
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
  const found = new Set<string>();
  for (const root of searchRoots(cwd)) {
    const nm = path.join(root, 'node_modules');
    if (!existsSync(nm)) continue;
    for (const name of packagesIn(nm)) {
      if (!found.has(name) && isPlugin(path.join(nm, name))) found.add(name);
    }
  }
  return [...found].sort();
}
