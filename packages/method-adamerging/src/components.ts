import { isAbsolute, resolve } from 'node:path';
import type { Component, Method, PaperLink } from '@mergebench/core';
import { AdaMergingMethod } from './adamerging-method.js';
import type { Granularity } from './merged-weights.js';
import { ADAMERGING_PARAMS, adamergingSettings } from './params.js';

const PAPER: PaperLink = {
  title: 'AdaMerging: Adaptive Model Merging for Multi-Task Learning (Yang et al., ICLR 2024)',
  url: 'https://arxiv.org/abs/2310.02575',
};

function adamergingComponent(name: string, granularity: Granularity, description: string): Component<Method> {
  return {
    info: {
      kind: 'method',
      name,
      description,
      params: ADAMERGING_PARAMS,
      paper: PAPER,
      needs: { unlabelledTest: true, heads: true },
    },
    create: ({ params, baseDir }) =>
      new AdaMergingMethod(
        name,
        granularity,
        adamergingSettings(params, (path) => (isAbsolute(path) ? path : resolve(baseDir, path))),
      ),
  };
}

/** One coefficient per task, learned by entropy minimisation on unlabelled test batches. */
export const adamergingTaskWise = adamergingComponent(
  'adamerging-task-wise',
  'task-wise',
  'θ = θ₀ + Σᵢ λᵢτᵢ with one λ per task, learned by minimising prediction entropy on unlabelled test batches of every task.',
);

/** One coefficient per task and parameter tensor, learned as the task-wise ones. */
export const adamergingLayerWise = adamergingComponent(
  'adamerging-layer-wise',
  'layer-wise',
  'θ = θ₀ + Σᵢ λᵢ,ₖτᵢ,ₖ with one λ per task and parameter tensor k, learned by minimising prediction entropy on unlabelled test batches of every task.',
);
