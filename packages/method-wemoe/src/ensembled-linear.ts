import { check, Module } from '@mergebench/core';
import type * as tf from '@tensorflow/tfjs';
import { perSampleStackedProduct } from './ops/per-sample-stacked-product.js';
import { sharedStackedProduct } from './ops/shared-stacked-product.js';

/**
 * A Linear of an upscaled MLP whose weights are θ₀ + Σᵢ rᵢτᵢ for routing weights r: it holds
 * the pretrained weights and the T task vectors, frozen, as E = T+1 "expert" blocks with
 * coefficients c = [1, r₁, …, r_T]. How the weight blocks are stored is the subclass's choice
 * (dense, or sparse task vectors); the biases are a dense frozen [E, out] parameter `bias`.
 */
export abstract class EnsembledLinear extends Module {
  /** θ₀'s bias then the T task vectors' biases. */
  readonly bias: tf.Variable;

  protected constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    /** E = T + 1: the pretrained block and one per task. */
    readonly experts: number,
    biasStack: tf.Tensor,
  ) {
    super();
    check(
      biasStack.rank === 2 && biasStack.shape[0] === experts && biasStack.shape[1] === outFeatures,
      () => `${this.constructor.name}: bias stack [${biasStack.shape}] is not [${experts}, ${outFeatures}]`,
    );
    this.bias = this.registerParameter('bias', biasStack, { trainable: false });
  }

  /** The weight blocks as one new tensor [E, out, in]: θ₀, then the task vectors; the caller disposes it. */
  abstract weightStack(): tf.Tensor;

  /** Bytes the weights of this layer occupy at rest (parameters and buffers). */
  abstract storedBytes(): number;

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
    return perSampleStackedProduct(x, c, () => this.weightStack(), this.bias);
  }

  /** x [B, N, in] with one coefficient vector c [E] for the whole batch → [B, N, out]. */
  forwardShared(x: tf.Tensor, c: tf.Tensor): tf.Tensor {
    this.#checkInput(x);
    check(
      c.rank === 1 && c.shape[0] === this.experts,
      () => `${this.constructor.name}: coefficients [${c.shape}] are not [${this.experts}]`,
    );
    return sharedStackedProduct(x, c, () => this.weightStack(), this.bias);
  }

  #checkInput(x: tf.Tensor): void {
    check(
      x.rank === 3 && x.shape[2] === this.inFeatures,
      () => `${this.constructor.name}: expected input [B, N, ${this.inFeatures}], got [${x.shape}]`,
    );
  }
}
