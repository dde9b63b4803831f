import { Linear, Sequential } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { withLinearInputs } from './index.js';

describe('withLinearInputs', () => {
  it("shows every Linear layer's input by module name, and restores the layers whatever happens", async () => {
    const first = new Linear(3, 4);
    const model = new Sequential([first, new Linear(4, 2)]);
    const seen: [string, number[]][] = [];
    const x = tf.ones([2, 3]);
    await withLinearInputs(
      model,
      (name, input) => seen.push([name, input.shape]),
      async () => tf.dispose(model.forward(x)),
    );
    expect(seen).toEqual([
      ['0', [2, 3]],
      ['1', [2, 4]],
    ]);
    expect(Object.hasOwn(first, 'forward')).toBe(false);
    await expect(
      withLinearInputs(
        model,
        () => {},
        async () => {
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    expect(Object.hasOwn(first, 'forward')).toBe(false);
    tf.dispose(x);
    model.dispose();
  });
});
