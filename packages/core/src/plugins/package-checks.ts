import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Manifest {
  name?: string;
  keywords?: unknown;
  exports?: unknown;
  main?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Packages a plugin must share with the host, never bring its own copy of. */
const SHARED = ['@mergebench/core', '@tensorflow/tfjs'];

/**
 * What a plugin's package.json must say for mergebench to find and load it once installed:
 * the `mergebench-plugin` keyword (`mergebench list` and name lookups), an ESM entry, and core
 * and tfjs as peer dependencies (a dependency would install a second copy). One line each.
 */
export function pluginPackageFailures(dir: string): string[] {
  const file = path.join(dir, 'package.json');
  let pkg: Manifest;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    return [`${file}: cannot read package.json (${(e as Error).message.split('\n')[0]})`];
  }
  const failures: string[] = [];
  if (!Array.isArray(pkg.keywords) || !pkg.keywords.includes('mergebench-plugin')) {
    failures.push(
      `${file}: keywords: expected "mergebench-plugin", so mergebench list finds the installed package`,
    );
  }
  if (pkg.exports === undefined && pkg.main === undefined) {
    failures.push(`${file}: exports: expected { ".": { "types": …, "import": "./dist/index.js" } }`);
  }
  for (const shared of SHARED) {
    if (pkg.dependencies?.[shared] !== undefined) {
      failures.push(
        `${file}: dependencies: ${shared} must be a peer dependency (a dependency installs a second copy beside the host's)`,
      );
    } else if (shared === '@mergebench/core' && pkg.peerDependencies?.[shared] === undefined) {
      failures.push(
        `${file}: peerDependencies: expected "${shared}" with the range of cores the plugin works with`,
      );
    }
  }
  return failures;
}
