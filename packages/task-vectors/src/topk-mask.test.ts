import { readdirSync, readFileSync } from 'node:fs';
import type { StateDict } from '@mergebench/core';
import { disposeStateDict, MergebenchError } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  maskAtThreshold,
  topkKeepCount,
  topkMask,
  topkThreshold,
  topkThresholds,
  trimAtThreshold,
  trimTopk,
} from './topk-mask.js';

/** Written by tools/reference/topk_fixtures.py with PyTorch. */
interface Trim {
  keep: number;
  threshold: number | null;
  mask: number[];
  trimmed: number[];
}
interface Case {
  name: string;
  tensors: { shape: number[]; bits: number[] }[];
  results: { k: number; model: Trim; tensor: Trim[] }[];
}

const fixtureDir = new URL('../fixtures/topk/', import.meta.url);
const cases: Case[] = readdirSync(fixtureDir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(new URL(file, fixtureDir), 'utf8')));

const fromBits = (bits: readonly number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const toBits = (values: Float32Array) =>
  Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
const thresholdBits = (t: number) => toBits(Float32Array.of(t))[0];
/** The fixtures record "keep everything" as null; it is threshold 0 here. */
const expectedBits = (t: number | null) => t ?? 0;

function offsets(arrays: readonly Float32Array[]): number[] {
  const starts = [0];
  for (const a of arrays) starts.push(starts.at(-1)! + a.length);
  return starts;
}

describe('top-k% trimming matches the PyTorch reference bit for bit', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const c of cases) {
    it(c.name, () => {
      const arrays = c.tensors.map((t) => fromBits(t.bits));
      const starts = offsets(arrays);
      const d = starts.at(-1)!;
      for (const { k, model, tensor } of c.results) {
        const where = `${c.name}, k=${k}`;
        expect(topkKeepCount(d, k), where).toBe(model.keep);
        const threshold = topkThreshold(arrays, k);
        expect(thresholdBits(threshold), where).toBe(expectedBits(model.threshold));
        arrays.forEach((values, i) => {
          const slice = [starts[i], starts[i + 1]] as const;
          expect(Array.from(maskAtThreshold(values, threshold)), where).toEqual(model.mask.slice(...slice));
          expect(toBits(trimAtThreshold(values, threshold)), where).toEqual(model.trimmed.slice(...slice));

          const own = tensor[i];
          expect(topkKeepCount(values.length, k), where).toBe(own.keep);
          const ownThreshold = topkThreshold([values], k);
          expect(thresholdBits(ownThreshold), `${where}, tensor ${i}`).toBe(expectedBits(own.threshold));
          expect(Array.from(maskAtThreshold(values, ownThreshold))).toEqual(own.mask);
          expect(toBits(trimAtThreshold(values, ownThreshold))).toEqual(own.trimmed);
        });
      }
    });
  }
});

describe('state-dict trimming', () => {
  const modelCase = cases.find((c) => c.name === 'model')!;
  const load = (): StateDict =>
    new Map(modelCase.tensors.map((t, i) => [`layer${i}`, tf.tensor(fromBits(t.bits), t.shape)]));

  it('masks and trims whole models and single tensors like the reference', () => {
    const sd = load();
    const before = tf.memory().numTensors;
    for (const { k, model, tensor } of modelCase.results) {
      const wholeMask = topkMask(sd, k, 'model');
      const wholeTrim = trimTopk(sd, k, 'model');
      const ownMask = topkMask(sd, k, 'tensor');
      const ownTrim = trimTopk(sd, k, 'tensor');
      let offset = 0;
      [...sd.keys()].forEach((key, i) => {
        const size = sd.get(key)!.size;
        expect(wholeMask.get(key)!.dtype).toBe('bool');
        expect(wholeMask.get(key)!.shape).toEqual(sd.get(key)!.shape);
        expect(Array.from(wholeMask.get(key)!.dataSync())).toEqual(model.mask.slice(offset, offset + size));
        expect(toBits(wholeTrim.get(key)!.dataSync() as Float32Array)).toEqual(
          model.trimmed.slice(offset, offset + size),
        );
        expect(Array.from(ownMask.get(key)!.dataSync())).toEqual(tensor[i].mask);
        expect(toBits(ownTrim.get(key)!.dataSync() as Float32Array)).toEqual(tensor[i].trimmed);
        offset += size;
      });
      for (const out of [wholeMask, wholeTrim, ownMask, ownTrim]) disposeStateDict(out);
    }
    expect(tf.memory().numTensors).toBe(before);
    disposeStateDict(sd);
  });

  it('gives one threshold per key, shared with scope model', () => {
    const sd = load();
    const whole = topkThresholds(sd, 20, 'model');
    expect(new Set(whole.values()).size).toBe(1);
    expect([...whole.keys()]).toEqual([...sd.keys()]);
    const own = topkThresholds(sd, 20, 'tensor');
    expect(own.get('layer0')).toBe(topkThreshold([sd.get('layer0')!.dataSync() as Float32Array], 20));
    disposeStateDict(sd);
  });

  it('names the key holding a NaN', () => {
    const sd: StateDict = new Map([
      ['a', tf.tensor([1, 2])],
      ['b.weight', tf.tensor([1, Number.NaN])],
    ]);
    expect(() => topkThresholds(sd, 50, 'model')).toThrow("key 'b.weight' contains NaN at element 1");
    disposeStateDict(sd);
  });
});

describe('topkKeepCount', () => {
  it('floors d · (k / 100) in float64 like the reference', () => {
    expect(topkKeepCount(100, 29)).toBe(28);
    expect(topkKeepCount(100, 57)).toBe(56);
    expect(topkKeepCount(100, 58)).toBe(57);
    expect(topkKeepCount(88_000_000, 20)).toBe(17_600_000);
    expect(topkKeepCount(7, 100)).toBe(7);
  });

  it('rejects k outside (0, 100]', () => {
    for (const k of [0, -5, 100.5, Number.NaN]) {
      expect(() => topkKeepCount(10, k)).toThrow(
        new MergebenchError(`k must be a percentage in (0, 100], got ${k}`),
      );
    }
  });

  it('keeps everything at k = 100 without reading the data', () => {
    expect(topkThreshold([Float32Array.of(Number.NaN, 1)], 100)).toBe(0);
  });
});
