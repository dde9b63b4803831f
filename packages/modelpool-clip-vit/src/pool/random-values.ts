/**
 * Fills `out` with uniform noise in [-scale, scale) from a xorshift32 generator: fast enough for
 * the hundreds of millions of values a ViT-B/32 pool needs (the values do not change the work).
 */
export function fillNoise(out: Float32Array, seed: number, scale: number): Float32Array {
  let state = seed | 0 || 0x2545f491;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = (state / 2 ** 31) * scale;
  }
  return out;
}
