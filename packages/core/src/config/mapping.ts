/** A plain key → value object, as YAML, JSON and config modules produce. */
export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The value under `key`, ignoring inherited properties such as `__proto__`. */
export function ownValue(mapping: Mapping, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}

/**
 * `top` laid over `base`: nested mappings merge key by key, anything else (lists included) is
 * replaced, so a preset's model list can be amended one entry at a time.
 */
export function mergeMappings(base: Mapping, top: Mapping): Mapping {
  const merged: Mapping = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const under = ownValue(base, key);
    merged[key] = isMapping(under) && isMapping(value) ? mergeMappings(under, value) : value;
  }
  return merged;
}
