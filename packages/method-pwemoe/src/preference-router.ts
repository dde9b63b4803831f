import { check, createRng, Linear, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

export interface PreferenceRouterOptions {
  /** T: the preference vector's length and the number of routing weights. */
  readonly tasks: number;
  /** The initial routing weight of every task vector (the last layer's bias). */
  readonly initLambda: number;
  /** Seeds the initial weights. */
  readonly seed: number;
}

/** Standard deviation of the router's initial weights, as in the reference. */
const INIT_STD = 0.01;

/**
 * PWEMoE's router: maps a preference vector ray [T] to routing weights r [T] through
 * Linear T→2T, ReLU, Linear 2T→T (no softmax). Initialised as the reference: weights
 * N(0, 0.01²), the first bias 0 and the last init_lambda, so that at the start every routing
 * weight is close to init_lambda whatever the preference.
 */
export class PreferenceRouter extends Module {
  readonly tasks: number;

  constructor({ tasks, initLambda, seed }: PreferenceRouterOptions) {
    super();
    this.tasks = tasks;
    const rng = createRng(seed);
    const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * INIT_STD);
    const layer = (name: string, inF: number, outF: number, bias: number): void => {
      const linear = this.registerModule(name, new Linear(inF, outF));
      const weights = new Map([
        ['weight', tf.tensor2d(normal(outF * inF), [outF, inF])],
        ['bias', tf.fill([outF], bias)],
      ]);
      linear.loadStateDict(weights);
      tf.dispose([...weights.values()]);
    };
    layer('fc1', tasks, 2 * tasks, 0);
    layer('fc2', 2 * tasks, tasks, initLambda);
  }

  /** ray [T] → routing weights [T]. */
  forward(ray: tf.Tensor): tf.Tensor1D {
    check(
      ray.rank === 1 && ray.shape[0] === this.tasks,
      () => `PreferenceRouter: expected a preference vector [${this.tasks}], got [${ray.shape}]`,
    );
    return tf.tidy(() => {
      const hidden = tf.relu(this.getSubmodule('fc1').forward(tf.expandDims(ray, 0)));
      return tf.reshape(this.getSubmodule('fc2').forward(hidden), [this.tasks]) as tf.Tensor1D;
    });
  }
}
