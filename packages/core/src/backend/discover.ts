// Backend packages are found like plugins, by a keyword in their package.json
// (`mergebench-backend`), and loaded through a light entry, `<package>/mergebench-backend`, that
// default-exports the backend (name, priority, probe) without loading it: the probe does that.
import { pathToFileURL } from 'node:url';
import { discoverPackagesWithKeyword, resolvePackageExport } from '../plugins/resolve-package.js';
import { checkSingleTfjs } from '../plugins/tfjs-copies.js';
import { registerBackendExport } from './registry.js';

export const BACKEND_KEYWORD = 'mergebench-backend';
export const BACKEND_ENTRY = './mergebench-backend';

/** A backend package that was found but could not be registered, and why. */
export interface BackendPackageFailure {
  readonly spec: string;
  readonly error: string;
}

const loaded = new Map<string, BackendPackageFailure[]>();

/**
 * Registers the backends of every installed backend package (in a `node_modules` above `cwd` or
 * core), once per folder. A broken package does not hide the others: its failure is returned.
 */
export async function loadBackendPackages(cwd: string = process.cwd()): Promise<BackendPackageFailure[]> {
  const known = loaded.get(cwd);
  if (known) return known;
  const failures: BackendPackageFailure[] = [];
  for (const spec of discoverPackagesWithKeyword(cwd, BACKEND_KEYWORD)) {
    try {
      const pkg = resolvePackageExport(spec, cwd, BACKEND_ENTRY);
      if (!pkg) throw new Error(`package.json exports no '${BACKEND_ENTRY}'`);
      checkSingleTfjs(pkg.name, pkg.dir);
      const mod = (await import(pathToFileURL(pkg.entry).href)) as { default?: unknown };
      registerBackendExport(mod.default, `${spec}/${BACKEND_ENTRY.slice(2)}`);
    } catch (e) {
      failures.push({ spec, error: (e as Error).message.split('\n')[0] });
    }
  }
  loaded.set(cwd, failures);
  return failures;
}
