import type { Component, Method } from '@mergebench/core';
import { mergeSimpleAverage } from './simple-average.js';

export const simpleAverageMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'simple-average',
    description: 'Averages the fine-tuned models parameter by parameter: θ = (θ₁ + … + θₙ)/n.',
    params: [],
    paper: {
      title:
        'Model soups: averaging weights of multiple fine-tuned models improves accuracy (Wortsman et al., ICML 2022)',
      url: 'https://arxiv.org/abs/2203.05482',
    },
  },
  create: () => ({
    async run(modelpool) {
      return { kind: 'model', model: await mergeSimpleAverage(modelpool) };
    },
  }),
};
