import { check, createRng, Module } from '@mergebench/core';
import { routerLinear } from '@mergebench/method-wemoe';
import * as tf from '@tensorflow/tfjs';

export interface PreferenceRouterOptions {
  /** T: the preference vector's length and the number of routing weights. */
  readonly tasks: number;
  /** The initial routing weight of every task vector (the last layer's bias). */
  readonly initLambda: number;
  /** Seeds the initial weights. */
  readonly seed: number;
}

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
    const layer = (name: string, inF: number, outF: number, bias: number): void => {
      this.registerModule(name, routerLinear(inF, outF, bias, rng));
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
