/**
 * Exact Euclidean distance of every pixel to the nearest `source` pixel (Felzenszwalb and
 * Huttenlocher's separable squared-distance transform: columns, then rows; O(width·height)).
 * Pixels with no source at all get Infinity.
 */
export function distanceTransform(source: Uint8Array, width: number, height: number): Float32Array {
  const squared = new Float64Array(width * height);
  for (let i = 0; i < squared.length; i++) squared[i] = source[i] === 1 ? 0 : Number.POSITIVE_INFINITY;
  const line = (read: (i: number) => number, write: (i: number, v: number) => void, n: number) => {
    const f = Float64Array.from({ length: n }, (_, i) => read(i));
    const v = new Int32Array(n);
    const z = new Float64Array(n + 1);
    let k = -1;
    for (let q = 0; q < n; q++) {
      if (f[q] === Number.POSITIVE_INFINITY) continue;
      let s = Number.NEGATIVE_INFINITY;
      while (k >= 0) {
        s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
        if (s > z[k]) break;
        k--;
      }
      k++;
      v[k] = q;
      z[k] = k === 0 ? Number.NEGATIVE_INFINITY : s;
      z[k + 1] = Number.POSITIVE_INFINITY;
    }
    if (k < 0) {
      for (let q = 0; q < n; q++) write(q, Number.POSITIVE_INFINITY);
      return;
    }
    let j = 0;
    for (let q = 0; q < n; q++) {
      while (z[j + 1] < q) j++;
      write(q, (q - v[j]) ** 2 + f[v[j]]);
    }
  };
  for (let x = 0; x < width; x++) {
    line(
      (y) => squared[y * width + x],
      (y, d) => {
        squared[y * width + x] = d;
      },
      height,
    );
  }
  for (let y = 0; y < height; y++) {
    line(
      (x) => squared[y * width + x],
      (x, d) => {
        squared[y * width + x] = d;
      },
      width,
    );
  }
  return Float32Array.from(squared, Math.sqrt);
}
