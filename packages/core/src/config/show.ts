import { stringify } from 'yaml';
import { isMapping, type Mapping } from './mapping.js';
import { RUN_CONFIG_KEYS, type RunConfig } from './run-config.js';

/**
 * A config as YAML for `mergebench config --show`: top-level keys in their documented order
 * (unknown ones after), `name` first in each component, so equal configs print equally.
 */
export function formatConfig(config: RunConfig | Mapping): string {
  const entries = Object.entries(config).sort(([a], [b]) => rank(a) - rank(b));
  const ordered = Object.fromEntries(
    entries.map(([key, value]) => [key, isMapping(value) ? nameFirst(value) : value]),
  );
  // Shared objects (a default reused by two keys) must print twice, not as YAML anchors.
  return stringify(ordered, { aliasDuplicateObjects: false, lineWidth: 0 });
}

function rank(key: string): number {
  const index = RUN_CONFIG_KEYS.indexOf(key);
  return index === -1 ? RUN_CONFIG_KEYS.length : index;
}

function nameFirst(component: Mapping): Mapping {
  if (!Object.hasOwn(component, 'name')) return component;
  const { name, ...params } = component;
  return { name, ...params };
}
