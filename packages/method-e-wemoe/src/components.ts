import { isAbsolute, resolve } from 'node:path';
import type { Component, Method, PaperLink } from '@mergebench/core';
import { WemoeMethod } from '@mergebench/moe';
import { E_WEMOE_PARAMS, eWemoeSettings } from './params.js';
import { sparseMoeDesign } from './sparse-moe-design.js';

export const E_WEMOE_PAPER: PaperLink = {
  title:
    'Efficient and Effective Weight-Ensembling Mixture of Experts for Multi-Task Model Merging (Shen et al., 2024)',
  url: 'https://arxiv.org/abs/2410.21804',
};

/** E-WEMoE: WEMoE with pruned, sparsely stored task vectors and one router shared by all layers. */
export const eWemoe: Component<Method> = {
  info: {
    kind: 'method',
    name: 'e-wemoe',
    description:
      'Efficient WEMoE: each MLP task vector pruned to its largest entries per tensor and stored sparse; one router shared by all layers, trained by entropy minimisation on unlabelled test batches.',
    params: E_WEMOE_PARAMS,
    paper: E_WEMOE_PAPER,
    needs: { unlabelledTest: true, heads: true },
  },
  create: ({ params, baseDir }) => {
    const settings = eWemoeSettings(params, (path) => (isAbsolute(path) ? path : resolve(baseDir, path)));
    return new WemoeMethod('e-wemoe', settings, (experts, seed) =>
      sparseMoeDesign({
        experts,
        depth: settings.routerDepth,
        initLambda: settings.initLambda,
        seed,
        pruneRatio: settings.tvPruneRatio,
        encodingDim: settings.encodingDim,
      }),
    );
  },
};
