import { deriveSeed } from '@mergebench/core';
import { corrupt, type SeededCorruption } from '@mergebench/image-corruptions';
import { PIXEL_MEAN, PIXEL_STD, type PreparedSplit } from './prepare.js';

/**
 * A copy of a prepared split with every image corrupted: back to intensities in [0, 1] and to
 * height × width × channels, corrupted with a seed of its own (from the corruption's seed, the
 * task and its position, so that the same image is corrupted the same way in every run), then
 * normalised again.
 */
export function corruptSplit(
  split: PreparedSplit,
  corruption: SeededCorruption,
  task: string,
): PreparedSplit {
  const { channels, size, pixels } = split;
  const area = size * size;
  const perImage = channels * area;
  const out = new Float32Array(pixels.length);
  const hwc = new Float32Array(perImage);
  for (let n = 0; n < pixels.length / perImage; n++) {
    const offset = n * perImage;
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < area; p++)
        hwc[p * channels + c] = pixels[offset + c * area + p] * PIXEL_STD + PIXEL_MEAN;
    }
    const image = { width: size, height: size, channels, data: hwc };
    const { data } = corrupt(image, corruption, deriveSeed(corruption.seed, `corruption/${task}/${n}`));
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < area; p++)
        out[offset + c * area + p] = (data[p * channels + c] - PIXEL_MEAN) / PIXEL_STD;
    }
  }
  return { ...split, pixels: out };
}
