import * as tf from '@tensorflow/tfjs';
import { EnsembledLinear } from './ensembled-linear.js';
import type { LinearTaskVectors } from './linear-task-vectors.js';
import { pruneBias, pruneWeight } from './sparse-task-vector.js';

interface SparseTaskWeight {
  /** The kept entries: a frozen parameter, the only entries counted. */
  readonly values: tf.Variable;
  /** Their row-major positions in the [out, in] weight (int32): a buffer. */
  readonly indices: tf.Variable;
}

/**
 * An upscaled Linear with sparse experts (E-WEMoE's): each task vector's weight pruned and stored sparse, as a frozen
 * parameter `task_weight_<i>_values` [nnz] of its kept entries and an int32 buffer
 * `task_weight_<i>_indices` [nnz] of their positions; the pruned bias task vectors are kept dense
 * with zeros in `bias` (a few thousand numbers per layer), beside θ₀. Only kept entries count as
 * parameters. A task vector's dense [out, in] weight exists only while an op uses it: built by
 * one scatter in the forward pass and again in the backward pass, so at rest the weights stay
 * sparse; the products themselves are dense.
 */
export class SparseEnsembledLinear extends EnsembledLinear {
  readonly taskWeights: readonly SparseTaskWeight[];
  /** Entries of the T weight task vectors before pruning. */
  readonly taskWeightEntries: number;

  /** `percent`: the share of every task-vector tensor's entries kept, by the per-tensor top-k rule of @mergebench/task-vectors. */
  constructor(weights: LinearTaskVectors, percent: number) {
    const { inFeatures, outFeatures, experts, pretrained, taskVectors } = weights;
    const biases = new Float32Array(experts * outFeatures);
    biases.set(pretrained.bias);
    taskVectors.forEach((tau, t) => {
      biases.set(pruneBias(tau.bias, percent), (t + 1) * outFeatures);
    });
    super(
      inFeatures,
      outFeatures,
      experts,
      tf.tensor2d(pretrained.weight, [outFeatures, inFeatures]),
      tf.tensor2d(biases, [experts, outFeatures]),
    );
    this.taskWeightEntries = taskVectors.length * inFeatures * outFeatures;
    this.taskWeights = taskVectors.map((tau, t) => {
      const { positions, values } = pruneWeight(tau.weight, percent);
      return {
        values: this.registerParameter(`task_weight_${t}_values`, tf.tensor1d(values), { trainable: false }),
        indices: this.registerBuffer(`task_weight_${t}_indices`, tf.tensor1d(positions, 'int32')),
      };
    });
  }

  /** The kept entries of the weight task vectors. */
  get keptEntries(): number {
    return this.taskWeights.reduce((n, w) => n + w.values.size, 0);
  }

  taskWeightBlocks(): tf.Tensor[] {
    const { inFeatures, outFeatures } = this;
    return this.taskWeights.map(({ values, indices }) =>
      tf.tidy(() =>
        values.size === 0
          ? tf.zeros([outFeatures, inFeatures])
          : tf.reshape(tf.scatterND(tf.reshape(indices, [-1, 1]), values, [outFeatures * inFeatures]), [
              outFeatures,
              inFeatures,
            ]),
      ),
    );
  }

  protected taskWeightBytes(): number {
    return 4 * this.taskWeights.reduce((n, w) => n + w.values.size + w.indices.size, 0);
  }
}
