import type { SplitPlan } from './splits.js';

/**
 * Intensities x in [0, 1] become (x − mean) / std in [−1, 1], the same for every channel; the
 * models are trained from scratch on these tasks, so no data set's statistics are baked in.
 */
export const PIXEL_MEAN = 0.5;
export const PIXEL_STD = 0.5;

/** One split of a task, decoded and ready for batching. */
export interface PreparedSplit {
  /** 1: stored once and replicated to 3 channels in batches; 3: colour. */
  readonly channels: 1 | 3;
  readonly size: number;
  /** [count, channels, size, size], normalised. */
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
}

/** Draws a split's examples at size×size and normalises them. */
export function prepareSplit(plan: SplitPlan, size: number): PreparedSplit {
  const { source, indices } = plan;
  const perImage = source.channels * size * size;
  const pixels = new Float32Array(indices.length * perImage);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    source.draw(index, size, pixels, i * perImage);
    labels[i] = source.labels[index];
  });
  for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i] - PIXEL_MEAN) / PIXEL_STD;
  return { channels: source.channels, size, pixels, labels };
}
