import type { Rng } from '@mergebench/core';
import { type Image, spatialScale, withData } from './image.js';

/** (radius, sigma) per severity (ImageNet-C, for 224-pixel images; see spatialScale). */
export const MOTION_BLUR = [
  [10, 3],
  [15, 5],
  [15, 8],
  [15, 12],
  [20, 15],
] as const;

/**
 * ImageMagick's motion blur (MagickCore MotionBlurImage), as ImageNet-C calls it through Wand with
 * an angle drawn uniformly in [−45°, 45°]: every pixel becomes the weighted mean of the 2·radius + 1
 * pixels on a ray from it at the angle, weights exp(−i²/2σ²) for the i-th, normalised; offsets
 * are rounded to whole pixels and reads past the edge take the nearest edge pixel.
 */
export function motionBlur(
  image: Image,
  severity: number,
  rng: Rng,
  angleDegrees = -45 + 90 * rng.next(),
): Image {
  const scale = spatialScale(image);
  const [radius, sigma] = MOTION_BLUR[severity - 1].map((v) => v * scale);
  const width = 2 * Math.max(1, Math.round(radius)) + 1;
  const weights = new Float64Array(width);
  let total = 0;
  for (let i = 0; i < width; i++) {
    weights[i] = Math.exp(-(i * i) / (2 * sigma * sigma));
    total += weights[i];
  }
  const theta = (angleDegrees * Math.PI) / 180;
  const dx = Array.from({ length: width }, (_, i) => Math.round(i * Math.cos(theta)));
  const dy = Array.from({ length: width }, (_, i) => Math.round(i * Math.sin(theta)));
  const { width: w, height: h, channels, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let i = 0; i < width; i++) {
          const sx = Math.min(w - 1, Math.max(0, x + dx[i]));
          const sy = Math.min(h - 1, Math.max(0, y + dy[i]));
          sum += weights[i] * data[(sy * w + sx) * channels + c];
        }
        out[(y * w + x) * channels + c] = sum / total;
      }
    }
  }
  return withData(image, out);
}
