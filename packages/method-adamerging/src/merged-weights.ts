import { check, entropyLoss, functionalCall, type Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { mergedParameter } from './merged-parameter.js';
import type { TaskVectors } from './task-vectors.js';

/** One coefficient per task (task-wise) or per task and parameter tensor (layer-wise). */
export type Granularity = 'task-wise' | 'layer-wise';

/** Learned coefficients by task: one number (task-wise) or one per merged parameter (layer-wise). */
export type CoefficientsByTask = Record<string, number | number[]>;

/**
 * A model whose parameters are θ(λ) = θ₀ + Σᵢ λᵢ τᵢ, with λ a trainable [T, G] variable (G = 1
 * task-wise, G = number of merged parameters layer-wise, column j for `keys[j]`). θ₀ is the
 * model's own weights: the merged parameters enter a forward pass through functionalCall and are
 * never written into the model until writeIntoModel, its last use.
 */
export class MergedWeights {
  /** λ as a [tasks, groups] variable: the only thing an optimizer updates. */
  readonly coefficients: tf.Variable;
  /** The merged parameters, in the column order of layer-wise coefficients. */
  readonly keys: readonly string[];
  readonly #theta0: ReadonlyMap<string, tf.Tensor>;
  #written = false;

  constructor(
    readonly model: Module,
    readonly taskVectors: TaskVectors,
    readonly granularity: Granularity,
    initLambda: number,
  ) {
    this.keys = taskVectors.keys;
    const parameters = model.namedParameters();
    for (const key of this.keys)
      check(parameters.has(key), () => `the model has no parameter '${key}' to merge`);
    this.#theta0 = new Map(this.keys.map((key) => [key, parameters.get(key)!]));
    const groups = granularity === 'task-wise' ? 1 : this.keys.length;
    this.coefficients = tf.tidy(() => tf.variable(tf.fill([this.tasks.length, groups], initLambda)));
  }

  get tasks(): readonly string[] {
    return this.taskVectors.tasks;
  }

  /**
   * The merged parameters by name at the current λ; inside a gradient tape they carry the
   * gradient back to λ. Call it inside tf.tidy: the intermediate columns of λ stay alive until
   * the scope ends, since the tape refers to them.
   */
  parameters(): Map<string, tf.Tensor> {
    check(!this.#written, 'the merged weights were already written into the model, which no longer holds θ₀');
    const [tasks, groups] = this.coefficients.shape as [number, number];
    // tfjs's unstack gradient fails for a single output (it passes one dy where stack wants a list).
    const columns =
      groups === 1
        ? [tf.reshape(this.coefficients, [tasks]) as tf.Tensor1D]
        : (tf.unstack(this.coefficients, 1) as tf.Tensor1D[]);
    return new Map(
      this.keys.map((key, j) => [
        key,
        mergedParameter(this.#theta0.get(key)!, columns[this.granularity === 'task-wise' ? 0 : j], () =>
          this.taskVectors.stack(key),
        ),
      ]),
    );
  }

  /** `head`'s logits on the merged model's features of `inputs`. */
  logits(head: Module, inputs: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      functionalCall(this.model, this.parameters(), () => head.forward(this.model.forward(inputs))),
    );
  }

  /**
   * AdaMerging's objective for one task: the mean prediction entropy of `head` on the merged
   * model's features of `inputs`.
   */
  entropy(head: Module, inputs: tf.Tensor): tf.Scalar {
    return tf.tidy(() => entropyLoss(this.logits(head, inputs)));
  }

  coefficientsByTask(): CoefficientsByTask {
    const values = this.coefficients.dataSync();
    const groups = this.coefficients.shape[1]!;
    return Object.fromEntries(
      this.tasks.map((task, i) => {
        const row = Array.from(values.subarray(i * groups, (i + 1) * groups));
        return [task, this.granularity === 'task-wise' ? row[0] : row];
      }),
    );
  }

  /** Sets λ from coefficients by task (checked to fit by the caller, e.g. readCoefficientsFile). */
  setCoefficients(byTask: CoefficientsByTask): void {
    const values = this.tasks.flatMap((task) => {
      const value = byTask[task];
      return typeof value === 'number' ? [value] : value;
    });
    tf.tidy(() => this.coefficients.assign(tf.tensor2d(values, this.coefficients.shape as [number, number])));
  }

  /** Writes θ(λ) into the model's parameters; afterwards the model is the merged model. */
  writeIntoModel(): void {
    const merged = tf.tidy(() => {
      const byKey = this.parameters();
      return this.keys.map((key) => byKey.get(key)!);
    });
    try {
      this.model.loadStateDict(new Map(this.keys.map((key, j) => [key, merged[j]])), { strict: false });
    } finally {
      tf.dispose(merged);
    }
    this.#written = true;
  }

  /** Disposes λ (the model belongs to the caller). */
  dispose(): void {
    this.coefficients.dispose();
  }
}
