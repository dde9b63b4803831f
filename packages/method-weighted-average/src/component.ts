import type { Component, Method } from '@mergebench/core';
import type { ModelWeights } from './model-weights.js';
import { mergeWeightedAverage } from './weighted-average.js';

export const weightedAverageMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'weighted-average',
    description:
      'Weighted average of the fine-tuned models: θ = Σᵢ wᵢθᵢ, the weights normalised to sum to 1 by default.',
    params: [
      {
        name: 'weights',
        type: ['number[]', 'record'],
        nullable: true,
        default: null,
        description:
          'One weight per model in pool order, or a mapping of model names to weights; null weighs every model 1',
      },
      {
        name: 'normalize',
        type: 'boolean',
        default: true,
        description: 'Divide the weights by their sum first',
      },
    ],
    paper: {
      title:
        'Model soups: averaging weights of multiple fine-tuned models improves accuracy (Wortsman et al., ICML 2022)',
      url: 'https://arxiv.org/abs/2203.05482',
    },
  },
  create: ({ params }) => ({
    async run(modelpool) {
      const model = await mergeWeightedAverage(modelpool, {
        weights: params.weights as ModelWeights | null,
        normalize: params.normalize as boolean,
      });
      return { kind: 'model', model };
    },
  }),
};
