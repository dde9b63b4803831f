import { readFileSync } from 'node:fs';
import type { Rng } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { contrast } from './contrast.js';
import { gaussianNoise } from './gaussian-noise.js';
import type { Image } from './image.js';
import { impulseNoise } from './impulse-noise.js';
import { motionBlur } from './motion-blur.js';
import { pixelate } from './pixelate.js';

// Fixtures: tools/reference/image_corruption_fixtures.py (ImageNet-C's definitions with NumPy,
// Pillow; the random draws recorded so that both sides use the same ones).
interface Fixture {
  readonly images: { height: number; width: number; channels: 1 | 3; values: number[] }[];
  readonly cases: {
    corruption: string;
    severity: number;
    image: number;
    draws?: number[];
    angle?: number;
    out: number[];
  }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/corruptions.json', import.meta.url), 'utf8'),
) as Fixture;

/** Float32 rounding of the fixture's values; the pixelate case compares 8-bit images. */
const TOLERANCE = 1e-5;
const PIXELATE_TOLERANCE = 1 / 255 + 1e-6;

/** The recorded draws, served in order: NumPy's arrays in the order the transforms read them. */
function recorded(draws: readonly number[]): Rng {
  let i = 0;
  return { next: () => draws[i++], normal: () => draws[i++], int: (n) => Math.floor(draws[i++] * n) };
}

function imageOf(index: number): Image {
  const { height, width, channels, values } = fixture.images[index];
  return { height, width, channels, data: Float32Array.from(values) };
}

function apply(c: Fixture['cases'][number]): Image {
  const image = imageOf(c.image);
  switch (c.corruption) {
    case 'contrast':
      return contrast(image, c.severity);
    case 'pixelate':
      return pixelate(image, c.severity);
    case 'gaussian_noise':
      return gaussianNoise(image, c.severity, recorded(c.draws!));
    case 'impulse_noise':
      return impulseNoise(image, c.severity, recorded(c.draws!));
    case 'motion_blur':
      return motionBlur(image, c.severity, recorded([]), c.angle);
    default:
      throw new Error(`no transform for ${c.corruption}`);
  }
}

describe('the corruptions match their ImageNet-C definitions in NumPy and Pillow', () => {
  it.each(fixture.cases.map((c) => [`${c.corruption} severity ${c.severity} image ${c.image}`, c] as const))(
    '%s',
    (_, c) => {
      const out = apply(c).data;
      expect(out.length).toBe(c.out.length);
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - c.out[i]));
      expect(worst).toBeLessThanOrEqual(c.corruption === 'pixelate' ? PIXELATE_TOLERANCE : TOLERANCE);
    },
  );
});
