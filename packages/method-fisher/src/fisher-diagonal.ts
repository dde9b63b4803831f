import { type Batch, check, type Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './stop-gradient.js';

/**
 * How the diagonal Fisher of the model's own predictive distribution p(c | x) is estimated:
 *
 * - `batched` (FusionBench and MergeLM, the published numbers): per batch, the squared gradient
 *   of Σ_b Σ_c √p_bc · log p_bc with √p held constant, summed over batches and divided by the
 *   number of examples. One backward pass per batch; the square is taken of a sum over the
 *   batch's examples and classes, so the result depends on the batch size.
 * - `exact` (the paper's definition): per example, Σ_c p_c (∂ log p_c / ∂θ)², averaged over the
 *   examples. One backward pass per example and class, N·C in all: affordable for few classes.
 */
export type FisherEstimate = 'batched' | 'exact';
export const FISHER_ESTIMATES: readonly FisherEstimate[] = ['batched', 'exact'];

export interface FisherDiagonal {
  /**
   * By parameter name (`namedParameters()`): the diagonal Fisher of every encoder parameter the
   * objective reaches. Parameters it does not reach have no entry. The caller disposes them.
   */
  readonly values: Map<string, tf.Tensor>;
  /** Examples the estimate averages over. */
  readonly examples: number;
}

type SquaredGradientSums = Map<string, tf.Tensor>;

/** sums[v] += scale · g², for every gradient of a tf.variableGrads result (disposed here). */
function addSquared(sums: SquaredGradientSums, grads: tf.NamedTensorMap, scale?: number): void {
  for (const [name, g] of Object.entries(grads)) {
    const previous = sums.get(name);
    const next = tf.tidy(() => {
      const squared = scale === undefined ? tf.square(g) : tf.mul(tf.square(g), scale);
      return previous ? tf.add(previous, squared) : squared;
    });
    previous?.dispose();
    sums.set(name, next);
  }
  tf.dispose(Object.values(grads));
}

function logits(encoder: Module, head: Module, inputs: tf.Tensor): tf.Tensor {
  return head.forward(encoder.forward(inputs)) as tf.Tensor;
}

function addBatchedEstimate(
  sums: SquaredGradientSums,
  encoder: Module,
  head: Module,
  inputs: tf.Tensor,
  variables: tf.Variable[],
): void {
  const { value, grads } = tf.variableGrads(() => {
    const z = logits(encoder, head, inputs);
    const sqrtP = stopGradient(tf.sqrt(tf.softmax(z)));
    return tf.sum(tf.mul(sqrtP, tf.logSoftmax(z))) as tf.Scalar;
  }, variables);
  value.dispose();
  addSquared(sums, grads);
}

async function addExactEstimate(
  sums: SquaredGradientSums,
  encoder: Module,
  head: Module,
  inputs: tf.Tensor,
  variables: tf.Variable[],
): Promise<void> {
  // The probabilities of the whole batch in one forward pass; the gradients need one pass each.
  const probabilities = tf.tidy(() => tf.softmax(logits(encoder, head, inputs)));
  const [batch, classes] = probabilities.shape;
  const p = (await probabilities.data()) as Float32Array;
  probabilities.dispose();
  for (let b = 0; b < batch; b++) {
    const example = tf.slice(inputs, b, 1);
    for (let c = 0; c < classes; c++) {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.slice(tf.logSoftmax(logits(encoder, head, example)), [0, c], [1, 1])) as tf.Scalar,
        variables,
      );
      value.dispose();
      addSquared(sums, grads, p[b * classes + c]);
    }
    example.dispose();
  }
}

/**
 * The diagonal Fisher of `encoder`'s parameters under `head`'s predictive distribution, from the
 * examples of `batches` (labels are not used: the expectation is over the model's own
 * predictions). Every parameter of the encoder is differentiated, frozen or not; the head is
 * not. The batches' tensors are disposed here.
 */
export async function fisherDiagonal(
  encoder: Module,
  head: Module,
  batches: AsyncIterable<Batch>,
  estimate: FisherEstimate = 'batched',
): Promise<FisherDiagonal> {
  const parameters = encoder.namedParameters();
  const variables = [...parameters.values()];
  const trainable = variables.map((v) => v.trainable);
  const sums: SquaredGradientSums = new Map();
  let examples = 0;
  try {
    // tf.variableGrads skips frozen variables; the Fisher covers every parameter of the encoder.
    for (const v of variables) v.trainable = true;
    for await (const batch of batches) {
      try {
        if (estimate === 'batched') addBatchedEstimate(sums, encoder, head, batch.inputs, variables);
        else await addExactEstimate(sums, encoder, head, batch.inputs, variables);
        examples += batch.inputs.shape[0];
      } finally {
        tf.dispose([batch.inputs, ...(batch.labels ? [batch.labels] : [])]);
      }
    }
    check(examples > 0, 'fisherDiagonal: the batches held no examples');
    const values = new Map<string, tf.Tensor>();
    for (const [name, variable] of parameters) {
      const sum = sums.get(variable.name);
      if (sum) values.set(name, tf.div(sum, examples));
    }
    return { values, examples };
  } finally {
    variables.forEach((v, i) => {
      v.trainable = trainable[i];
    });
    tf.dispose([...sums.values()]);
  }
}
