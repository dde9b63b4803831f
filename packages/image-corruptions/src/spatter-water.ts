import { distanceTransform } from './distance-transform.js';

const TRUNCATE = 20;

/**
 * The water drops' shading of ImageNet-C's spatter (severities 1–3), from the thresholded liquid
 * layer L: distance to the drops' edges, truncated at 20, box-blurred, histogram-equalised,
 * embossed with [[−2, −1, 0], [−1, 1, 1], [0, 1, 2]] (saturated to 8 bits), box-blurred again;
 * m = L·dist / max(L·dist)·intensity. ImageNet-C finds the edges with OpenCV's Canny on L·255;
 * here an edge is a pixel of L = 0 next to one of L > 0 (or the reverse) — the same boundary,
 * since inside a drop L varies too slowly for Canny's thresholds — and the distance is exact
 * Euclidean rather than OpenCV's 5×5 chamfer approximation.
 */
export function waterMask(
  liquid: Float32Array,
  width: number,
  height: number,
  intensity: number,
): Float32Array {
  const n = width * height;
  const wet = (x: number, y: number) => liquid[y * width + x] > 0;
  const edge = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const here = wet(x, y);
      edge[y * width + x] = Number(
        (x > 0 && wet(x - 1, y) !== here) ||
          (x < width - 1 && wet(x + 1, y) !== here) ||
          (y > 0 && wet(x, y - 1) !== here) ||
          (y < height - 1 && wet(x, y + 1) !== here),
      );
    }
  }
  // Exact Euclidean distances to the nearest edge, cut at TRUNCATE as OpenCV's threshold does.
  let dist: Float32Array = distanceTransform(edge, width, height).map((d) => Math.min(d, TRUNCATE));
  dist = boxBlur3(dist, width, height).map(Math.trunc);
  dist = equalize(dist);
  dist = emboss(dist, width, height);
  dist = boxBlur3(dist, width, height);
  const m = new Float32Array(n);
  let max = 0;
  for (let p = 0; p < n; p++) {
    m[p] = liquid[p] * dist[p];
    max = Math.max(max, m[p]);
  }
  return max === 0 ? m : m.map((v) => (v / max) * intensity);
}

/** OpenCV's blur(3×3): the mean over the 3×3 neighbourhood, edges reflected (BORDER_REFLECT_101). */
function boxBlur3(plane: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(plane.length);
  const reflect = (i: number, size: number) =>
    i < 0 ? Math.min(-i, size - 1) : i >= size ? Math.max(2 * size - i - 2, 0) : i;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++)
          sum += plane[reflect(y + dy, height) * width + reflect(x + dx, width)];
      }
      out[y * width + x] = sum / 9;
    }
  }
  return out;
}

/** OpenCV's equalizeHist of an 8-bit plane. */
function equalize(plane: Float32Array): Float32Array {
  const hist = new Float64Array(256);
  for (const v of plane) hist[v]++;
  let first = 0;
  while (first < 255 && hist[first] === 0) first++;
  const total = plane.length;
  if (hist[first] === total) return plane.slice();
  const scale = 255 / (total - hist[first]);
  const lut = new Float32Array(256);
  let sum = 0;
  for (let i = first + 1; i < 256; i++) {
    sum += hist[i];
    lut[i] = Math.min(255, Math.max(0, Math.round(sum * scale)));
  }
  return plane.map((v) => lut[v]);
}

/** OpenCV's filter2D with the emboss kernel into 8 bits (rounded, saturated), edges reflected. */
function emboss(plane: Float32Array, width: number, height: number): Float32Array {
  const kernel = [
    [-2, -1, 0],
    [-1, 1, 1],
    [0, 1, 2],
  ];
  const reflect = (i: number, size: number) =>
    i < 0 ? Math.min(-i, size - 1) : i >= size ? Math.max(2 * size - i - 2, 0) : i;
  const out = new Float32Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++)
          sum += kernel[dy + 1][dx + 1] * plane[reflect(y + dy, height) * width + reflect(x + dx, width)];
      }
      out[y * width + x] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}
