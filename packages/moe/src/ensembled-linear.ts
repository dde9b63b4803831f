import { check, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { perSampleEnsembledProduct } from './ops/per-sample-ensembled-product.js';
import { sharedEnsembledProduct } from './ops/shared-ensembled-product.js';

/**
 * A Linear of an upscaled MLP whose weights are θ₀ + Σᵢ rᵢτᵢ for routing weights r: it holds
 * the pretrained weights and the T task vectors, frozen, as E = T+1 "expert" blocks with
 * coefficients c = [1, r₁, …, r_T]. Frozen parameters: `pretrained_weight` [out, in] (θ₀) and
 * `bias` [E, out] (θ₀'s bias, then the task vectors'); how the task vectors' weights are stored
 * is the subclass's choice (dense, or sparse).
 */
export abstract class EnsembledLinear extends Module {
  readonly pretrainedWeight: tf.Variable;
  readonly bias: tf.Variable;

  protected constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    /** E = T + 1: the pretrained block and one per task. */
    readonly experts: number,
    pretrainedWeight: tf.Tensor,
    biasStack: tf.Tensor,
  ) {
    super();
    check(
      pretrainedWeight.rank === 2 &&
        pretrainedWeight.shape[0] === outFeatures &&
        pretrainedWeight.shape[1] === inFeatures,
      () =>
        `${this.constructor.name}: weight [${pretrainedWeight.shape}] is not [${outFeatures}, ${inFeatures}]`,
    );
    check(
      biasStack.rank === 2 && biasStack.shape[0] === experts && biasStack.shape[1] === outFeatures,
      () => `${this.constructor.name}: bias stack [${biasStack.shape}] is not [${experts}, ${outFeatures}]`,
    );
    this.pretrainedWeight = this.registerParameter('pretrained_weight', pretrainedWeight, {
      trainable: false,
    });
    this.bias = this.registerParameter('bias', biasStack, { trainable: false });
  }

  /** The T task vectors' weights [out, in] as new tensors; the caller disposes them. */
  abstract taskWeightBlocks(): tf.Tensor[];

  /** Bytes the task vectors' weights occupy at rest (parameters and buffers). */
  protected abstract taskWeightBytes(): number;

  /** The E weight blocks [out, in] as new tensors: θ₀, then the task vectors; the caller disposes them. */
  weightBlocks(): tf.Tensor[] {
    // A new handle on θ₀'s data (no copy), so that the caller may dispose every block alike.
    return [tf.reshape(this.pretrainedWeight, this.pretrainedWeight.shape), ...this.taskWeightBlocks()];
  }

  /** Bytes the weights of this layer occupy at rest. */
  storedBytes(): number {
    return 4 * (this.pretrainedWeight.size + this.bias.size) + this.taskWeightBytes();
  }

  /** x [B, N, in] → [B, N, out] with coefficients c [B, E] (one row per sample) or [E] (shared). */
  forward(x: tf.Tensor, c: tf.Tensor): tf.Tensor {
    return c.rank === 1 ? this.forwardShared(x, c) : this.forwardPerSample(x, c);
  }

  /** x [B, N, in] with coefficients c [B, E], one row per sample → [B, N, out]. */
  forwardPerSample(x: tf.Tensor, c: tf.Tensor): tf.Tensor {
    this.#checkInput(x);
    check(
      c.rank === 2 && c.shape[0] === x.shape[0] && c.shape[1] === this.experts,
      () => `${this.constructor.name}: coefficients [${c.shape}] are not [${x.shape[0]}, ${this.experts}]`,
    );
    return perSampleEnsembledProduct(x, c, () => this.weightBlocks(), this.bias);
  }

  /** x [B, N, in] with one coefficient vector c [E] for the whole batch → [B, N, out]. */
  forwardShared(x: tf.Tensor, c: tf.Tensor): tf.Tensor {
    this.#checkInput(x);
    check(
      c.rank === 1 && c.shape[0] === this.experts,
      () => `${this.constructor.name}: coefficients [${c.shape}] are not [${this.experts}]`,
    );
    return sharedEnsembledProduct(x, c, () => this.weightBlocks(), this.bias);
  }

  #checkInput(x: tf.Tensor): void {
    check(
      x.rank === 3 && x.shape[2] === this.inFeatures,
      () => `${this.constructor.name}: expected input [B, N, ${this.inFeatures}], got [${x.shape}]`,
    );
  }
}
