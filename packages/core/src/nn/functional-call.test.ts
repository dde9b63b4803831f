import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ToyEncoder } from '../toy/toy-model.js';
import { functionalCall } from './functional-call.js';
import { Linear } from './linear.js';

describe('functionalCall', () => {
  it('runs the forward with substituted weights and restores the stored ones', () => {
    const lin = new Linear(3, 2, { seed: 1 });
    const x = tf.ones([1, 3]);
    const w = tf.fill([2, 3], 2);
    const b = tf.fill([2], 0.5);
    const y = functionalCall(
      lin,
      new Map([
        ['weight', w],
        ['bias', b],
      ]),
      () => lin.forward(x),
    );
    expect(Array.from(y.dataSync())).toEqual([6.5, 6.5]);
    const plain = lin.forward(x);
    const expected = tf.add(tf.matMul(x, lin.weight, false, true), lin.bias!);
    expect(Array.from(plain.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, w, b, y, plain, expected]);
    lin.dispose();
  });

  it('lets gradients flow into coefficients that build the weights (θ0 + λτ)', () => {
    const model = new ToyEncoder();
    const x = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 3);
    const name = 'layers.0.mlp.fc1.weight';
    const theta0 = model.stateDict().get(name)!;
    const tau = tf.onesLike(theta0);
    const lambda = tf.variable(tf.scalar(0.3));
    const loss = (lam: tf.Tensor) =>
      tf.tidy(() => {
        const merged = new Map([[name, tf.add(theta0, tf.mul(lam, tau))]]);
        return tf.sum(functionalCall(model, merged, () => model.forward(x))) as tf.Scalar;
      });
    const { grads } = tf.variableGrads(() => loss(lambda), [lambda]);
    const eps = 1e-2;
    const numeric =
      (loss(tf.scalar(0.3 + eps)).dataSync()[0] - loss(tf.scalar(0.3 - eps)).dataSync()[0]) / (2 * eps);
    expect(grads[lambda.name].dataSync()[0]).toBeCloseTo(numeric, 2);
    expect(model.getSubmodule('layers.0.mlp.fc1').param('weight')).toBe(model.stateDict().get(name));
  });

  it('rejects an unknown name or a wrong shape', () => {
    const model = new ToyEncoder();
    expect(() => functionalCall(model, new Map([['nope.weight', tf.zeros([1])]]), () => 0)).toThrow(
      "functionalCall: no module owns 'nope.weight'",
    );
    expect(() => functionalCall(model, new Map([['embed.weight', tf.zeros([1])]]), () => 0)).toThrow(
      "functionalCall: 'embed.weight' expects shape [16,8], got [1]",
    );
  });
});
