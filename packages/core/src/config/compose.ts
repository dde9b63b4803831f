import path from 'node:path';
import { COMPONENT_KINDS } from '../contracts/component.js';
import type { Mapping } from './mapping.js';
import { applyOverrides, type Override } from './overrides.js';
import { followNamePresets, type PresetResolver, resolvePresets } from './presets.js';
import type { RunConfig } from './run-config.js';
import { validateRunConfig } from './validate.js';

export interface ComposeConfigOptions {
  /** The config file's contents; none when the run has no config file. */
  readonly fileConfig?: Mapping | null;
  /** The config file's folder; its relative preset paths are resolved against it first. */
  readonly fileDir?: string;
  readonly overrides?: readonly Override[];
  /** Presets of installed plugins, tried after `configs/<kind>/<name>.yaml` beside the config file and in cwd. */
  readonly resolver?: PresetResolver;
  readonly cwd?: string;
}

/**
 * Builds a run's config. Later steps win:
 * 1. the config file, its component presets expanded (a preset gives the base values, the keys
 *    written beside `preset:` win);
 * 2. command-line overrides that replace a whole component (`method=ties`), expanded;
 * 3. the other command-line overrides (`method.scaling_factor=0.4`), in the order given;
 * 4. a component `name` that is an alias preset (one naming another component) is followed.
 * Step 2 comes first whatever the argument order, so `method=ties` never wipes out the keys set
 * for that component. The top-level keys are validated; component parameters are not, as only
 * the component knows them (see `validateParams`).
 */
export function composeConfig(options: ComposeConfigOptions): RunConfig {
  const { fileConfig, overrides = [], resolver } = options;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const fileDir = path.resolve(cwd, options.fileDir ?? '.');
  // A relative path is looked for first where it was written.
  const fileSearchDirs = [...new Set([fileDir, cwd])];
  const commandLineSearchDirs = [...new Set([cwd, fileDir])];

  const fromFile = resolvePresets(fileConfig ?? {}, resolver, fileSearchDirs);

  const replacesComponent = (override: Override): boolean =>
    override.path.length === 1 && (COMPONENT_KINDS as readonly string[]).includes(override.path[0]);
  const replacements = resolvePresets(
    applyOverrides({}, overrides.filter(replacesComponent)),
    resolver,
    commandLineSearchDirs,
  );

  const composed = applyOverrides(
    { ...fromFile, ...replacements },
    overrides.filter((override) => !replacesComponent(override)),
  );
  return validateRunConfig(followNamePresets(composed, resolver, commandLineSearchDirs));
}
