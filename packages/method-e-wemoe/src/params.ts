import { check, type ParamSpec, type ParamValues } from '@mergebench/core';
import { WEMOE_PARAMS, type WemoeSettings, wemoeSettings } from '@mergebench/moe';
import { keepPercent } from './prune-percent.js';

/** E-WEMoE's parameters: WEMoE's, and the pruning and the shared router's layer encoding. */
export const E_WEMOE_PARAMS: readonly ParamSpec[] = [
  ...WEMOE_PARAMS,
  {
    name: 'tv_prune_ratio',
    type: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    description:
      "Share of every MLP task-vector tensor's entries pruned by magnitude (per tensor, core's top-k rule); must be below 1.",
    foreignNames: {
      post_sparse_gate: {
        accepts: [false],
        hint: 'the routers are not pruned; tv_prune_ratio prunes the task vectors',
      },
      gate_prune_ratio: {
        accepts: [0],
        hint: 'the routers are not pruned; tv_prune_ratio prunes the task vectors',
      },
    },
  },
  {
    name: 'position_encoding',
    type: 'boolean',
    default: false,
    description:
      "Put a fixed sinusoidal encoding of the layer's index before the hidden states in the shared router's input (FusionBench's order), so it can route each layer differently.",
    foreignNames: {
      shared_gate: {
        accepts: [true],
        hint: 'E-WEMoE always shares one router across layers; method=wemoe gives every layer its own',
      },
    },
  },
  {
    name: 'position_encoding_dim',
    type: 'integer',
    default: 8,
    min: 2,
    description: 'Dimension of that layer encoding (even).',
  },
];

export interface EWemoeSettings extends WemoeSettings {
  readonly tvPruneRatio: number;
  /** 0 without a layer encoding. */
  readonly encodingDim: number;
}

/** Settings from validated values; `resolvePath` makes a configured path absolute. */
export function eWemoeSettings(params: ParamValues, resolvePath: (path: string) => string): EWemoeSettings {
  const dim = params.position_encoding_dim as number;
  check(dim % 2 === 0, () => `method.position_encoding_dim ${dim} must be even (sine and cosine halves)`);
  keepPercent(params.tv_prune_ratio as number);
  return {
    ...wemoeSettings(params, resolvePath),
    tvPruneRatio: params.tv_prune_ratio as number,
    encodingDim: params.position_encoding ? (params.position_encoding_dim as number) : 0,
  };
}
