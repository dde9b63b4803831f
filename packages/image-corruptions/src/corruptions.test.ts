import { createRng, MergebenchError } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { CORRUPTIONS, corrupt, corruptionSetting } from './corruptions.js';
import type { Image } from './image.js';
import { jpegCompression } from './jpeg-compression.js';

/** A 32×32 colour image with edges and texture. */
function testImage(channels: 1 | 3 = 3): Image {
  const rng = createRng(7);
  const size = 32;
  const data = new Float32Array(size * size * channels);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < channels; c++) {
        const block = (Math.floor(x / 5) + Math.floor(y / 5) + c) % 2;
        data[(y * size + x) * channels + c] = 0.2 + 0.5 * block + 0.2 * rng.next();
      }
    }
  }
  return { width: size, height: size, channels, data };
}

const meanAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
const std = (a: Float32Array) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

describe('corruptions', () => {
  it.each(CORRUPTIONS)(
    '%s: deterministic under the seed, changes the image more at severity 5, stays in [0, 1]',
    (name) => {
      for (const channels of [3, 1] as const) {
        const image = testImage(channels);
        const mild = corrupt(image, { name, severity: 1 }, 11);
        const again = corrupt(image, { name, severity: 1 }, 11);
        const severe = corrupt(image, { name, severity: 5 }, 11);
        expect(again.data).toEqual(mild.data);
        expect(mild.data.length).toBe(image.data.length);
        expect(meanAbsDiff(mild.data, image.data)).toBeGreaterThan(0);
        expect(meanAbsDiff(severe.data, image.data)).toBeGreaterThan(
          meanAbsDiff(mild.data, image.data) * 0.99,
        );
        expect(severe.data.every((v) => v >= 0 && v <= 1)).toBe(true);
      }
    },
  );

  it('random corruptions differ between seeds; deterministic ones do not use the seed', () => {
    const image = testImage();
    for (const name of ['gaussian_noise', 'impulse_noise', 'spatter', 'motion_blur'] as const) {
      expect(corrupt(image, { name, severity: 3 }, 1).data).not.toEqual(
        corrupt(image, { name, severity: 3 }, 2).data,
      );
    }
    for (const name of ['contrast', 'pixelate', 'jpeg_compression'] as const) {
      expect(corrupt(image, { name, severity: 3 }, 1).data).toEqual(
        corrupt(image, { name, severity: 3 }, 2).data,
      );
    }
  });

  it('does what each definition says', () => {
    const image = testImage();
    // contrast scales deviations from the channel means by c (0.05 at severity 5).
    expect(std(corrupt(image, { name: 'contrast', severity: 5 }, 0).data) / std(image.data)).toBeCloseTo(
      0.05,
      3,
    );
    // impulse noise sets about c = 27% of the values to 0 or 1 at severity 5.
    const salted = corrupt(image, { name: 'impulse_noise', severity: 5 }, 3).data;
    const extremes = salted.filter((v) => v === 0 || v === 1).length / salted.length;
    expect(extremes).toBeGreaterThan(0.22);
    expect(extremes).toBeLessThan(0.32);
    // pixelate at severity 5: 4×4 blocks of one value (32 × 0.25 = 8 coarse pixels per side).
    const blocky = corrupt(image, { name: 'pixelate', severity: 5 }, 0).data;
    expect(blocky[0]).toBe(blocky[3 * 3]);
    expect(blocky[0]).toBe(blocky[(3 * 32 + 3) * 3]);
    // Gaussian noise at severity 5 has σ 0.38 before clipping.
    const noisy = corrupt(image, { name: 'gaussian_noise', severity: 5 }, 5).data;
    expect(meanAbsDiff(noisy, image.data)).toBeGreaterThan(0.2);
    // JPEG: lower quality, larger error.
    expect(meanAbsDiff(jpegCompression(image, 5).data, image.data)).toBeGreaterThan(
      meanAbsDiff(jpegCompression(image, 1).data, image.data),
    );
    // Mud (severity 5) pulls covered pixels toward dark brown; water (severity 1) only adds.
    const water = corrupt(image, { name: 'spatter', severity: 1 }, 9).data;
    expect(water.every((v, i) => v >= image.data[i] - 1e-6)).toBe(true);
    const mud = corrupt(image, { name: 'spatter', severity: 5 }, 9).data;
    expect(mud.reduce((s, v) => s + v, 0)).toBeLessThan(image.data.reduce((s, v) => s + v, 0));
  });

  it('an unknown corruption or a severity outside 1–5 is one clear line', () => {
    expect(() => corruptionSetting('fog', 3, 'taskpool')).toThrow(
      new MergebenchError(
        "taskpool.corruption: unknown corruption 'fog'; expected one of motion_blur, impulse_noise, gaussian_noise, pixelate, spatter, contrast, jpeg_compression",
      ),
    );
    expect(() => corruptionSetting('contrast', 6, 'taskpool')).toThrow(
      'taskpool.severity: expected an integer from 1 to 5, got 6',
    );
  });
});
