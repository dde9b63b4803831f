import { check } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { resizeBicubicCropped } from './pillow-bicubic.js';

/** OpenAI CLIP's per-channel mean and standard deviation of RGB values in [0, 1]. */
export const CLIP_IMAGE_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_IMAGE_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface ClipImageConfig {
  /** The shortest side after resizing (CLIPImageProcessor's `size.shortest_edge`). */
  readonly size: number;
  /** The side of the centred square crop (`crop_size`); at most `size`. Default: `size`. */
  readonly cropSize?: number;
  readonly mean?: readonly [number, number, number];
  readonly std?: readonly [number, number, number];
}

/**
 * Turns an 8-bit RGB or RGBA image (row-major, interleaved; alpha dropped as Pillow's
 * convert("RGB") does) into CLIP pixel values [3, crop, crop], as Hugging Face's
 * CLIPImageProcessor does: the shortest side resized to `size` with Pillow's bicubic filter (the
 * other side ⌊size × long / short⌋), a centred crop, values × 1/255, then (x − mean) / std, in
 * float32. The result equals the processor's output bit for bit on the same image.
 */
export function preprocessImage(
  rgbData: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  config: ClipImageConfig,
): tf.Tensor3D {
  const cropSize = config.cropSize ?? config.size;
  const out = new Float32Array(3 * cropSize * cropSize);
  preprocessInto(rgbData, width, height, config, out, 0);
  return tf.tensor3d(out, [3, cropSize, cropSize]);
}

/**
 * `preprocessImage` written into `out` at `offset` (3 × crop × crop values, channel first), so
 * that a batch is filled in place without one tensor per image.
 */
export function preprocessInto(
  rgbData: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  config: ClipImageConfig,
  out: Float32Array,
  offset: number,
): void {
  const { size, cropSize = size, mean = CLIP_IMAGE_MEAN, std = CLIP_IMAGE_STD } = config;
  check(
    Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0,
    () => `preprocessImage: width and height must be positive integers, got ${width} × ${height}`,
  );
  const channels = rgbData.length / (width * height);
  check(
    channels === 3 || channels === 4,
    () => `preprocessImage: ${rgbData.length} values do not make a ${width} × ${height} RGB or RGBA image`,
  );
  check(
    Number.isInteger(size) && Number.isInteger(cropSize) && cropSize > 0 && cropSize <= size,
    () =>
      `preprocessImage: expected integer sizes with 0 < cropSize ≤ size, got size ${size}, cropSize ${cropSize}`,
  );
  check(
    offset >= 0 && offset + 3 * cropSize * cropSize <= out.length,
    () => `preprocessInto: ${3 * cropSize * cropSize} values do not fit at ${offset} in ${out.length}`,
  );
  const rgb =
    channels === 4 ? dropAlpha(rgbData) : rgbData instanceof Uint8Array ? rgbData : new Uint8Array(rgbData);
  const portrait = width <= height;
  const [short, long] = portrait ? [width, height] : [height, width];
  const newLong = Math.trunc((size * long) / short);
  const [newWidth, newHeight] = portrait ? [size, newLong] : [newLong, size];
  const crop = {
    left: Math.floor((newWidth - cropSize) / 2),
    top: Math.floor((newHeight - cropSize) / 2),
    width: cropSize,
    height: cropSize,
  };
  const cropped = resizeBicubicCropped(rgb, width, height, newWidth, newHeight, crop);
  const area = cropSize * cropSize;
  for (let c = 0; c < 3; c++) {
    const table = normalisationTable(mean[c], std[c]);
    const plane = offset + c * area;
    for (let i = 0; i < area; i++) out[plane + i] = table[cropped[i * 3 + c]];
  }
}

/**
 * The normalised value of each 8-bit level: float32 at each step, as the processor's numpy arrays
 * are (× 1/255, − mean, ÷ std), looked up rather than recomputed per pixel.
 */
function normalisationTable(mean: number, std: number): Float32Array {
  const [mean32, std32] = [Math.fround(mean), Math.fround(std)];
  return Float32Array.from({ length: 256 }, (_, value) => {
    const rescaled = Math.fround(value * (1 / 255));
    return Math.fround(Math.fround(rescaled - mean32) / std32);
  });
}

function dropAlpha(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return rgb;
}
