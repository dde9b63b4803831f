import type { Component, Method } from '@mergebench/core';
import { mergeMedian } from './median.js';

export const medianMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'median',
    description:
      'Element-wise median of the fine-tuned models: each parameter takes the middle value over the models, which ignores a minority of outlying task updates.',
    params: [],
    // Weights only: it reads no task data of any kind.
    needs: {},
  },
  create: () => ({
    async run(modelpool) {
      return { kind: 'model', model: await mergeMedian(modelpool) };
    },
  }),
};
