import type * as tf from '@tensorflow/tfjs';
import type { Gradients, Optimizer } from './optimizers.js';

/**
 * An optimizer that changes how a step is taken (clipping the gradients, projecting the
 * variables) around another one, whose variables, learning rate and state it shares. Subclasses
 * override `step` and call `super.step`.
 */
export abstract class OptimizerWrapper implements Optimizer {
  constructor(protected readonly inner: Optimizer) {}

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
