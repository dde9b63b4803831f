import { check, functionalCall, Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { routeHidden } from './route.js';
import type { Router } from './router.js';

export interface BlockWeightEnsemblingMoEOptions {
  /** The pretrained block (θ₀, any site: attention, a whole transformer layer); frozen child. */
  readonly base: Module;
  /** Per parameter of `base` (by its name), the T task vectors τᵢ = θᵢ − θ₀, in task order. */
  readonly taskVectors: ReadonlyMap<string, readonly Float32Array[]>;
  /** Reads the block's input hidden states; may be shared by several blocks (E-WEMoE). */
  readonly router: Router;
  /** Training only: average the routing weights over the batch (see WeightEnsemblingMoE). */
  readonly batchReduce?: boolean;
  /** A fixed vector put before every token's hidden state in the router's input. */
  readonly layerEncoding?: Float32Array;
}

/** The child that holds θ₀. */
export const BASE_BLOCK = 'base_model';

/**
 * The weight-ensembling MoE of any block that maps hidden states [B, N, D] to [B, N, D] (the
 * generic module of the WEMoE paper's upscaling ablation, FusionBench's `WeightEnsemblingMoE`
 * over a base module): the router reads the block's input, averages over tokens, and each sample
 * runs the block with every parameter set to θ₀ + Σᵢ rᵢτᵢ (through functionalCall, so gradients
 * reach the router). MLP sites use WeightEnsemblingMoE instead, which avoids the per-sample loop.
 *
 * Children: `base_model` (θ₀, frozen) and `router`; frozen parameters `task_vectors_<k>`
 * [T, size] stack the task vectors of the k-th parameter of the base block.
 */
export class BlockWeightEnsemblingMoE extends Module {
  readonly base: Module;
  readonly router: Router;
  readonly batchReduce: boolean;
  /** The base block's parameter names, in the order of the task-vector stacks. */
  readonly parameterNames: readonly string[];
  readonly #taskVectors: readonly tf.Variable[];
  readonly #encoding: tf.Variable | null;

  constructor({ base, taskVectors, router, batchReduce, layerEncoding }: BlockWeightEnsemblingMoEOptions) {
    super();
    const own = base.namedParameters();
    const missing = [...own.keys()].filter((name) => !taskVectors.has(name));
    check(missing.length === 0, () => `BlockWeightEnsemblingMoE: no task vectors for '${missing[0]}'`);
    this.base = this.registerModule(BASE_BLOCK, base);
    this.router = this.registerModule('router', router);
    base.requiresGrad(false);
    this.batchReduce = batchReduce ?? false;
    this.parameterNames = [...own.keys()];
    const tasks = router.experts;
    this.#taskVectors = this.parameterNames.map((name, k) => {
      const size = own.get(name)!.size;
      const taus = taskVectors.get(name)!;
      check(
        taus.length === tasks && taus.every((tau) => tau.length === size),
        () => `BlockWeightEnsemblingMoE: '${name}' needs ${tasks} task vectors of ${size} values`,
      );
      const stacked = new Float32Array(tasks * size);
      taus.forEach((tau, i) => {
        stacked.set(tau, i * size);
      });
      return this.registerParameter(`task_vectors_${k}`, tf.tensor2d(stacked, [tasks, size]), {
        trainable: false,
      });
    });
    this.#encoding =
      layerEncoding === undefined
        ? null
        : this.registerBuffer('layer_encoding', tf.tensor1d(layerEncoding), { persistent: false });
  }

  /** Routing weights [B, T] per sample, or [1, T] shared by the batch (see WeightEnsemblingMoE). */
  routing(hidden: tf.Tensor): tf.Tensor {
    return routeHidden(this.router, this.#encoding, hidden, this.training && this.batchReduce);
  }

  forward(hidden: tf.Tensor, ...rest: unknown[]): tf.Tensor {
    check(
      hidden.rank === 3,
      () => `BlockWeightEnsemblingMoE: expected hidden states [B, N, D], got [${hidden.shape}]`,
    );
    return tf.tidy(() => {
      const r = this.routing(hidden);
      const run = (weights: tf.Tensor, input: tf.Tensor) =>
        functionalCall(
          this.base,
          this.#merged(weights),
          () => this.base.forward(input, ...rest) as tf.Tensor,
        );
      if (r.shape[0] === 1) return run(tf.reshape(r, [-1]), hidden);
      // One weight set per sample, as the reference's loop over the batch.
      const outs = [];
      for (let b = 0; b < hidden.shape[0]!; b++) {
        outs.push(run(tf.reshape(tf.slice(r, [b, 0], [1, -1]), [-1]), tf.slice(hidden, [b], [1])));
      }
      return tf.concat(outs, 0);
    });
  }

  /** θ₀ + Σᵢ rᵢτᵢ for every parameter of the base block, by name. */
  #merged(weights: tf.Tensor): Map<string, tf.Tensor> {
    const own = this.base.namedParameters();
    const row = tf.reshape(weights, [1, -1]);
    return new Map(
      this.parameterNames.map((name, k) => {
        const theta0 = own.get(name)!;
        const delta = tf.reshape(tf.matMul(row, this.#taskVectors[k]), theta0.shape);
        return [name, tf.add(theta0, delta)];
      }),
    );
  }
}
