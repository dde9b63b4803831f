import type { Gradients, Optimizer } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * An optimizer that projects its variables back into [min, max] after every update, so merge
 * coefficients stay between "ignore the task" and "take its whole task vector". State, learning
 * rate and variables are the wrapped optimizer's.
 */
export class ClampedOptimizer implements Optimizer {
  constructor(
    private readonly inner: Optimizer,
    readonly min = 0,
    readonly max = 1,
  ) {}

  get variables(): readonly tf.Variable[] {
    return this.inner.variables;
  }

  get learningRate(): number {
    return this.inner.learningRate;
  }

  set learningRate(value: number) {
    this.inner.learningRate = value;
  }

  step(grads: Gradients): void {
    this.inner.step(grads);
    tf.tidy(() => {
      for (const v of this.inner.variables) v.assign(tf.clipByValue(v, this.min, this.max));
    });
  }

  state(): Map<string, tf.Tensor> {
    return this.inner.state();
  }

  loadState(state: ReadonlyMap<string, tf.Tensor>, origin?: string): void {
    this.inner.loadState(state, origin);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
