import { EnsembledLinear, type StackedLinearWeights } from '@mergebench/method-wemoe';
import * as tf from '@tensorflow/tfjs';
import { pruneBias, pruneWeight } from './sparse-task-vector.js';

/**
 * E-WEMoE's upscaled Linear: θ₀ dense, the T weight task vectors pruned and stored sparse.
 * - `pretrained_weight` [out, in]: θ₀;
 * - `task_weight_values` [nnz]: the kept task-vector entries (the only ones counted as parameters);
 * - buffer `task_weight_indices` [nnz] (int32): their positions in the [T, out, in] stack of the
 *   task vectors;
 * - `bias` [T+1, out]: θ₀'s bias and the pruned bias task vectors, dense with zeros.
 * The dense [T+1, out, in] stack exists only while an op uses it: built in the forward pass and
 * rebuilt for the backward pass, so at rest and between layers the weights stay sparse.
 */
export class SparseEnsembledLinear extends EnsembledLinear {
  readonly pretrainedWeight: tf.Variable;
  readonly taskWeightValues: tf.Variable;
  readonly taskWeightIndices: tf.Variable;
  /** Entries of the T weight task vectors before pruning. */
  readonly taskWeightEntries: number;

  /** `percent`: the share of every task-vector tensor's entries kept, by core's top-k rule. */
  constructor(stacked: StackedLinearWeights, percent: number) {
    const { inFeatures, outFeatures, experts } = stacked;
    const tasks = experts - 1;
    const biases = new Float32Array(experts * outFeatures);
    biases.set(stacked.pretrained.bias);
    stacked.taskVectors.forEach((tau, t) => {
      biases.set(pruneBias(tau.bias, percent), (t + 1) * outFeatures);
    });
    super(inFeatures, outFeatures, experts, tf.tensor2d(biases, [experts, outFeatures]));
    const pruned = stacked.taskVectors.map((tau) => pruneWeight(tau.weight, percent));
    const nnz = pruned.reduce((n, p) => n + p.values.length, 0);
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let at = 0;
    const block = inFeatures * outFeatures;
    pruned.forEach((p, t) => {
      for (let i = 0; i < p.positions.length; i++) indices[at + i] = t * block + p.positions[i];
      values.set(p.values, at);
      at += p.values.length;
    });
    this.taskWeightEntries = tasks * block;
    this.pretrainedWeight = this.registerParameter(
      'pretrained_weight',
      tf.tensor2d(stacked.pretrained.weight, [outFeatures, inFeatures]),
      { trainable: false },
    );
    this.taskWeightValues = this.registerParameter('task_weight_values', tf.tensor1d(values), {
      trainable: false,
    });
    this.taskWeightIndices = this.registerBuffer('task_weight_indices', tf.tensor1d(indices, 'int32'));
  }

  /** The kept entries of the weight task vectors. */
  get keptEntries(): number {
    return this.taskWeightValues.size;
  }

  weightStack(): tf.Tensor {
    const { inFeatures, outFeatures, experts } = this;
    const taskShape = [experts - 1, outFeatures, inFeatures];
    return tf.tidy(() => {
      const tasks =
        this.keptEntries === 0
          ? tf.zeros(taskShape)
          : tf.reshape(
              tf.scatterND(tf.reshape(this.taskWeightIndices, [-1, 1]), this.taskWeightValues, [
                this.taskWeightEntries,
              ]),
              taskShape,
            );
      return tf.concat([tf.expandDims(this.pretrainedWeight, 0), tasks], 0);
    });
  }

  storedBytes(): number {
    return (
      4 *
      (this.pretrainedWeight.size + this.taskWeightValues.size + this.taskWeightIndices.size + this.bias.size)
    );
  }
}
