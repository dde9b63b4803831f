import path from 'node:path';
import { MergebenchError } from '../errors.js';

/**
 * Where plugin code may be imported from a path (rather than from an installed package).
 * A JavaScript config file is code already (as in vite), so a path it names may load; YAML and
 * JSON configs, suite files and the command line are data that may come from someone else, so a
 * path there loads only when the user says so with `--allow-plugin-paths`.
 * - `never`: `config --show` and `list`, which must be safe on any input, import no path at all;
 * - `code`: the default, paths written in a JavaScript config file only;
 * - `allowed`: `--allow-plugin-paths`, any path.
 */
export type PluginPathPolicy = 'never' | 'code' | 'allowed';

/** Where a plugin spec came from, for the policy and for the error line. */
export interface PluginSpecOrigin {
  /** e.g. `the command line`, `config file /x/.mergebenchrc.yaml`, `suite file s.yaml`. */
  readonly where: string;
  /** True when the spec was written in code the user runs anyway (a JavaScript config file). */
  readonly fromCode?: boolean;
}

export const COMMAND_LINE: PluginSpecOrigin = { where: 'the command line' };

/** A spec naming a file or folder rather than an installed package. */
export function isPluginPath(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec);
}

/** Throws unless the policy lets a path from `origin` be imported. */
export function checkPluginPath(spec: string, policy: PluginPathPolicy, origin: PluginSpecOrigin): void {
  if (!isPluginPath(spec) || policy === 'allowed' || (policy === 'code' && origin.fromCode)) return;
  if (policy === 'never') {
    throw new MergebenchError(
      `plugin path ${spec} (from ${origin.where}): config --show and list never import code from a path; use mergebench run, or install the plugin and name its package`,
    );
  }
  throw new MergebenchError(
    `plugin path ${spec} (from ${origin.where}): importing code from a path needs --allow-plugin-paths; otherwise install the plugin and name its package`,
  );
}
