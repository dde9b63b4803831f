import type { Component, Method, ParamSpec } from '@mergebench/core';
import { mergeDare } from './dare.js';

const PAPER = {
  title:
    'Language Models are Super Mario: Absorbing Abilities from Homologous Models as a Free Lunch (Yu et al., ICML 2024)',
  url: 'https://arxiv.org/abs/2311.03099',
};

const PARAMS: ParamSpec[] = [
  {
    name: 'drop_rate',
    type: ['number', 'number[]'],
    default: 0.9,
    description:
      'p: share of each task vector dropped at random (survivors scaled by 1/(1 − p)); one value or one per model',
  },
  {
    name: 'weights',
    type: 'number[]',
    nullable: true,
    default: null,
    description: 'wᵢ per model in pool order (mergekit weight); null weighs every model 1',
  },
  { name: 'scaling_factor', type: 'number', default: 1, description: 'λ in θ₀ + λ·merged (mergekit lambda)' },
  {
    name: 'normalize',
    type: 'boolean',
    default: false,
    description: 'Divide by the sum of the weights taking part (mergekit normalize)',
  },
];

function dareComponent(name: string, signConsensus: boolean, description: string): Component<Method> {
  return {
    info: { kind: 'method', name, description, params: PARAMS, paper: PAPER },
    create: ({ params }) => ({
      async run(modelpool, ctx) {
        const model = await mergeDare(modelpool, {
          dropRate: params.drop_rate as number | number[],
          weights: (params.weights as number[] | null) ?? undefined,
          scalingFactor: params.scaling_factor as number,
          normalize: params.normalize as boolean,
          signConsensus,
          seed: ctx.seed,
        });
        return { kind: 'model', model };
      },
    }),
  };
}

export const dareMethod = dareComponent(
  'dare',
  false,
  'DARE on task arithmetic (mergekit dare_linear): θ = θ₀ + λ·Σᵢ wᵢ·DARE(θᵢ − θ₀), drops seeded by the run seed.',
);
export const dareTiesMethod = dareComponent(
  'dare-ties',
  true,
  'DARE on TIES (mergekit dare_ties): dropped and rescaled task vectors, weighted, merged where they agree with the elected sign.',
);
