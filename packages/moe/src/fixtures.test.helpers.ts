// The PyTorch fixtures of tools/reference/wemoe_fixtures.py (the `.test.` in the name keeps this
// out of the published files).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { LinearValues } from './linear-task-vectors.js';

/** A tensor as the fixture script writes it. */
export interface JsonTensor {
  readonly shape: number[];
  readonly values: number[];
}

export type MlpTensors = Readonly<Record<'fc1.weight' | 'fc1.bias' | 'fc2.weight' | 'fc2.bias', JsonTensor>>;

export interface WemoeCase {
  readonly router: Record<string, JsonTensor>;
  readonly routing: JsonTensor;
  readonly out: JsonTensor;
  readonly grad_x: JsonTensor;
  readonly grads: Record<string, JsonTensor>;
}

export interface WemoeFixture {
  readonly config: { D: number; hidden: number; T: number; B: number; N: number };
  readonly x: JsonTensor;
  readonly R: JsonTensor;
  readonly pretrained: MlpTensors;
  readonly task_vectors: MlpTensors[];
  readonly cases: Record<'depth-0' | 'depth-1' | 'depth-2' | 'depth-2-batch-reduce', WemoeCase>;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export function tensorOf(t: JsonTensor): tf.Tensor {
  return tf.tensor(t.values, t.shape, 'float32');
}

/** One Linear (fc1 or fc2) of fixture MLP tensors. */
export function linearValues(mlp: MlpTensors, fc: 'fc1' | 'fc2'): LinearValues {
  return {
    weight: Float32Array.from(mlp[`${fc}.weight`].values),
    bias: Float32Array.from(mlp[`${fc}.bias`].values),
  };
}

/** max |a − b| over all entries. */
export function maxDifference(actual: tf.Tensor | ArrayLike<number>, expected: JsonTensor): number {
  const values = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  if (values.length !== expected.values.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected.values[i]));
  return worst;
}
