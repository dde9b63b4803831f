import { check, deriveSeed } from '@mergebench/core';
import {
  type MoeDesign,
  pruneBias,
  Router,
  type RouterSettings,
  SparseEnsembledLinear,
} from '@mergebench/moe';
import { layerEncoding } from './layer-encoding.js';
import { keepPercent } from './prune-percent.js';

export interface SparseMoeSettings extends RouterSettings {
  /** Share of every task-vector tensor's entries pruned, in [0, 1). */
  readonly pruneRatio: number;
  /** Dimension of the fixed layer encoding the shared router reads before the hidden states; 0: none. */
  readonly encodingDim: number;
}

/**
 * E-WEMoE: task vectors pruned to their largest entries per tensor and stored sparse, and ONE
 * router shared by every layer (each layer feeds it its own MLP input), optionally told the
 * layer by a fixed sinusoidal encoding.
 */
export function sparseMoeDesign(settings: SparseMoeSettings): MoeDesign {
  const percent = keepPercent(settings.pruneRatio);
  let shared: Router | undefined;
  let kept = 0;
  let entries = 0;
  return {
    linear: (weights) => {
      const linear = new SparseEnsembledLinear(weights, percent);
      kept += linear.keptEntries;
      entries += linear.taskWeightEntries;
      return linear;
    },
    // Attention and whole-block sites keep their pruned task vectors dense (zeros in place).
    taskVector: (tau) => {
      const pruned = pruneBias(tau, percent);
      for (const value of pruned) if (value !== 0) kept++;
      entries += tau.length;
      return pruned;
    },
    router: (site, hiddenSize) => {
      const inputDim = hiddenSize + settings.encodingDim;
      shared ??= new Router({
        inputDim,
        experts: settings.experts,
        depth: settings.depth,
        initLambda: settings.initLambda,
        seed: deriveSeed(settings.seed, 'shared-router'),
      });
      check(
        shared.depth === 0 || shared.inputDim === inputDim,
        () =>
          `the shared router reads ${shared!.inputDim} features, but the MLP at '${site.path}' has ${hiddenSize}`,
      );
      return shared;
    },
    layerEncoding: (site) =>
      settings.encodingDim > 0 ? layerEncoding(site.layer, settings.encodingDim) : undefined,
    artifacts: () => ({
      tvPruneRatio: settings.pruneRatio,
      keptTaskVectorEntries: kept,
      taskVectorEntries: entries,
      density: entries > 0 ? kept / entries : null,
      sharedRouter: true,
      positionEncodingDim: settings.encodingDim,
    }),
  };
}
