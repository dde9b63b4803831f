// The PyTorch fixture of tools/reference/wemoe_fixtures.py for the sparse block, and running
// E-WEMoE on the toy pools (the `.test.` in the name keeps this out of the published files).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRunContainer,
  type MethodContext,
  memoryLogger,
  provide,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import { ToyModelPool, toyWorld } from '@mergebench/core/testing';
import type { LinearValues } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import { eWemoe } from './components.js';

export interface JsonTensor {
  readonly shape: number[];
  readonly values: number[];
}

export type MlpTensors = Readonly<Record<'fc1.weight' | 'fc1.bias' | 'fc2.weight' | 'fc2.bias', JsonTensor>>;

export interface SparseFixture {
  readonly config: {
    D: number;
    hidden: number;
    T: number;
    B: number;
    N: number;
    prune_ratio: number;
    encoding_dim: number;
    /** The router's input, in order: FusionBench's [layer encoding, hidden states]. */
    router_input: string;
  };
  readonly x: JsonTensor;
  readonly R: JsonTensor;
  readonly layers: {
    readonly pretrained: MlpTensors;
    readonly task_vectors: MlpTensors[];
    readonly pruned_task_vectors: MlpTensors[];
    readonly encoding: JsonTensor;
  }[];
  readonly router: Record<string, JsonTensor>;
  readonly out: JsonTensor;
  readonly grad_x: JsonTensor;
  readonly grads: Record<string, JsonTensor>;
}

export const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/sparse-we-moe.json', import.meta.url), 'utf8'),
) as SparseFixture;

export const tensorOf = (t: JsonTensor) => tf.tensor(t.values, t.shape, 'float32');

export function linearValues(mlp: MlpTensors, fc: 'fc1' | 'fc2'): LinearValues {
  return {
    weight: Float32Array.from(mlp[`${fc}.weight`].values),
    bias: Float32Array.from(mlp[`${fc}.bias`].values),
  };
}

export function maxDifference(actual: tf.Tensor | ArrayLike<number>, expected: ArrayLike<number>): number {
  const values = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  if (values.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected[i]));
  return worst;
}

export const world = toyWorld();

export function context(runDir = mkdtempSync(join(tmpdir(), 'e-wemoe-'))): MethodContext {
  const container = createRunContainer();
  provide(container, TOKENS.taskData, world);
  provide(container, TOKENS.taskHeads, world);
  return { container, logger: memoryLogger(), runDir, seed: 5 };
}

/** Runs e-wemoe on the toy pools; returns the upscaled model and the artifacts. */
export async function runEWemoe(values: Record<string, unknown>) {
  const params = validateParams('method', { progress: false, ...values }, eWemoe.info.params);
  const method = await eWemoe.create({ params, container: createRunContainer(), baseDir: process.cwd() });
  const result = await method.run(await ToyModelPool.create(), context());
  if (result.kind !== 'upscaled') throw new Error(`expected an upscaled model, got ${result.kind}`);
  return { model: result.model, artifacts: (result.artifacts ?? {}) as Record<string, any> };
}
