import { topkMask } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LinearTaskVectors } from './linear-task-vectors.js';
import { SparseEnsembledLinear } from './sparse-ensembled-linear.js';

function randomTaskVectors(seed: number): LinearTaskVectors {
  const [out, inF] = [12, 20];
  const draw = (n: number, s: number) =>
    tf.tidy(() => tf.randomNormal([n], 0, 1, 'float32', s).dataSync() as Float32Array);
  const values = (s: number) => ({ weight: draw(out * inF, s), bias: draw(out, s + 100) });
  return new LinearTaskVectors(inF, out, values(seed), [
    values(seed + 1),
    values(seed + 2),
    values(seed + 3),
  ]);
}

/** Values with -0 read as 0 (a masked negative entry is -0). */
const plain = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => v + 0);

describe('SparseEnsembledLinear', () => {
  it('keeps exactly the entries of the per-tensor top-k mask, and the dense stack is θ₀ and the pruned task vectors', () => {
    const weights = randomTaskVectors(7);
    // E-WEMoE's prune ratio 0.9 (keepPercent in method-e-wemoe).
    const percent = 10;
    const linear = new SparseEnsembledLinear(weights, percent);
    const blocks = linear.weightBlocks();
    expect(Array.from(blocks[0].dataSync())).toEqual(Array.from(weights.pretrained.weight));
    let kept = 0;
    weights.taskVectors.forEach((tau, t) => {
      const weight = tf.tensor2d(tau.weight, [12, 20]);
      const bias = tf.tensor1d(tau.bias);
      const masks = topkMask(
        new Map<string, tf.Tensor>([
          ['w', weight],
          ['b', bias],
        ]),
        percent,
        'tensor',
      );
      const expected = tf.tidy(() => tf.mul(weight, tf.cast(masks.get('w')!, 'float32')));
      expect(plain(blocks[t + 1]), `task ${t}`).toEqual(plain(expected));
      const expectedBias = tf.tidy(() => tf.mul(bias, tf.cast(masks.get('b')!, 'float32')));
      const biasRow = tf.tidy(() => tf.slice(linear.bias, [t + 1, 0], [1, -1]));
      expect(plain(biasRow)).toEqual(plain(expectedBias));
      kept += tf.tidy(() => tf.sum(tf.cast(masks.get('w')!, 'int32')).dataSync()[0]);
      tf.dispose([weight, bias, expected, expectedBias, biasRow, ...masks.values()]);
    });
    // keep = ⌊240 · 10%⌋ = 24; the threshold is the 25th largest |τ|, which survives too.
    expect(kept).toBe(3 * 25);
    expect(linear.keptEntries).toBe(kept);
    expect(linear.taskWeightEntries).toBe(3 * 240);
    // Only the kept entries count as parameters; the positions are a buffer.
    expect(linear.countParameters()).toBe(240 + kept + 4 * 12);
    expect(linear.storedBytes()).toBe(4 * (240 + 2 * kept + 4 * 12));
    tf.dispose(blocks);
    linear.dispose();
  });

  it('keeps everything at 100 percent', () => {
    const weights = randomTaskVectors(3);
    const linear = new SparseEnsembledLinear(weights, 100);
    expect(linear.keptEntries).toBe(3 * 240);
    linear.dispose();
  });
});
