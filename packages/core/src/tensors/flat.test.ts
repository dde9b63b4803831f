import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { flatLayout, flattenStateDict, unflatten } from './flat.js';
import { disposeStateDict } from './state-dict.js';
import type { StateDict } from './types.js';

const model = (): StateDict =>
  new Map<string, tf.Tensor>([
    [
      'w',
      tf.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ],
    ['ids', tf.tensor([7, 8], [2], 'int32')],
    ['logit_scale', tf.scalar(-0.5)],
    ['empty', tf.zeros([0, 3])],
    ['b', tf.tensor([9])],
  ]);

let live: number;
beforeEach(() => {
  live = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors leaked').toBe(live);
});

describe('flattenStateDict', () => {
  it('lays the tensors out in key order', () => {
    const sd = model();
    const { data, layout } = flattenStateDict(sd);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, -0.5, 9]);
    expect(layout).toEqual(flatLayout(sd));
    expect(layout.size).toBe(10);
    expect(layout.entries.map((e) => [e.key, e.offset, e.size, e.dtype])).toEqual([
      ['w', 0, 6, 'float32'],
      ['ids', 6, 2, 'int32'],
      ['logit_scale', 8, 1, 'float32'],
      ['empty', 9, 0, 'float32'],
      ['b', 9, 1, 'float32'],
    ]);
    disposeStateDict(sd);
  });

  it('round-trips keys, shapes, dtypes and values', () => {
    const sd = model();
    const { data, layout } = flattenStateDict(sd);
    const back = unflatten(data, layout);
    expect([...back.keys()]).toEqual([...sd.keys()]);
    for (const [key, t] of sd) {
      const u = back.get(key)!;
      expect([u.shape, u.dtype, Array.from(u.dataSync())]).toEqual([
        t.shape,
        t.dtype,
        Array.from(t.dataSync()),
      ]);
    }
    disposeStateDict(sd);
    disposeStateDict(back);
  });

  it('unflattens into copies of the data', () => {
    const sd = model();
    const { data, layout } = flattenStateDict(sd);
    const back = unflatten(data, layout);
    data.fill(0);
    expect(Array.from(back.get('w')!.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    disposeStateDict(sd);
    disposeStateDict(back);
  });

  it('rejects data of the wrong length', () => {
    const sd = model();
    const { layout } = flattenStateDict(sd);
    expect(() => unflatten(new Float32Array(3), layout)).toThrow(
      new MergebenchError('flat vector has 3 elements, but the layout describes 10'),
    );
    disposeStateDict(sd);
  });
});
