// Running the WEMoE component on the toy pools in tests (the `.test.` in the name keeps it out
// of the published files).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Component,
  createRunContainer,
  entropyLoss,
  type Logger,
  type Method,
  type MethodContext,
  type ModelPool,
  type Module,
  memoryLogger,
  provide,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import { ToyModelPool, toyWorld } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';

export const world = toyWorld();

export interface ContextOptions {
  readonly runDir?: string;
  /** Provide the toy world's data and heads (default true). */
  readonly services?: boolean;
  readonly logger?: Logger;
}

export function context(options: ContextOptions = {}): MethodContext {
  const container = createRunContainer();
  if (options.services !== false) {
    provide(container, TOKENS.taskData, world);
    provide(container, TOKENS.taskHeads, world);
  }
  return {
    container,
    logger: options.logger ?? memoryLogger(),
    runDir: options.runDir ?? mkdtempSync(join(tmpdir(), 'wemoe-')),
    seed: 5,
  };
}

export interface Upscaled {
  readonly model: Module;
  readonly artifacts: Record<string, any>;
  readonly runDir: string;
}

/** Runs a component on the toy model pool (or `pool`) and returns the upscaled model. */
export async function runMethod(
  component: Component<Method>,
  values: Record<string, unknown>,
  ctx: MethodContext = context(),
  pool?: ModelPool,
): Promise<Upscaled> {
  const params = validateParams('method', { progress: false, ...values }, component.info.params);
  const method = await component.create({ params, container: createRunContainer(), baseDir: ctx.runDir });
  const result = await method.run(pool ?? (await ToyModelPool.create()), ctx);
  if (result.kind !== 'upscaled') throw new Error(`expected an upscaled model, got ${result.kind}`);
  return {
    model: result.model,
    artifacts: (result.artifacts ?? {}) as Record<string, any>,
    runDir: ctx.runDir,
  };
}

/** A fixed batch of toy inputs [8, tokens, inputDim]. */
export function toyInputs(): tf.Tensor {
  const { tokens, inputDim } = world.config.model;
  return tf.randomNormal([8, tokens, inputDim], 0, 1, 'float32', 3);
}

/** A model's features on `inputs` as a plain array. */
export function features(model: Module, inputs: tf.Tensor): number[] {
  return tf.tidy(() => Array.from((model.forward(inputs) as tf.Tensor).dataSync()));
}

/** The adaptation objective on fixed data: mean entropy of every task's head on its first 64 test inputs. */
export async function meanEntropy(model: Module): Promise<number> {
  let total = 0;
  for (const task of world.taskNames) {
    for await (const batch of world.batches(task, 'test', { batchSize: 64, limit: 64, unlabelled: true })) {
      total += tf.tidy(
        () => entropyLoss(world.head(task).forward(model.forward(batch.inputs))).dataSync()[0],
      );
      batch.inputs.dispose();
    }
  }
  return total / world.taskNames.length;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
