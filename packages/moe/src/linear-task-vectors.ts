import { check } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/** One Linear's weights in PyTorch's layout, in host memory. */
export interface LinearValues {
  /** [out, in], row-major. */
  readonly weight: Float32Array;
  /** [out]; zeros for a Linear without bias. */
  readonly bias: Float32Array;
}

/**
 * The pretrained weights of one Linear of an MLP and the T task vectors τᵢ = θᵢ − θ₀ of the same
 * Linear, the material an upscaled Linear is built from.
 */
export class LinearTaskVectors {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly pretrained: LinearValues,
    /** One per task, in the model pool's order. */
    readonly taskVectors: readonly LinearValues[],
  ) {
    const all = [pretrained, ...taskVectors];
    check(
      all.every((v) => v.weight.length === outFeatures * inFeatures && v.bias.length === outFeatures),
      () =>
        `task vectors: every weight must be [${outFeatures}, ${inFeatures}] and every bias [${outFeatures}]`,
    );
  }

  /** E = T + 1. */
  get experts(): number {
    return this.taskVectors.length + 1;
  }

  /** [E, out]: θ₀'s bias then the task vectors'. */
  biasTensor(): tf.Tensor2D {
    const values = new Float32Array(this.experts * this.outFeatures);
    [this.pretrained, ...this.taskVectors].forEach((v, e) => {
      values.set(v.bias, e * this.outFeatures);
    });
    return tf.tensor2d(values, [this.experts, this.outFeatures]);
  }
}
