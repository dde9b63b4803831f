import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy, entropyLoss } from './losses.js';

// Written by tools/reference/adam_fixtures.py with PyTorch.
interface EncodedTensor {
  shape: number[];
  data: number[];
}

interface LossCase {
  logits: EncodedTensor;
  labels?: number[];
  value: number;
  grad: EncodedTensor;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/train/losses.json', import.meta.url), 'utf8'),
) as {
  entropy: LossCase;
  cross_entropy: LossCase;
};

const TOLERANCE = 1e-6;

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

/** The loss value and its gradient w.r.t. the logits. */
function valueAndGrad(
  loss: (logits: tf.Tensor) => tf.Scalar,
  c: LossCase,
): { value: number; grad: Float32Array } {
  const logits = tf.tensor(c.logits.data, c.logits.shape);
  const { value, grad } = tf.valueAndGrad(loss)(logits);
  const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  tf.dispose([logits, value, grad]);
  return out;
}

function expectMatches(actual: { value: number; grad: Float32Array }, c: LossCase): void {
  expect(relativeError(actual.value, c.value)).toBeLessThanOrEqual(TOLERANCE);
  const worst = Math.max(...c.grad.data.map((g, i) => relativeError(actual.grad[i], g)));
  expect(worst).toBeLessThanOrEqual(TOLERANCE);
}

describe('entropyLoss', () => {
  it('matches the reference value and gradient, including a row of large logits', () => {
    expectMatches(valueAndGrad(entropyLoss, fixture.entropy), fixture.entropy);
  });

  it('is finite for extreme logits and 0 for a one-hot prediction', () => {
    const logits = tf.tensor2d([
      [1e4, -1e4, 0],
      [-3e38, 3e38, 0],
    ]);
    const loss = entropyLoss(logits);
    const value = loss.dataSync()[0];
    expect(Number.isFinite(value)).toBe(true);
    expect(Math.abs(value)).toBeLessThan(1e-6);
    const uniform = entropyLoss(tf.zeros([3, 4]));
    expect(uniform.dataSync()[0]).toBeCloseTo(Math.log(4), 5);
    tf.dispose([logits, loss, uniform]);
  });
});

describe('crossEntropy', () => {
  it('matches torch F.cross_entropy and its gradient', () => {
    const c = fixture.cross_entropy;
    const labels = tf.tensor1d(c.labels!, 'int32');
    expectMatches(
      valueAndGrad((logits) => crossEntropy(logits, labels), c),
      c,
    );
    labels.dispose();
  });

  it('rejects labels outside the classes and mismatched shapes', () => {
    const logits = tf.zeros([2, 3]);
    const bad = tf.tensor1d([0, 3], 'int32');
    const short = tf.tensor1d([0], 'int32');
    expect(() => crossEntropy(logits, bad)).toThrow(
      /^crossEntropy: label 3 at position 1 is outside \[0, 3\)$/,
    );
    expect(() => crossEntropy(logits, short)).toThrow(/expects logits \[B, C\] and labels \[B\]/);
    tf.dispose([logits, bad, short]);
  });
});
