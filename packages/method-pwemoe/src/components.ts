import { isAbsolute, resolve } from 'node:path';
import type { Component, Method, PaperLink } from '@mergebench/core';
import { scalingFactorParam } from '@mergebench/task-vectors';
import { type ParetoLoss, PWEMOE_PARAMS, pwemoeSettings } from './params.js';
import { PwemoeMethod } from './pwemoe-method.js';
import { TaskArithmeticFamily } from './task-arithmetic-family.js';

export const PWEMOE_PAPER: PaperLink = {
  title:
    'Towards Efficient Pareto Set Approximation via Mixture of Experts Based Model Fusion (Tang et al., 2024)',
  url: 'https://arxiv.org/abs/2406.09770',
};

function pwemoeComponent(loss: ParetoLoss, description: string): Component<Method> {
  const name = `pwemoe-${loss}`;
  return {
    info: {
      kind: 'method',
      name,
      description,
      params: PWEMOE_PARAMS,
      paper: PWEMOE_PAPER,
      needs: { labelledTrain: true, heads: true },
    },
    create: ({ params, baseDir }) =>
      new PwemoeMethod(
        name,
        pwemoeSettings(loss, params, (path) => (isAbsolute(path) ? path : resolve(baseDir, path))),
      ),
  };
}

/** PWEMoE trained by linear scalarization: each step minimises Σᵢ rayᵢLᵢ. */
export const pwemoeLs = pwemoeComponent(
  'ls',
  'Pareto weight-ensembling MoE: MLPs (and attention) use θ₀ + Σᵢ rᵢ(ray)τᵢ with routing weights from the preference vector; routers trained on labelled data by linear scalarization Σᵢ rayᵢLᵢ; returns the family of plain models over a preference grid.',
);

/** PWEMoE trained by exact Pareto optimal search: each step's task weights come from EPO's linear program. */
export const pwemoeEpo = pwemoeComponent(
  'epo',
  "Pareto weight-ensembling MoE trained by EPO: each step's task weights solve the exact-Pareto-optimal linear program on the Gram matrix of the task gradients (HiGHS), falling back to ray/Σray when it has no solution; returns the family of plain models over a preference grid.",
);

/** Task arithmetic over the preference grid: the baseline front PWEMoE is compared with. */
export const taskArithmeticFamily: Component<Method> = {
  info: {
    kind: 'method',
    name: 'task-arithmetic-family',
    description:
      'The family θ₀ + λ·T·Σᵢ rayᵢτᵢ over the preference grid PWEMoE is evaluated on (equal weights: plain task arithmetic); the baseline Pareto front.',
    params: [
      scalingFactorParam(),
      {
        name: 'grid_points',
        type: 'integer',
        default: 11,
        min: 2,
        description:
          'Points per edge of the preference grid for 2 or 3 tasks; more tasks get equal weights and the one-hot vectors.',
      },
    ],
  },
  create: ({ params }) =>
    new TaskArithmeticFamily(params.scaling_factor as number, params.grid_points as number),
};
