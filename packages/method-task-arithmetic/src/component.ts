import type { Component, Method } from '@mergebench/core';
import { EXCLUDE_KEYS_PARAM, scalingFactorParam } from '@mergebench/task-vectors';
import { mergeTaskArithmetic } from './task-arithmetic.js';

export const taskArithmeticMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'task-arithmetic',
    description: 'Adds the scaled sum of the task vectors to the pretrained model: θ = θ₀ + λ·Σᵢ(θᵢ − θ₀).',
    params: [scalingFactorParam(), { ...EXCLUDE_KEYS_PARAM, aliases: ['remove_keys'] }],
    paper: {
      title: 'Editing Models with Task Arithmetic (Ilharco et al., ICLR 2023)',
      url: 'https://arxiv.org/abs/2212.04089',
    },
  },
  create: ({ params }) => ({
    async run(modelpool, ctx) {
      const { model, report } = await mergeTaskArithmetic(modelpool, {
        scalingFactor: params.scaling_factor as number,
        excludeKeys: params.exclude_keys as string[],
        logger: ctx.logger,
      });
      return { kind: 'model', model, artifacts: { merge: report } };
    },
  }),
};
