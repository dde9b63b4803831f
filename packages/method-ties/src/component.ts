import type { Component, Method } from '@mergebench/core';
import {
  COMBINE_RULES,
  type CombineRule,
  EXCLUDE_KEYS_PARAM,
  scalingFactorParam,
} from '@mergebench/task-vectors';
import { mergeTies } from './ties.js';

export const tiesMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'ties',
    description:
      'TIES-merging: trims each task vector to its largest magnitudes, elects a sign per parameter, and merges the entries that agree with it.',
    params: [
      scalingFactorParam(),
      {
        name: 'threshold',
        type: 'number',
        default: 20,
        exclusiveMin: 0,
        max: 100,
        description:
          'k: share of each task vector kept by magnitude, over the whole model: a percentage above 1 (20 keeps 20%), a fraction up to 1 (0.2 keeps 20%), as in FusionBench',
      },
      {
        name: 'merge_func',
        type: 'string',
        default: 'sum',
        choices: COMBINE_RULES,
        description: 'How the entries that agree with the elected sign are combined: sum, mean or max',
      },
      { ...EXCLUDE_KEYS_PARAM, aliases: ['remove_keys'] },
    ],
    paper: {
      title: 'TIES-Merging: Resolving Interference When Merging Models (Yadav et al., NeurIPS 2023)',
      url: 'https://arxiv.org/abs/2306.01708',
    },
  },
  create: ({ params }) => ({
    async run(modelpool, ctx) {
      const { model, report } = await mergeTies(modelpool, {
        scalingFactor: params.scaling_factor as number,
        threshold: params.threshold as number,
        mergeFunc: params.merge_func as CombineRule,
        excludeKeys: params.exclude_keys as string[],
        logger: ctx.logger,
      });
      return { kind: 'model', model, artifacts: { merge: report } };
    },
  }),
};
