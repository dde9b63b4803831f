import { gelu, geluTanh, quickGelu, relu } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_DERIVATIVES } from './ops/activation-derivatives.js';
import { recomputedActivation } from './ops/recomputed-activation.js';

describe('recomputedActivation', () => {
  it.each([
    ['gelu', gelu],
    ['quick_gelu', quickGelu],
    ['gelu_tanh', geluTanh],
    ['relu', relu],
  ] as const)('%s: same values, and gradients equal to autodiff of the plain activation', (_, activation) => {
    expect(ACTIVATION_DERIVATIVES.has(activation)).toBe(true);
    const x = tf.tensor1d([-6, -2.5, -1, -0.3, -1e-3, 0.2, 0.7, 1.5, 3, 7]);
    const dy = tf.linspace(0.5, 2, 10);
    const recomputed = recomputedActivation(activation);
    const [values, expectedValues] = [recomputed(x), activation(x)];
    const grad = tf.grad(recomputed)(x, dy);
    const expected = tf.grad(activation)(x, dy);
    const worst = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    expect(worst(values, expectedValues)).toBe(0);
    expect(worst(grad, expected)).toBeLessThan(1e-6);
    tf.dispose([x, dy, values, expectedValues, grad, expected]);
  });

  it('leaves an activation without a known derivative as it is', () => {
    const softplus = (x: tf.Tensor) => tf.softplus(x);
    expect(recomputedActivation(softplus)).toBe(softplus);
  });
});
