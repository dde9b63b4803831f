import { type Image, withData } from './image.js';

/** Per output index, the first input index and the normalised weights of the inputs from it. */
interface Coefficients {
  readonly start: Int32Array;
  readonly weights: Float64Array[];
}

/**
 * Pillow's coefficients for its BOX filter (Resample.c, precompute_coeffs): output pixel xx has
 * centre (xx + ½)·scale in input coordinates; inputs whose centre falls in (centre − s/2,
 * centre + s/2], s = max(scale, 1), weigh 1, then the weights are normalised.
 */
function boxCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 0.5 * filterScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = new Float64Array(Math.max(xmax, 0));
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = (x + xmin - center + 0.5) / filterScale;
      k[x] = t > -0.5 && t <= 0.5 ? 1 : 0;
      total += k[x];
    }
    for (let x = 0; x < xmax; x++) k[x] = total === 0 ? 0 : k[x] / total;
    start[xx] = xmin;
    weights.push(k);
  }
  return { start, weights };
}

/** An 8-bit image's rounding, which Pillow applies after each pass. */
const to8bit = (x: number) => Math.min(255, Math.max(0, Math.round(x * 255))) / 255;

/**
 * Resizes like Pillow's `resize(size, Image.BOX)` of an 8-bit image: a horizontal pass, then a
 * vertical one, each rounded to 8 bits.
 */
export function boxResize(image: Image, width: number, height: number): Image {
  const { channels, data } = image;
  const horizontal = boxCoefficients(image.width, width);
  const mid = new Float32Array(image.height * width * channels);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const k = horizontal.weights[x];
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let i = 0; i < k.length; i++)
          sum += k[i] * data[(y * image.width + horizontal.start[x] + i) * channels + c];
        mid[(y * width + x) * channels + c] = to8bit(sum);
      }
    }
  }
  const vertical = boxCoefficients(image.height, height);
  const out = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    const k = vertical.weights[y];
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let i = 0; i < k.length; i++)
          sum += k[i] * mid[((vertical.start[y] + i) * width + x) * channels + c];
        out[(y * width + x) * channels + c] = to8bit(sum);
      }
    }
  }
  return { ...withData(image, out), width, height };
}
