import type { Rng } from '@mergebench/core';
import { clamp01, type Image, withData } from './image.js';

/** Standard deviation of the noise per severity (ImageNet-C, make_imagenet_c.py). */
export const GAUSSIAN_NOISE = [0.08, 0.12, 0.18, 0.26, 0.38] as const;

/** x + N(0, c²) per value, clipped to [0, 1]. */
export function gaussianNoise(image: Image, severity: number, rng: Rng): Image {
  const c = GAUSSIAN_NOISE[severity - 1];
  return withData(
    image,
    image.data.map((x) => clamp01(x + c * rng.normal())),
  );
}
