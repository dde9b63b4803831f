// Running the WEMoE component on the toy pools in tests (the `.test.` in the name keeps it out
// of the published files).
import {
  type Component,
  entropyLoss,
  type Logger,
  type Method,
  type MethodContext,
  type ModelPool,
  type Module,
} from '@mergebench/core';
import { type MethodOutcome, runMethodComponent, toyMethodContext, toyWorld } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';

export const world = toyWorld();

export interface ContextOptions {
  readonly runDir?: string;
  /** Provide the toy world's data and heads (default true). */
  readonly services?: boolean;
  readonly logger?: Logger;
}

export function context({ services = true, ...options }: ContextOptions = {}): MethodContext {
  const provided = services ? world : null;
  return toyMethodContext({ data: provided, heads: provided, ...options });
}

/** Runs a component on the toy model pool (or `pool`) and returns the upscaled model. */
export function runMethod(
  component: Component<Method>,
  values: Record<string, unknown>,
  ctx: MethodContext = context(),
  pool?: ModelPool,
): Promise<MethodOutcome> {
  return runMethodComponent(component, values, 'upscaled', ctx, pool);
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
