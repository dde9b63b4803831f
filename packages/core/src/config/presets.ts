import { statSync } from 'node:fs';
import path from 'node:path';
import type { ComponentKind } from '../contracts/component.js';
import { COMPONENT_KINDS } from '../contracts/component.js';
import { check, MergebenchError } from '../errors.js';
import { formatValue } from './format-value.js';
import { isMapping, type Mapping, mergeMappings, ownValue } from './mapping.js';
import { readYamlFile } from './yaml-file.js';

/** A preset found by a resolver: the file it came from and its values. */
export interface PresetSource {
  readonly file: string;
  readonly values: Mapping;
}

/** Looks a preset up by name, e.g. in installed plugin packages' `configs/<kind>/<name>.yaml`. */
export type PresetResolver = (kind: ComponentKind, name: string) => PresetSource | undefined;

const PRESET_FILE_PATTERN = /\.ya?ml$/i;

/**
 * Expands the component keys (`method`, `modelpool`, `taskpool`) of a config:
 * - a string is a preset: a `.yaml`/`.yml` path, or a name looked up as
 *   `<dir>/configs/<kind>/<name>.yaml` in each of `searchDirs`, then with `resolver`; a name
 *   found nowhere becomes `{ name }`, the component with its defaults;
 * - a mapping with `preset: x` gets preset x's values under its own keys;
 * - any other value is kept as it is.
 * Relative preset paths are tried against `searchDirs` in order.
 */
export function resolvePresets(
  config: Mapping,
  resolver: PresetResolver | undefined,
  searchDirs: readonly string[],
): Mapping {
  const expanded: Mapping = { ...config };
  for (const kind of COMPONENT_KINDS) {
    if (Object.hasOwn(config, kind))
      expanded[kind] = expandComponent(kind, config[kind], resolver, searchDirs);
  }
  return expanded;
}

function expandComponent(
  kind: ComponentKind,
  value: unknown,
  resolver: PresetResolver | undefined,
  searchDirs: readonly string[],
): unknown {
  if (typeof value === 'string') return loadPreset(kind, value, resolver, searchDirs);
  if (!isMapping(value) || !Object.hasOwn(value, 'preset')) return value;
  const { preset, ...own } = value;
  check(
    typeof preset === 'string' && preset !== '',
    () => `${kind}.preset: expected a preset name or a .yaml file path, got ${formatValue(preset)}`,
  );
  return mergeMappings(loadPreset(kind, preset, resolver, searchDirs), own);
}

function loadPreset(
  kind: ComponentKind,
  ref: string,
  resolver: PresetResolver | undefined,
  searchDirs: readonly string[],
): Mapping {
  if (PRESET_FILE_PATTERN.test(ref)) {
    const candidates = [...new Set(searchDirs.map((dir) => path.resolve(dir, ref)))];
    const file = candidates.find(isFile);
    if (file === undefined) {
      throw new MergebenchError(
        `${kind}: preset file ${JSON.stringify(ref)} not found (looked for ${candidates.join(', ')})`,
      );
    }
    return presetValues(kind, readPreset(file), file, undefined);
  }
  return findNamedPreset(kind, ref, resolver, searchDirs) ?? { name: ref };
}

/** `<dir>/configs/<kind>/<name>.yaml` in the search folders, then the resolver's; undefined if none. */
function findNamedPreset(
  kind: ComponentKind,
  ref: string,
  resolver: PresetResolver | undefined,
  searchDirs: readonly string[],
): Mapping | undefined {
  for (const dir of searchDirs) {
    const file = path.resolve(dir, 'configs', kind, `${ref}.yaml`);
    if (isFile(file)) return presetValues(kind, readPreset(file), file, ref);
  }
  const found = resolver?.(kind, ref);
  return found ? presetValues(kind, found.values, found.file, ref) : undefined;
}

/**
 * Follows component names that are alias presets: when a component's `name` is a preset that
 * names another component (FusionBench's `method.name=clip_task_wise_adamerging` selects the
 * task-wise variant that way), the component takes that name and the preset's values beneath
 * its own. One step only, as presets do not nest.
 */
export function followNamePresets(
  config: Mapping,
  resolver: PresetResolver | undefined,
  searchDirs: readonly string[],
): Mapping {
  const followed: Mapping = { ...config };
  for (const kind of COMPONENT_KINDS) {
    const component = ownValue(config, kind);
    if (!isMapping(component)) continue;
    const name = ownValue(component, 'name');
    if (typeof name !== 'string' || name === '' || PRESET_FILE_PATTERN.test(name)) continue;
    const preset = findNamedPreset(kind, name, resolver, searchDirs);
    if (preset === undefined || preset.name === name) continue;
    followed[kind] = mergeMappings(preset, { ...component, name: preset.name });
  }
  return followed;
}

function readPreset(file: string): unknown {
  // An empty preset file means "the component with its defaults".
  return readYamlFile(file, 'Preset file') ?? {};
}

/** A preset looked up by name may leave `name` out: it then names the component itself. */
function presetValues(
  kind: ComponentKind,
  values: unknown,
  file: string,
  presetName: string | undefined,
): Mapping {
  check(
    isMapping(values),
    () => `Preset file ${file}: expected a mapping of ${kind} settings, got ${formatValue(values)}`,
  );
  check(
    !Object.hasOwn(values, 'preset'),
    `Preset file ${file}: "preset" is not allowed in a preset file; presets do not nest`,
  );
  if (ownValue(values, 'name') !== undefined) return values;
  check(
    presetName !== undefined,
    `Preset file ${file}: missing "name"; expected the ${kind} component's name, e.g. name: <component>`,
  );
  return { name: presetName, ...values };
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}
