import * as tf from '@tensorflow/tfjs';
import { EnsembledLinear } from './ensembled-linear.js';
import type { StackedLinearWeights } from './stacked-weights.js';

/**
 * WEMoE's upscaled Linear: θ₀ and the T task vectors stored densely as one frozen parameter
 * `weight` [T+1, out, in] (block 0: θ₀, block i: τᵢ, each in PyTorch's [out, in] layout).
 */
export class DenseEnsembledLinear extends EnsembledLinear {
  readonly weight: tf.Variable;

  constructor(stacked: StackedLinearWeights) {
    const { inFeatures, outFeatures, experts } = stacked;
    super(inFeatures, outFeatures, experts, stacked.biasTensor());
    this.weight = this.registerParameter('weight', stacked.weightTensor(), { trainable: false });
  }

  weightStack(): tf.Tensor {
    // A new handle on the variable's data (no copy), so the caller may dispose it.
    return tf.reshape(this.weight, this.weight.shape);
  }

  storedBytes(): number {
    return 4 * (this.weight.size + this.bias.size);
  }
}
