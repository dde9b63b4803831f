import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedTensors, maxAbsDiff } from '../fixtures.test.helpers.js';
import { resizeBicubic } from './pillow-bicubic.js';
import { preprocessImage } from './preprocess.js';

async function fixtureImage(name: string): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  const image = (await expectedTensors()).get(`preprocess.${name}.image`)!;
  const [height, width] = image.shape;
  return { rgb: Uint8Array.from(await image.data()), width, height };
}

describe('preprocessImage', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of ['landscape', 'portrait']) {
    it(`matches CLIPImageProcessor (Pillow bicubic) exactly on a ${name} image`, async () => {
      const { rgb, width, height } = await fixtureImage(name);
      const pixels = preprocessImage(rgb, width, height, { size: 32 });
      expect(pixels.shape).toEqual([3, 32, 32]);
      expect(maxAbsDiff(pixels, (await expectedTensors()).get(`preprocess.${name}.pixel_values`)!)).toBe(0);
      pixels.dispose();
    });
  }

  it('drops the alpha channel of RGBA input', async () => {
    const { rgb, width, height } = await fixtureImage('portrait');
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = 17;
    }
    const [a, b] = [
      preprocessImage(rgb, width, height, { size: 32 }),
      preprocessImage(rgba, width, height, { size: 32 }),
    ];
    expect(maxAbsDiff(a, b)).toBe(0);
    tf.dispose([a, b]);
  });

  it('leaves an image of the target size unchanged by resizing', () => {
    const pixels = Uint8Array.from({ length: 4 * 5 * 3 }, (_, i) => (i * 37) % 256);
    expect(resizeBicubic(pixels, 5, 4, 3, 5, 4)).toEqual(pixels);
  });

  it('rejects data that is not an RGB(A) image of the given size, and bad sizes', () => {
    expect(() => preprocessImage(new Uint8Array(10), 2, 2, { size: 4 })).toThrow(
      '10 values do not make a 2 × 2 RGB or RGBA image',
    );
    expect(() => preprocessImage(new Uint8Array(12), 2, 2, { size: 4, cropSize: 5 })).toThrow(
      '0 < cropSize ≤ size',
    );
  });
});
