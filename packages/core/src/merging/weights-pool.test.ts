import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PRETRAINED } from '../contracts/model-pool.js';
import { writeCheckpoint } from '../io/checkpoint.js';
import { modelWriter } from './model-writer.js';
import { ParameterTree } from './parameter-tree.js';
import { averagePool } from './pool-merge.js';
import { stateDictDifference } from './state-dict-difference.js';
import { WeightsPool } from './weights-pool.js';

const weights = (w: number[], bias: number) =>
  new Map<string, tf.Tensor>([
    ['encoder.layer.weight', tf.tensor2d(w, [2, 2])],
    ['encoder.layer.bias', tf.tensor1d([bias, bias])],
    ['scale', tf.scalar(1)],
  ]);

describe('ParameterTree', () => {
  it('nests parameters by dotted name and has no forward pass', () => {
    const tree = ParameterTree.fromStateDict(weights([1, 2, 3, 4], 0));
    expect([...tree.stateDict().keys()]).toEqual(['scale', 'encoder.layer.weight', 'encoder.layer.bias']);
    expect(tree.getSubmodule('encoder.layer')).toBeInstanceOf(ParameterTree);
    expect(() => tree.forward()).toThrow('a ParameterTree holds weights only and has no forward pass');
    tree.dispose();
  });
});

describe('WeightsPool', () => {
  it('opens a folder of checkpoints in name order, the pretrained model apart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mb-weights-'));
    for (const [name, w] of [
      ['b', 2],
      ['a', 1],
      [PRETRAINED, 0],
    ] as const) {
      await writeCheckpoint(path.join(dir, name), weights([w, w, w, w], w));
    }
    await writeFile(path.join(dir, 'notes.txt'), 'not a model');
    const pool = await WeightsPool.fromFolder(dir);
    expect(pool.modelNames).toEqual(['a', 'b']);
    expect(pool.hasPretrained).toBe(true);
    const model = await pool.loadModel('b');
    expect(model.stateDict().get('encoder.layer.bias')!.arraySync()).toEqual([2, 2]);
    model.dispose();
    await expect(pool.openWeights('c')).rejects.toThrow(
      "weights pool: unknown model 'c'; available: _pretrained_, a, b",
    );
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    await expect(WeightsPool.fromFolder(empty)).rejects.toThrow(
      `${empty}: no .safetensors files or checkpoint folders in it`,
    );
  });
});

describe('merging into a pool model', () => {
  const pool = () =>
    WeightsPool.fromStateDicts(
      new Map([
        [PRETRAINED, weights([1, 1, 1, 1], 0)],
        ['a', weights([2, 1, 1, 1], 1)],
        ['b', weights([1, 3, 1, 1], -1)],
      ]),
    );

  it('averages into the first model', async () => {
    const model = await averagePool(pool(), [0.25, 0.75], { what: 'method test' });
    const expected = weights([1.25, 2.5, 1, 1], -0.5);
    expect(stateDictDifference(model.stateDict(), expected).maxRelative).toBe(0);
    model.dispose();
  });

  it('checks every key it writes, and that none is left out', () => {
    const model = ParameterTree.fromStateDict(weights([1, 1, 1, 1], 0));
    const writer = modelWriter(model, 'method test');
    expect(() => writer.write('head', tf.scalar(1))).toThrow(
      "method test: merged key 'head' is not a parameter or buffer of the model",
    );
    expect(() => writer.write('scale', tf.zeros([2]))).toThrow(
      'loadStateDict: shape mismatch for scale: expected [], got [2]',
    );
    writer.write('scale', tf.scalar(3));
    expect(() => writer.finish()).toThrow(
      'method test: the merge produced no value for encoder.layer.weight, encoder.layer.bias',
    );
    expect(model.stateDict().get('scale')!.arraySync()).toBe(3);
    model.dispose();
  });
});

describe('stateDictDifference', () => {
  it('gives the largest relative difference and where it is', () => {
    const a = new Map([
      ['x', tf.tensor1d([1, 2, 0])],
      ['y', tf.tensor1d([4])],
    ]);
    const b = new Map([
      ['x', tf.tensor1d([1, 2.002, 0])],
      ['y', tf.tensor1d([4.4])],
    ]);
    const diff = stateDictDifference(a, b);
    expect(diff.worstKey).toBe('y');
    expect(diff.maxRelative).toBeCloseTo(0.4 / 4.4, 6);
    expect(diff.maxAbsolute).toBeCloseTo(0.4, 6);
    expect(stateDictDifference(a, a)).toEqual({ maxRelative: 0, maxAbsolute: 0, worstKey: undefined });
    const zero = new Map([
      ['x', tf.tensor1d([1, 2, 1e-9])],
      ['y', tf.tensor1d([4])],
    ]);
    expect(stateDictDifference(zero, a).maxRelative).toBe(Number.POSITIVE_INFINITY);
  });
});
