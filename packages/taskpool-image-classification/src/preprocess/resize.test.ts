import { openSafetensors } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures.test.helpers.js';
import { resizePlane, shorterSideCrop } from './resize.js';

describe('resizePlane', () => {
  it.each(['up-8-to-32', 'up-28-to-32', 'up-20-to-32', 'down-28-to-16', 'down-28-to-9', 'wide-5x7-to-12x3'])(
    "matches PIL's bilinear resize of a float image: %s",
    async (name) => {
      const file = await openSafetensors(fixture('preprocess.safetensors'));
      const input = await file.read(`resize.${name}.input`);
      const expected = await file.read(`resize.${name}.output`);
      await file.close();
      const [height, width] = input.shape;
      const [outHeight, outWidth] = expected.shape;
      const out = resizePlane(
        { data: input.dataSync(), height, width, offset: 0, step: 1 },
        outHeight,
        outWidth,
      );
      const want = expected.dataSync();
      const worst = Math.max(...out.map((v, i) => Math.abs(v - want[i])));
      expect(out.length).toBe(want.length);
      expect(worst).toBeLessThan(1e-6);
      input.dispose();
      expected.dispose();
    },
  );

  it('reads one channel of interleaved pixels', () => {
    // 2×2 RGB: the green channel is 10, 20, 30, 40.
    const data = [0, 10, 0, 0, 20, 0, 0, 30, 0, 0, 40, 0];
    expect([...resizePlane({ data, height: 2, width: 2, offset: 1, step: 3 }, 2, 2)]).toEqual([
      10, 20, 30, 40,
    ]);
  });

  it('keeps a constant image constant when growing and when shrinking', () => {
    const data = new Array(7 * 5).fill(3);
    for (const [h, w] of [
      [20, 13],
      [3, 2],
    ]) {
      for (const v of resizePlane({ data, height: 7, width: 5, offset: 0, step: 1 }, h, w))
        expect(v).toBeCloseTo(3, 12);
    }
  });
});

describe('shorterSideCrop', () => {
  it('scales the shorter side to the size and centres the crop, rounding halves to even as Python', () => {
    expect(shorterSideCrop(28, 28, 32)).toEqual({ resizedHeight: 32, resizedWidth: 32, top: 0, left: 0 });
    expect(shorterSideCrop(16, 30, 16)).toEqual({ resizedHeight: 16, resizedWidth: 30, top: 0, left: 7 });
    // 17 → 0.5 rounds to 0; 19 → 1.5 rounds to 2; int() truncates 16·21/18 = 18.67 to 18.
    expect(shorterSideCrop(17, 16, 16).top).toBe(0);
    expect(shorterSideCrop(19, 16, 16).top).toBe(2);
    expect(shorterSideCrop(21, 18, 16)).toEqual({ resizedHeight: 18, resizedWidth: 16, top: 1, left: 0 });
  });
});
