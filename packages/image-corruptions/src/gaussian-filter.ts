/**
 * A 2-D Gaussian blur of a width × height plane, as skimage.filters.gaussian → scipy.ndimage
 * gaussian_filter: separable, kernel truncated at 4σ, edges extended by the nearest pixel.
 */
export function gaussianFilter(
  plane: Float32Array,
  width: number,
  height: number,
  sigma: number,
): Float32Array {
  if (sigma <= 0) return plane.slice();
  const radius = Math.round(4 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    total += kernel[i + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const pass = (input: Float32Array, alongX: boolean): Float32Array => {
    const out = new Float32Array(input.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let i = -radius; i <= radius; i++) {
          const sx = alongX ? Math.min(width - 1, Math.max(0, x + i)) : x;
          const sy = alongX ? y : Math.min(height - 1, Math.max(0, y + i));
          sum += kernel[i + radius] * input[sy * width + sx];
        }
        out[y * width + x] = sum;
      }
    }
    return out;
  };
  return pass(pass(plane, true), false);
}
