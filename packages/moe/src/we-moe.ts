import { type Activation, check, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { EnsembledLinear } from './ensembled-linear.js';
import { recomputedActivation } from './ops/recomputed-activation.js';
import { routeHidden } from './route.js';
import type { Router } from './router.js';

export interface WeightEnsemblingMoEOptions {
  /** Reads the MLP's input; the same router may serve several layers (E-WEMoE). */
  readonly router: Router;
  readonly fc1: EnsembledLinear;
  readonly fc2: EnsembledLinear;
  /** The replaced MLP's activation between fc1 and fc2. */
  readonly activation: Activation;
  /**
   * Training only: average the routing weights over the batch and run the batch with one merged
   * weight set (faster, and the reference's `batch_reduce`). Evaluation always routes per sample.
   */
  readonly batchReduce?: boolean;
  /**
   * A fixed vector put BEFORE every token's hidden state in the router's input (E-WEMoE's layer
   * encoding): [encoding, hidden], FusionBench's order, so router weights move between the two.
   */
  readonly layerEncoding?: Float32Array;
}

/**
 * The weight-ensembling MoE block that replaces an MLP (fc1 → activation → fc2): for every sample
 * of hidden states [B, N, D] the router gives routing weights r, and the sample goes through the
 * MLP with weights θ₀ + Σᵢ rᵢτᵢ. Routing weights shared by the batch (a depth-0 router, a batch
 * of one, or batch_reduce in training) merge the weights once for the batch.
 *
 * Children: `router`, `fc1`, `fc2`; the upscaled Linears hold θ₀ and the task vectors frozen, so
 * only the router trains.
 */
export class WeightEnsemblingMoE extends Module {
  readonly router: Router;
  readonly fc1: EnsembledLinear;
  readonly fc2: EnsembledLinear;
  readonly activation: Activation;
  readonly batchReduce: boolean;
  readonly #activation: Activation;
  readonly #encoding: tf.Variable | null;

  constructor(options: WeightEnsemblingMoEOptions) {
    super();
    const { router, fc1, fc2, layerEncoding } = options;
    const experts = router.experts + 1;
    check(
      fc1.experts === experts && fc2.experts === experts && fc1.outFeatures === fc2.inFeatures,
      () =>
        `WeightEnsemblingMoE: fc1 (${fc1.experts} blocks, ${fc1.inFeatures}→${fc1.outFeatures}) and fc2 ` +
        `(${fc2.experts} blocks, ${fc2.inFeatures}→${fc2.outFeatures}) do not fit a router over ${router.experts} task vectors`,
    );
    const encodingDim = layerEncoding?.length ?? 0;
    check(
      router.depth === 0 || router.inputDim === fc1.inFeatures + encodingDim,
      () =>
        `WeightEnsemblingMoE: the router reads ${router.inputDim} features, the MLP input has ${fc1.inFeatures}` +
        (encodingDim > 0 ? ` plus a layer encoding of ${encodingDim}` : ''),
    );
    this.router = this.registerModule('router', router);
    this.fc1 = this.registerModule('fc1', fc1);
    this.fc2 = this.registerModule('fc2', fc2);
    this.activation = options.activation;
    this.#activation = recomputedActivation(options.activation);
    this.batchReduce = options.batchReduce ?? false;
    this.#encoding =
      layerEncoding === undefined
        ? null
        : this.registerBuffer('layer_encoding', tf.tensor1d(layerEncoding), { persistent: false });
  }

  /**
   * Routing weights for hidden states [B, N, D]: [B, T] per sample, or [1, T] when the batch
   * shares one set (depth-0 router; batch_reduce while training).
   */
  routing(hidden: tf.Tensor): tf.Tensor {
    return routeHidden(this.router, this.#encoding, hidden, this.training && this.batchReduce);
  }

  forward(hidden: tf.Tensor): tf.Tensor {
    check(
      hidden.rank === 3 && hidden.shape[2] === this.fc1.inFeatures,
      () =>
        `WeightEnsemblingMoE: expected hidden states [B, N, ${this.fc1.inFeatures}], got [${hidden.shape}]`,
    );
    return tf.tidy(() => {
      const r = this.routing(hidden);
      // c = [1, r]: the pretrained block always has weight 1.
      const c = tf.concat([tf.onesLike(tf.slice(r, [0, 0], [-1, 1])), r], 1);
      const coefficients = c.shape[0] === 1 ? tf.reshape(c, [-1]) : c;
      return this.fc2.forward(this.#activation(this.fc1.forward(hidden, coefficients)), coefficients);
    });
  }
}
