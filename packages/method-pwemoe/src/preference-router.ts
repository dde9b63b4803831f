import { check, createRng, Module } from '@mergebench/core';
import { routerLinear } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';

/**
 * Where the routers start. 'constant' (the reference): every routing weight ≈ init_lambda for
 * every preference. 'task-arithmetic': r(ray) = λ·T·ray, task arithmetic's weights for the ray.
 */
export type RouterInit = 'constant' | 'task-arithmetic';

export const ROUTER_INITS: readonly RouterInit[] = ['constant', 'task-arithmetic'];

export interface PreferenceRouterOptions {
  /** T: the preference vector's length and the number of routing weights. */
  readonly tasks: number;
  /** λ: the initial routing weight of every task vector, or (task-arithmetic) its scale. */
  readonly initLambda: number;
  /** Seeds the initial weights. */
  readonly seed: number;
  /** Default 'constant'. */
  readonly init?: RouterInit;
}

/**
 * PWEMoE's router: maps a preference vector ray [T] to routing weights r [T] through
 * Linear T→2T, ReLU, Linear 2T→T (no softmax). Initialised as the reference: weights
 * N(0, 0.01²), the first bias 0 and the last init_lambda, so that at the start every routing
 * weight is close to init_lambda whatever the preference.
 *
 * With init 'task-arithmetic' the same architecture starts at r(ray) = λ·T·ray exactly: the first
 * T hidden units copy the ray (it is ≥ 0, so the ReLU passes it), the last layer scales them by
 * λ·T and has no bias, and the other T hidden units keep their small random input weights with
 * output weights 0, so they change nothing until trained. With `preference_remainder` the
 * family then starts as task arithmetic's, and training moves it from there. Not in the paper.
 */
export class PreferenceRouter extends Module {
  readonly tasks: number;

  constructor({ tasks, initLambda, seed, init = 'constant' }: PreferenceRouterOptions) {
    super();
    this.tasks = tasks;
    const rng = createRng(seed);
    const fc1 = this.registerModule('fc1', routerLinear(tasks, 2 * tasks, 0, rng));
    const fc2 = this.registerModule(
      'fc2',
      routerLinear(2 * tasks, tasks, init === 'constant' ? initLambda : 0, rng),
    );
    if (init === 'task-arithmetic') {
      // Weights are [out, in]. Hidden unit i < T copies ray i; output i is λ·T times hidden unit i.
      const eye = (i: number, j: number) => (i === j ? 1 : 0);
      overwrite(fc1.weight, (i, j, v) => (i < tasks ? eye(i, j) : v));
      overwrite(fc2.weight, (i, j) => (j < tasks ? initLambda * tasks * eye(i, j) : 0));
    }
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

/** Assigns `weight[i][j] = value(i, j, weight[i][j])`. */
function overwrite(weight: tf.Variable, value: (i: number, j: number, v: number) => number): void {
  const rows = (weight.arraySync() as number[][]).map((row, i) => row.map((v, j) => value(i, j, v)));
  tf.tidy(() => weight.assign(tf.tensor2d(rows)));
}
