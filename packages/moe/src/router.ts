import { check, createRng, Linear, Module, type Rng } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/** Hidden layers of a router: 0 (a learned bias), 1 (Linear d→T) or 2 (Linear d→d, ReLU, Linear d→T). */
export type RouterDepth = 0 | 1 | 2;

export const ROUTER_DEPTHS: readonly RouterDepth[] = [0, 1, 2];

export interface RouterOptions {
  /** Features of the router's input: the MLP's hidden size (plus a layer encoding, if any). */
  readonly inputDim: number;
  /** T: one routing weight per task vector. */
  readonly experts: number;
  readonly depth: RouterDepth;
  /** The initial routing weight of every task vector (the last layer's bias). */
  readonly initLambda: number;
  /** Seeds the initial weights. */
  readonly seed: number;
}

/** Standard deviation of the routers' initial weights, as in the reference. */
const INIT_STD = 0.01;

/**
 * A router layer as the reference initialises it: weights N(0, 0.01²) from `rng`, every bias
 * `bias`, so a fresh router outputs about the last layer's bias whatever its input.
 */
export function routerLinear(inF: number, outF: number, bias: number, rng: Rng): Linear {
  const linear = new Linear(inF, outF);
  const weights = new Map([
    [
      'weight',
      tf.tensor2d(
        Float32Array.from({ length: outF * inF }, () => rng.normal() * INIT_STD),
        [outF, inF],
      ),
    ],
    ['bias', tf.fill([outF], bias)],
  ]);
  linear.loadStateDict(weights);
  tf.dispose([...weights.values()]);
  return linear;
}

/**
 * WEMoE's router: maps an MLP's input hidden states [B, N, d] to routing weights r [B, T], the
 * mean over tokens of its per-token outputs (no softmax). Depth 0 ignores its input: a learned
 * vector [1, T] shared by every sample, which makes the MoE a layer-wise AdaMerging of the MLPs.
 * Initialised as the reference: weights N(0, 0.01²), biases 0 except the last = init_lambda, so
 * that at the start every routing weight is close to init_lambda.
 */
export class Router extends Module {
  readonly depth: RouterDepth;
  readonly inputDim: number;
  readonly experts: number;

  constructor({ inputDim, experts, depth, initLambda, seed }: RouterOptions) {
    super();
    check(
      ROUTER_DEPTHS.includes(depth),
      () => `router depth ${depth} is not one of ${ROUTER_DEPTHS.join(', ')}`,
    );
    this.depth = depth;
    this.inputDim = inputDim;
    this.experts = experts;
    const rng = createRng(seed);
    const layer = (name: string, inF: number, outF: number, bias: number): void => {
      this.registerModule(name, routerLinear(inF, outF, bias, rng));
    };
    if (depth === 0) this.registerParameter('bias', tf.fill([experts], initLambda));
    else if (depth === 1) layer('fc', inputDim, experts, initLambda);
    else {
      layer('fc1', inputDim, inputDim, 0);
      layer('fc2', inputDim, experts, initLambda);
    }
  }

  /** Hidden states [B, N, d] → routing weights [B, T]; depth 0: [1, T] for any input. */
  forward(hidden: tf.Tensor): tf.Tensor {
    if (this.depth === 0) return tf.tidy(() => tf.expandDims(this.param('bias'), 0));
    check(
      hidden.rank === 3 && hidden.shape[2] === this.inputDim,
      () => `Router: expected hidden states [B, N, ${this.inputDim}], got [${hidden.shape}]`,
    );
    return tf.tidy(() => {
      const perToken =
        this.depth === 1
          ? this.getSubmodule('fc').forward(hidden)
          : this.getSubmodule('fc2').forward(tf.relu(this.getSubmodule('fc1').forward(hidden)));
      return tf.mean(perToken, 1);
    });
  }
}
