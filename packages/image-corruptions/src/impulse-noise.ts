import type { Rng } from '@mergebench/core';
import { type Image, withData } from './image.js';

/** Share of values replaced per severity (ImageNet-C: skimage random_noise, mode 's&p'). */
export const IMPULSE_NOISE = [0.03, 0.06, 0.09, 0.17, 0.27] as const;

/**
 * Salt and pepper on every value (each channel on its own, as skimage does): with probability c
 * the value becomes 1 or 0, equally likely.
 */
export function impulseNoise(image: Image, severity: number, rng: Rng): Image {
  const c = IMPULSE_NOISE[severity - 1];
  return withData(
    image,
    image.data.map((x) => {
      const flipped = rng.next() <= c;
      const salt = rng.next() <= 0.5;
      return flipped ? (salt ? 1 : 0) : x;
    }),
  );
}
