import { deriveSeed, type ModelSite, type RunArtifacts } from '@mergebench/core';
import { DenseEnsembledLinear } from './dense-ensembled-linear.js';
import type { EnsembledLinear } from './ensembled-linear.js';
import type { LinearTaskVectors } from './linear-task-vectors.js';
import { Router, type RouterDepth } from './router.js';

/**
 * The choices that tell weight-ensembling MoE variants apart, used while an MLP site is
 * upscaled: how an upscaled Linear stores θ₀ and the task vectors, which router a site gets, and
 * what the router reads besides the hidden states.
 */
export interface MoeDesign {
  /** The upscaled Linear of one fc1 or fc2, from its pretrained weights and task vectors. */
  linear(weights: LinearTaskVectors): EnsembledLinear;
  /** The router of a site whose MLP reads `hiddenSize` features. */
  router(site: ModelSite, hiddenSize: number): Router;
  /**
   * How a task-vector tensor of a non-MLP site (attention, a whole layer) is kept, e.g. pruned;
   * unset: as it is.
   */
  taskVector?(tau: Float32Array): Float32Array;
  /** A fixed vector the site's router reads after the hidden states, if any. */
  layerEncoding?(site: ModelSite): Float32Array | undefined;
  /** What the report should say about the design once every site is upscaled. */
  artifacts?(): RunArtifacts;
}

export interface RouterSettings {
  /** T. */
  readonly experts: number;
  readonly depth: RouterDepth;
  readonly initLambda: number;
  /** The run's seed; each router's initial weights derive from it and the site. */
  readonly seed: number;
}

/** WEMoE: dense task vectors and one router per site. */
export function denseMoeDesign({ experts, depth, initLambda, seed }: RouterSettings): MoeDesign {
  return {
    linear: (weights) => new DenseEnsembledLinear(weights),
    router: (site, hiddenSize) =>
      new Router({
        inputDim: hiddenSize,
        experts,
        depth,
        initLambda,
        seed: deriveSeed(seed, `router/${site.path}`),
      }),
  };
}
