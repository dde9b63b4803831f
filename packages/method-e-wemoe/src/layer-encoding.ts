/**
 * The fixed sinusoidal encoding of a layer's index that E-WEMoE's shared router may read before
 * the hidden states, as the reference: for dim P, entry j < P/2 is sin(layer·10000^(−2j/P)) and
 * entry P/2 + j is cos(layer·10000^(−2j/P)).
 */
export function layerEncoding(layer: number, dim: number): Float32Array {
  const half = Math.floor(dim / 2);
  const out = new Float32Array(2 * half);
  for (let j = 0; j < half; j++) {
    const angle = layer / 10000 ** ((2 * j) / dim);
    out[j] = Math.sin(angle);
    out[half + j] = Math.cos(angle);
  }
  return out;
}
