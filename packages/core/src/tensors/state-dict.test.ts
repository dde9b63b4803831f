import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import {
  add,
  assertCompatible,
  cloneStateDict,
  countElements,
  disposeStateDict,
  mapStateDicts,
  mean,
  scale,
  sub,
  sum,
  weightedSum,
} from './state-dict.js';
import type { StateDict } from './types.js';

const dict = (entries: Record<string, tf.Tensor>): StateDict => new Map(Object.entries(entries));

function values(sd: StateDict): Record<string, number[]> {
  return Object.fromEntries([...sd].map(([key, t]) => [key, Array.from(t.dataSync())]));
}

function randomDict(seed: number): StateDict {
  return dict({
    'fc.weight': tf.randomNormal([17, 9], 0, 1, 'float32', seed),
    'fc.bias': tf.randomNormal([9], 0, 1e-3, 'float32', seed + 1),
    scale: tf.randomNormal([], 0, 10, 'float32', seed + 2),
  });
}

/** Bitwise equality, so that -0 and 0 differ and rounding differences show. */
function expectSameBits(actual: StateDict, expected: StateDict): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [key, t] of actual) {
    expect(t.shape).toEqual(expected.get(key)!.shape);
    const a = new Uint32Array((t.dataSync() as Float32Array).slice().buffer);
    const b = new Uint32Array((expected.get(key)!.dataSync() as Float32Array).slice().buffer);
    expect(Array.from(a), key).toEqual(Array.from(b));
  }
}

let live: number;
beforeEach(() => {
  live = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors, 'tensors leaked').toBe(live);
});

describe('arithmetic', () => {
  it('computes hand-checked values', () => {
    const a = dict({
      w: tf.tensor([
        [1, 2],
        [3, 4],
      ]),
      b: tf.tensor([0.5]),
    });
    const b = dict({
      w: tf.tensor([
        [10, 20],
        [30, 40],
      ]),
      b: tf.tensor([-1.5]),
    });
    const c = dict({
      w: tf.tensor([
        [0, 0],
        [0, 1],
      ]),
      b: tf.tensor([3]),
    });
    const outputs = {
      sub: sub(a, b),
      add: add(a, b),
      scale: scale(a, -2),
      sum: sum([a, b, c]),
      mean: mean([a, b, c]),
      weighted: weightedSum([a, b, c], [1, 0.5, -1]),
    };
    expect(values(outputs.sub)).toEqual({ w: [-9, -18, -27, -36], b: [2] });
    expect(values(outputs.add)).toEqual({ w: [11, 22, 33, 44], b: [-1] });
    expect(values(outputs.scale)).toEqual({ w: [-2, -4, -6, -8], b: [-1] });
    expect(values(outputs.sum)).toEqual({ w: [11, 22, 33, 45], b: [2] });
    expect(values(outputs.mean).w).toEqual([11 / 3, 22 / 3, 11, 15].map(Math.fround));
    expect(values(outputs.mean).b).toEqual([Math.fround(2 / 3)]);
    expect(values(outputs.weighted)).toEqual({ w: [6, 12, 18, 23], b: [-3.25] });
    expect(outputs.sub.get('w')!.shape).toEqual([2, 2]);
    for (const sd of [a, b, c, ...Object.values(outputs)]) disposeStateDict(sd);
  });

  it('matches chains of tf ops bit for bit', () => {
    // Five models: the summing loops take four inputs per pass plus a remainder.
    const dicts = [1, 2, 3, 4, 5].map(randomDict);
    const [a, b] = dicts;
    const weights = [0.7, -1.3, 0.01, 3, -0.2];
    const viaTf = (fn: (xs: tf.Tensor[]) => tf.Tensor): StateDict =>
      new Map([...a.keys()].map((key) => [key, tf.tidy(() => fn(dicts.map((sd) => sd.get(key)!)))]));
    const chain = (xs: tf.Tensor[]) => xs.reduce((acc, x) => tf.add(acc, x), tf.zerosLike(xs[0]));
    const pairs: [StateDict, StateDict][] = [
      [sub(a, b), viaTf(([x, y]) => tf.sub(x, y))],
      [add(a, b), viaTf(([x, y]) => tf.add(x, y))],
      [scale(a, 0.3), viaTf(([x]) => tf.mul(x, tf.scalar(0.3)))],
      [sum(dicts), viaTf(chain)],
      [sum(dicts.slice(0, 4)), viaTf((xs) => chain(xs.slice(0, 4)))],
      [mean(dicts), viaTf((xs) => tf.div(chain(xs), 5))],
      [weightedSum(dicts, weights), viaTf((xs) => chain(xs.map((x, i) => tf.mul(x, weights[i]))))],
    ];
    for (const [ours, reference] of pairs) {
      expectSameBits(ours, reference);
      disposeStateDict(ours);
      disposeStateDict(reference);
    }
    for (const sd of dicts) disposeStateDict(sd);
  });

  it('converts int32 tensors to float32', () => {
    const a = dict({ ids: tf.tensor([1, 2, 3], [3], 'int32') });
    const out = scale(a, 0.5);
    expect(out.get('ids')!.dtype).toBe('float32');
    expect(values(out)).toEqual({ ids: [0.5, 1, 1.5] });
    disposeStateDict(out);
    disposeStateDict(a);
  });

  it('rejects mismatched weights and non-finite factors', () => {
    const a = randomDict(4);
    expect(() => weightedSum([a, a], [1])).toThrow(
      new MergebenchError('1 weights given for 2 models: one weight per model is needed'),
    );
    expect(() => scale(a, Number.NaN)).toThrow(
      new MergebenchError('scale factor must be a finite number, got NaN'),
    );
    expect(() => weightedSum([a], [Infinity])).toThrow('weight #1 must be a finite number');
    disposeStateDict(a);
  });

  it('leaves no intermediate tensors behind', () => {
    const [a, b] = [randomDict(5), randomDict(6)];
    const out = weightedSum([a, b, a], [1, 2, 3]);
    expect(tf.memory().numTensors).toBe(live + 3 * 3);
    for (const sd of [a, b, out]) disposeStateDict(sd);
  });
});

describe('assertCompatible', () => {
  const make = (keys: string[], shape = [2]) => new Map(keys.map((key) => [key, tf.zeros(shape)]));

  it('accepts dicts with the same keys in any order', () => {
    const a = make(['x', 'y']);
    const b = make(['y', 'x']);
    expect(() => assertCompatible([a, b])).not.toThrow();
    disposeStateDict(a);
    disposeStateDict(b);
  });

  it('names the model and the missing and unexpected keys', () => {
    const a = make(['x', 'y', 'z']);
    const b = make(['x', 'extra']);
    expect(() => assertCompatible([a, b], ['base', 'finetuned'])).toThrow(
      new MergebenchError(
        "model 'finetuned' does not have the keys of 'base': missing keys y, z; unexpected keys extra",
      ),
    );
    expect(() => assertCompatible([a, a, b])).toThrow(
      "model 'model #3' does not have the keys of 'model #1'",
    );
    disposeStateDict(a);
    disposeStateDict(b);
  });

  it('lists only the first few keys', () => {
    const a = make(Array.from({ length: 9 }, (_, i) => `k${i}`));
    const b = make([]);
    expect(() => assertCompatible([a, b])).toThrow('missing keys k0, k1, k2, k3, k4, … (4 more)');
    disposeStateDict(a);
  });

  it('names the key whose shape differs, with both shapes', () => {
    const a = make(['x', 'w'], [3, 4]);
    const b = dict({ x: tf.zeros([3, 4]), w: tf.zeros([4, 3]) });
    expect(() => sub(a, b, ['a', 'b'])).toThrow(
      new MergebenchError("model 'b': key 'w' has shape [4, 3], expected [3, 4] as in 'a'"),
    );
    disposeStateDict(a);
    disposeStateDict(b);
  });

  it('needs at least one dict', () => {
    expect(() => sum([])).toThrow(MergebenchError);
  });
});

describe('mapStateDicts', () => {
  it('clones an input returned as the output', () => {
    const a = randomDict(7);
    const out = mapStateDicts([a], (_, [t]) => t);
    const expected = Array.from(a.get('fc.bias')!.dataSync());
    disposeStateDict(a);
    expect(Array.from(out.get('fc.bias')!.dataSync())).toEqual(expected);
    disposeStateDict(out);
  });

  it('passes keys and tensors in order', () => {
    const a = randomDict(8);
    const b = randomDict(9);
    const seen: string[] = [];
    const out = mapStateDicts([a, b], (key, [x, y]) => {
      seen.push(key);
      expect(x).toBe(a.get(key));
      expect(y).toBe(b.get(key));
      return tf.add(tf.mul(x, 2), y);
    });
    expect(seen).toEqual(['fc.weight', 'fc.bias', 'scale']);
    for (const sd of [a, b, out]) disposeStateDict(sd);
  });

  it('disposes everything when the function throws', () => {
    const a = randomDict(10);
    expect(() =>
      mapStateDicts([a], (key, [t]) => {
        if (key === 'scale') throw new Error('boom');
        return tf.mul(t, 2);
      }),
    ).toThrow('boom');
    disposeStateDict(a);
  });
});

describe('state dict helpers', () => {
  it('clones independently, counts elements and disposes', () => {
    const a = randomDict(11);
    const copy = cloneStateDict(a);
    expect(countElements(a)).toBe(17 * 9 + 9 + 1);
    const expected = Array.from(a.get('fc.weight')!.dataSync());
    disposeStateDict(a);
    expect(a.size).toBe(0);
    expect(Array.from(copy.get('fc.weight')!.dataSync())).toEqual(expected);
    disposeStateDict(copy);
  });
});
