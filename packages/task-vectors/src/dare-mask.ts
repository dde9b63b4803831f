/**
 * DARE's drop-and-rescale (Yu et al., 2024): each entry of a task vector survives with
 * probability `density` (= 1 − p) and is divided by `density`, as mergekit's `bernoulli`
 * sparsification does. The Bernoulli draws come from a counter-based hash of
 * (seed, model index, key, entry index) instead of a stateful generator, so a merge is the same
 * whatever order keys are visited in, and the PyTorch reference (tools/reference/
 * mergekit_fixtures.py) draws the same masks with the same integer arithmetic.
 */

/** Chris Wellons' lowbias32 integer hash (uint32 → uint32). */
export function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-8 bytes of a key. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

/** The stream of one model's draws within one key. */
export function dareStream(seed: number, modelIndex: number, key: string): number {
  return lowbias32((lowbias32((seed >>> 0) ^ keyHash(key)) + lowbias32(modelIndex + 1)) >>> 0);
}

/**
 * In place: entry i is kept when lowbias32((stream + i) mod 2³²) < ⌊density·2³²⌋, then divided by
 * density (float32, as `res /= density` on a float32 tensor); dropped entries become 0.
 */
export function dropAndRescale(values: Float32Array, density: number, stream: number, rescale = true): void {
  if (density >= 1) return;
  const cut = Math.floor(density * 4294967296);
  const d = Math.fround(density);
  for (let i = 0; i < values.length; i++) {
    if (lowbias32((stream + i) >>> 0) < cut) {
      if (rescale) values[i] = values[i] / d;
    } else values[i] = 0;
  }
}
