/**
 * Task vectors τᵢ = θᵢ − θ₀ and their application θ₀ + λ·Στᵢ (task arithmetic).
 *
 * Order of operations follows the reference implementation, each step rounded to float32:
 * with one λ, θ₀ + λ·(τ₁ + … + τₙ); with one λ per model, θ₀ + (λ₁τ₁ + … + λₙτₙ).
 * Keys whose pretrained tensor is not float32 (integer buffers such as position ids) are copied
 * from the pretrained model: they are not learned, and arithmetic would turn them into floats.
 */

import type { StateDict } from '@mergebench/core';
import {
  addAllInto,
  addScaledInto,
  assertFiniteNumber,
  assertSameShapes,
  check,
  float32Values,
  mapStateDicts,
  sub,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/** One λ for all task vectors, or one per task vector. */
export type Scaling = number | readonly number[];

function assertScaling(scaling: Scaling, models: number): void {
  check(models > 0, 'no task vectors given: at least one is needed');
  if (typeof scaling === 'number') {
    assertFiniteNumber(scaling, 'scaling factor');
    return;
  }
  check(
    scaling.length === models,
    () => `${scaling.length} scaling factors given for ${models} models: one per model is needed`,
  );
  scaling.forEach((s, i) => {
    assertFiniteNumber(s, `scaling factor #${i + 1}`);
  });
}

/** acc += float32(x − p) */
function addDeltaInto(acc: Float32Array, x: Float32Array, p: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += Math.fround(x[i] - p[i]);
}

/** addDeltaInto for four inputs in order, in one pass over `acc` (see addAllInto). */
function addDelta4Into(
  acc: Float32Array,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  d: Float32Array,
  p: Float32Array,
): void {
  const f = Math.fround;
  for (let i = 0; i < acc.length; i++) {
    const pi = p[i];
    acc[i] = f(f(f(acc[i] + f(a[i] - pi)) + f(b[i] - pi)) + f(c[i] - pi)) + f(d[i] - pi);
  }
}

/** acc += float32(xⱼ − p) for each j in order. */
function addDeltasInto(acc: Float32Array, xs: readonly Float32Array[], p: Float32Array): void {
  let j = 0;
  for (; j + 4 <= xs.length; j += 4) addDelta4Into(acc, xs[j], xs[j + 1], xs[j + 2], xs[j + 3], p);
  for (; j < xs.length; j++) addDeltaInto(acc, xs[j], p);
}

/** acc += float32(w · float32(x − p)) */
function addScaledDeltaInto(acc: Float32Array, x: Float32Array, p: Float32Array, w: number): void {
  const wf = Math.fround(w);
  for (let i = 0; i < acc.length; i++) acc[i] += Math.fround(wf * Math.fround(x[i] - p[i]));
}

function addToPretrained(
  pretrained: tf.Tensor,
  others: readonly tf.Tensor[],
  scaling: Scaling,
  subtractPretrained: boolean,
): tf.Tensor {
  assertScaling(scaling, others.length);
  assertSameShapes([pretrained, ...others]);
  if (pretrained.dtype !== 'float32') return pretrained.clone();
  const p = float32Values(pretrained);
  const acc = new Float32Array(p.length);
  const xs = others.map(float32Values);
  // The sum is built in `acc`, which then becomes the output in place.
  if (typeof scaling === 'number') {
    if (subtractPretrained) addDeltasInto(acc, xs, p);
    else addAllInto(acc, xs);
    const lf = Math.fround(scaling);
    for (let i = 0; i < acc.length; i++) acc[i] = p[i] + Math.fround(acc[i] * lf);
  } else {
    xs.forEach((x, j) => {
      if (subtractPretrained) addScaledDeltaInto(acc, x, p, scaling[j]);
      else addScaledInto(acc, x, scaling[j]);
    });
    for (let i = 0; i < acc.length; i++) acc[i] = p[i] + acc[i];
  }
  return tf.tensor(acc, pretrained.shape, 'float32');
}

/** θ₀ + λ·Στᵢ for one key, from task vectors. */
export function applyTaskVectorsTensor(
  pretrained: tf.Tensor,
  taskVectors: readonly tf.Tensor[],
  scaling: Scaling,
): tf.Tensor {
  return addToPretrained(pretrained, taskVectors, scaling, false);
}

/** θ₀ + λ·Σ(θᵢ − θ₀) for one key, from fine-tuned weights, without materializing the task vectors. */
export function taskArithmeticTensor(
  pretrained: tf.Tensor,
  finetuned: readonly tf.Tensor[],
  scaling: Scaling,
): tf.Tensor {
  return addToPretrained(pretrained, finetuned, scaling, true);
}

/** τ = θᵢ − θ₀ per key. `names`: [fine-tuned, pretrained] for error messages. */
export function taskVector(
  finetuned: StateDict,
  pretrained: StateDict,
  names?: readonly string[],
): StateDict {
  return sub(finetuned, pretrained, names);
}

/** θ₀ + λ·Στᵢ per key. `names`: pretrained first, then the task vectors, for error messages. */
export function applyTaskVectors(
  pretrained: StateDict,
  taskVectors: readonly StateDict[],
  scaling: Scaling,
  names?: readonly string[],
): StateDict {
  assertScaling(scaling, taskVectors.length);
  return mapStateDicts(
    [pretrained, ...taskVectors],
    (_, [p, ...taus]) => applyTaskVectorsTensor(p, taus, scaling),
    names,
  );
}

/**
 * θ₀ + λ·Σ(θᵢ − θ₀) per key, holding only one key's intermediate at a time (peak memory: the
 * inputs plus the output). `names`: pretrained first, then the fine-tuned models.
 */
export function taskArithmetic(
  pretrained: StateDict,
  finetuned: readonly StateDict[],
  scaling: Scaling,
  names?: readonly string[],
): StateDict {
  assertScaling(scaling, finetuned.length);
  return mapStateDicts(
    [pretrained, ...finetuned],
    (_, [p, ...thetas]) => taskArithmeticTensor(p, thetas, scaling),
    names,
  );
}
