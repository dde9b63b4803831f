import { type Gradients, type Optimizer, OptimizerWrapper } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * An optimizer that projects its variables back into [min, max] after every update, so merge
 * coefficients stay between "ignore the task" and "take its whole task vector". State, learning
 * rate and variables are the wrapped optimizer's.
 */
export class ClampedOptimizer extends OptimizerWrapper {
  constructor(
    inner: Optimizer,
    readonly min = 0,
    readonly max = 1,
  ) {
    super(inner);
  }

  override step(grads: Gradients): void {
    super.step(grads);
    tf.tidy(() => {
      for (const v of this.variables) v.assign(tf.clipByValue(v, this.min, this.max));
    });
  }
}
