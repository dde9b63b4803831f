import type { Rng } from '@mergebench/core';
import { boxResize } from './box-resample.js';
import { gaussianFilter } from './gaussian-filter.js';
import { clamp01, type Image, withData } from './image.js';
import { waterMask } from './spatter-water.js';

/**
 * (loc, scale, sigma, threshold, intensity, mud) per severity (ImageNet-C): the liquid layer is
 * N(loc, scale²) noise blurred by sigma and cut below threshold; severities 1–3 are water, 4–5 mud.
 */
export const SPATTER = [
  [0.65, 0.3, 4, 0.69, 0.6, 0],
  [0.65, 0.3, 3, 0.68, 0.6, 0],
  [0.65, 0.3, 2, 0.68, 0.5, 0],
  [0.65, 0.3, 1, 0.65, 1.5, 1],
  [0.67, 0.4, 1, 0.65, 1.5, 1],
] as const;

/** Pale turquoise water and brown mud, RGB. */
const WATER = [175 / 255, 238 / 255, 238 / 255];
const MUD = [63 / 255, 42 / 255, 20 / 255];

/**
 * Small images get their liquid layer drawn at a working size with this many pixels on the
 * shorter side, then box-resized: drawn at 32 pixels, the published blur (σ 1–4 at 224 pixels)
 * would shrink below a pixel and leave no drops at all.
 */
const MIN_LAYER_SIDE = 96;

export function spatter(image: Image, severity: number, rng: Rng): Image {
  const [loc, scale, sigma, threshold, intensity, mud] = SPATTER[severity - 1];
  const { width, height, channels, data } = image;
  const up = Math.max(1, MIN_LAYER_SIDE / Math.min(width, height));
  const lw = Math.round(width * up);
  const lh = Math.round(height * up);
  const s = Math.min(lw, lh) / 224;
  const noise = Float32Array.from({ length: lw * lh }, () => loc + scale * rng.normal());
  const liquid = gaussianFilter(noise, lw, lh, sigma * s);
  let m: Float32Array;
  if (mud === 1) {
    // Mud covers: m = blur(liquid > threshold), cut below 0.8.
    const covered = Float32Array.from(liquid, (v) => (v > threshold ? 1 : 0));
    m = gaussianFilter(covered, lw, lh, intensity * s).map((v) => (v < 0.8 ? 0 : v));
  } else {
    // Water: m from the liquid layer's shaded edges (see spatter-water.ts).
    m = waterMask(
      liquid.map((v) => (v < threshold ? 0 : v)),
      lw,
      lh,
      intensity,
    );
  }
  if (up > 1) m = boxResize({ width: lw, height: lh, channels: 1, data: m }, width, height).data;
  const tint = (color: readonly number[], c: number) =>
    channels === 3 ? color[c] : (color[0] + color[1] + color[2]) / 3;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const p = Math.floor(i / channels);
    const k = i % channels;
    // Mud: x·(1 − m) + m·brown; water: x + m·turquoise.
    out[i] = clamp01(
      mud === 1 ? data[i] * (1 - m[p]) + tint(MUD, k) * m[p] : data[i] + m[p] * tint(WATER, k),
    );
  }
  return withData(image, out);
}
