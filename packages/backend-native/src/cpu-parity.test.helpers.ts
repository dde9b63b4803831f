// Runs the same computation on the cpu backend and on the native one, from the same input values,
// and compares every output within float32 tolerance (NaN where NaN, ±Inf where ±Inf).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import './index.js';

// Quiets tfjs's console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

export interface InputSpec {
  readonly shape: number[];
  readonly values?: number[];
  readonly dtype?: 'float32' | 'int32' | 'bool';
}

/** Deterministic values in [-2, 2) with a sprinkle of exact zeros. */
export function valuesFor(shape: readonly number[], seed = 1): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  let state = seed * 2654435761;
  return Array.from({ length: size }, (_, i) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return i % 11 === 5 ? 0 : (state / 2147483648) * 4 - 2;
  });
}

function toTensors(inputs: readonly InputSpec[]): tf.Tensor[] {
  return inputs.map((spec, i) =>
    tf.tensor(spec.values ?? valuesFor(spec.shape, i + 1), spec.shape, spec.dtype ?? 'float32'),
  );
}

export interface Outcome {
  readonly results?: { shape: number[]; dtype: string; values: number[] }[];
  readonly error?: string;
}

/** Runs fn on `backend` over fresh tensors of the inputs; its outputs or the message it threw. */
export function runOn(
  backend: string,
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  inputs: readonly InputSpec[],
): Outcome {
  tf.setBackend(backend);
  const tensors = toTensors(inputs);
  try {
    const out = tf.tidy(() => fn(...tensors));
    const list = Array.isArray(out) ? out : [out];
    const results = list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
    tf.dispose(list);
    return { results };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    tf.dispose(tensors);
  }
}

function close(actual: number, expected: number, tolerance: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tolerance * (1 + Math.abs(expected));
}

/** Asserts that fn gives on `native` what it gives on `cpu`: same shapes, dtypes, values or error. */
export function expectSameAsCpu(
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  inputs: readonly InputSpec[],
  tolerance = 1e-4,
): Outcome {
  const cpu = runOn('cpu', fn, inputs);
  const native = runOn('native', fn, inputs);
  expect(native.error).toBe(cpu.error);
  if (cpu.results === undefined) return cpu;
  expect(native.results?.length).toBe(cpu.results.length);
  cpu.results.forEach((expected, i) => {
    const actual = native.results![i];
    expect(actual.shape).toEqual(expected.shape);
    expect(actual.dtype).toBe(expected.dtype);
    const bad = expected.values.findIndex((e, j) => !close(actual.values[j], e, tolerance));
    if (bad >= 0) {
      expect.fail(
        `output ${i} [${expected.shape}] differs at ${bad}: native ${actual.values[bad]}, cpu ${expected.values[bad]}`,
      );
    }
  });
  return cpu;
}

/** fn and the gradients of sum(fn(...) · fixed weights) with respect to every input. */
export function withGradients(fn: (...xs: tf.Tensor[]) => tf.Tensor): (...xs: tf.Tensor[]) => tf.Tensor[] {
  return (...xs) => {
    const y = fn(...xs);
    const weights = tf.tensor(valuesFor(y.shape, 99), y.shape);
    const grads = tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.mul(fn(...ys), weights)))(xs);
    return [y, ...grads];
  };
}
