import { deriveSeed } from '@mergebench/core';

/**
 * The seed of the submodule at `path` under a module seeded with `seed`: one independent,
 * reproducible stream per submodule, or undefined (random initial values) without a seed.
 */
export function childSeed(seed: number | undefined, path: string): number | undefined {
  return seed === undefined ? undefined : deriveSeed(seed, path);
}
