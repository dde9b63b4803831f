import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { methodFiles } from './templates/method.js';
import { modelpoolFiles, taskpoolFiles } from './templates/pools.js';
import { type PluginSpec, projectFiles } from './templates/project.js';
import { templateVersions, type Versions } from './versions.js';

export const TEMPLATES = ['method', 'modelpool', 'taskpool'] as const;
export type Template = (typeof TEMPLATES)[number];

/** A mistake in what the user asked for: printed as one line, without a stack. */
export class ScaffoldError extends Error {
  override name = 'ScaffoldError';
}

export interface ScaffoldOptions {
  /** The folder to create (relative to cwd); its last segment is the default package name. */
  readonly dir: string;
  readonly template?: Template;
  /** npm package name (default: the folder's name). */
  readonly packageName?: string;
  /** The component's short name (default: from the package name). */
  readonly name?: string;
  readonly cwd?: string;
  /** Ranges to write (default: the core this scaffolder was released with). */
  readonly versions?: Versions;
}

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const COMPONENT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** Names core itself registers; a plugin may not register them again. */
const BUILTIN = { method: ['dummy'], modelpool: ['toy'], taskpool: ['toy'] };

/** `@you/mergebench-method-dare` → `dare`: what `method=` will say. */
export function componentNameOf(packageName: string, kind: Template): string {
  return packageName
    .replace(/^@[^/]+\//, '')
    .replace(/^mergebench-/, '')
    .replace(new RegExp(`^${kind}-`), '');
}

/** Writes a new plugin project; returns its folder and what was written. */
export function scaffold(options: ScaffoldOptions): { dir: string; spec: PluginSpec; files: string[] } {
  const kind = options.template ?? 'method';
  if (!TEMPLATES.includes(kind)) {
    throw new ScaffoldError(`--template: unknown template '${kind}'; expected ${TEMPLATES.join(', ')}`);
  }
  const dir = path.resolve(options.cwd ?? process.cwd(), options.dir);
  const packageName = options.packageName ?? path.basename(dir);
  if (!PACKAGE_NAME.test(packageName)) {
    throw new ScaffoldError(
      `package name '${packageName}' is not a valid npm name (lower case, digits, - . _ ~, optionally @scope/); pass --package-name`,
    );
  }
  const name = options.name ?? componentNameOf(packageName, kind);
  if (!COMPONENT_NAME.test(name)) {
    throw new ScaffoldError(`${kind} name '${name}' must be lower-case kebab or snake case; pass --name`);
  }
  if (BUILTIN[kind].includes(name)) {
    throw new ScaffoldError(`${kind} name '${name}' is mergebench's own; pass another --name`);
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ScaffoldError(`${dir} exists and is not empty; choose a new folder`);
  }
  const spec: PluginSpec = { packageName, name, kind, versions: options.versions ?? templateVersions() };
  const byKind = { method: methodFiles, modelpool: modelpoolFiles, taskpool: taskpoolFiles };
  const files = { ...projectFiles(spec), ...byKind[kind](spec) };
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { dir, spec, files: Object.keys(files).sort() };
}
