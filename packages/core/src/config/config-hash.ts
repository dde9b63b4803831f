import { createHash } from 'node:crypto';

/**
 * Config entries that change how a run looks or where it writes, not what it computes: two runs
 * that differ only in these are the same run (a resume may change them, a suite reuses its result).
 * [group] is a whole top-level key, [group, key] one parameter of a component.
 */
export const COSMETIC_CONFIG_KEYS: readonly (readonly string[])[] = [
  ['run_name'],
  ['output_dir'],
  ['save_model'],
  ['method', 'progress'],
  ['method', 'collapse_threshold'],
  ['method', 'collapse_patience'],
  ['method', 'save_state_every'],
  // save_state_every's former name, as reports of earlier versions list it.
  ['method', 'checkpoint_every'],
  ['method', 'resume'],
];

/** JSON with object keys sorted, so that equal configs hash equally whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A copy of a resolved config without the cosmetic entries: what determines the result. */
export function determiningConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const [group, key] of COSMETIC_CONFIG_KEYS) {
    if (key === undefined) delete copy[group];
    else if (copy[group] && typeof copy[group] === 'object')
      delete (copy[group] as Record<string, unknown>)[key];
  }
  // No held-out tasks is how every run was before the key existed: keep those runs' hashes.
  if (Array.isArray(copy.held_out) && copy.held_out.length === 0) delete copy.held_out;
  // Likewise clean test images (the image task pools' corruption: null): severity then means nothing.
  const taskpool = copy.taskpool as Record<string, unknown> | undefined;
  if (taskpool && 'corruption' in taskpool && taskpool.corruption === null) {
    delete taskpool.corruption;
    delete taskpool.severity;
    delete taskpool.corruption_seed;
  }
  return copy;
}

/** The SHA-256 (hex) of a resolved config's determining entries. */
export function configHash(config: Readonly<Record<string, unknown>>): string {
  return createHash('sha256')
    .update(stableJson(determiningConfig(config)))
    .digest('hex');
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, stableJson(value));
  }
}

/**
 * The dotted keys whose values differ between two determining configs, in sorted order, each as
 * `key: before → after` (`(unset)` where one side lacks it); at most `max` of them.
 */
export function configDifferences(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  max = 3,
): string[] {
  const [a, b] = [new Map<string, string>(), new Map<string, string>()];
  flatten(determiningConfig(before), '', a);
  flatten(determiningConfig(after), '', b);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((key) => a.get(key) !== b.get(key))
    .slice(0, max)
    .map((key) => `${key}: ${a.get(key) ?? '(unset)'} → ${b.get(key) ?? '(unset)'}`);
}
