import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedTensors, maxAbsDiff } from '../fixtures.test.helpers.js';
import { resizeBicubic, resizeBicubicCropped } from './pillow-bicubic.js';
import { preprocessImage, preprocessInto } from './preprocess.js';

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

  it('resizes only the cropped pixels to exactly what resize-then-crop gives', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Downscales, upscales, one side unchanged, CLIP's 224 from typical data set sizes.
    const cases: [number, number, number, number][] = [
      [500, 375, 298, 224],
      [375, 500, 224, 298],
      [32, 32, 224, 224],
      [64, 40, 358, 224],
      [224, 300, 224, 300],
      [300, 224, 300, 224],
      [17, 23, 9, 12],
    ];
    for (const [width, height, outWidth, outHeight] of cases) {
      const rgb = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256));
      const full = resizeBicubic(rgb, width, height, 3, outWidth, outHeight);
      const side = Math.min(outWidth, outHeight);
      const crop = {
        left: Math.floor((outWidth - side) / 2),
        top: Math.floor((outHeight - side) / 2),
        width: side,
        height: side - 1,
      };
      const expected = new Uint8Array(crop.width * crop.height * 3);
      for (let y = 0; y < crop.height; y++) {
        const from = ((crop.top + y) * outWidth + crop.left) * 3;
        expected.set(full.subarray(from, from + crop.width * 3), y * crop.width * 3);
      }
      const cropped = resizeBicubicCropped(rgb, width, height, outWidth, outHeight, crop);
      expect(
        Buffer.from(cropped).equals(Buffer.from(expected)),
        `${width}×${height} → ${outWidth}×${outHeight}`,
      ).toBe(true);
    }
  });

  it('writes a batch in place with the values preprocessImage returns', async () => {
    const { rgb, width, height } = await fixtureImage('landscape');
    const single = preprocessImage(rgb, width, height, { size: 32 });
    const batch = new Float32Array(2 * 3 * 32 * 32);
    preprocessInto(rgb, width, height, { size: 32 }, batch, 3 * 32 * 32);
    expect(Array.from(batch.subarray(3 * 32 * 32))).toEqual(Array.from(single.dataSync()));
    expect(batch.subarray(0, 3 * 32 * 32).every((v) => v === 0)).toBe(true);
    expect(() => preprocessInto(rgb, width, height, { size: 32 }, batch, 4 * 32 * 32)).toThrow(
      'preprocessInto: 3072 values do not fit at 4096 in 6144',
    );
    single.dispose();
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
