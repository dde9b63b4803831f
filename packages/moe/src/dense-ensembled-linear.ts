import * as tf from '@tensorflow/tfjs';
import { EnsembledLinear } from './ensembled-linear.js';
import type { LinearTaskVectors } from './linear-task-vectors.js';

/**
 * WEMoE's upscaled Linear: the T task vectors' weights stored densely, one frozen parameter each,
 * `task_weight_<i>` [out, in] for task i (PyTorch's layout), beside θ₀ and the biases.
 */
export class DenseEnsembledLinear extends EnsembledLinear {
  readonly taskWeights: readonly tf.Variable[];

  constructor(weights: LinearTaskVectors) {
    const { inFeatures, outFeatures, experts, pretrained, taskVectors } = weights;
    super(
      inFeatures,
      outFeatures,
      experts,
      tf.tensor2d(pretrained.weight, [outFeatures, inFeatures]),
      weights.biasTensor(),
    );
    this.taskWeights = taskVectors.map((tau, i) =>
      this.registerParameter(`task_weight_${i}`, tf.tensor2d(tau.weight, [outFeatures, inFeatures]), {
        trainable: false,
      }),
    );
  }

  taskWeightBlocks(): tf.Tensor[] {
    // New handles on the variables' data (no copy), so that the caller may dispose them.
    return this.taskWeights.map((w) => tf.reshape(w, w.shape));
  }

  protected taskWeightBytes(): number {
    return 4 * this.taskWeights.reduce((n, w) => n + w.size, 0);
  }
}
