import { isAbsolute, resolve } from 'node:path';
import type { Component, Method, PaperLink } from '@mergebench/core';
import { denseMoeDesign, WEMOE_PARAMS, WemoeMethod, wemoeSettings } from '@mergebench/moe';

export const WEMOE_PAPER: PaperLink = {
  title: 'Merging Multi-Task Models via Weight-Ensembling Mixture of Experts (Tang et al., ICML 2024)',
  url: 'https://arxiv.org/abs/2402.00433',
};

/** WEMoE: every MLP becomes a mixture of its task vectors routed per sample; routers trained at test time. */
export const wemoe: Component<Method> = {
  info: {
    kind: 'method',
    name: 'wemoe',
    description:
      'Weight-Ensembling MoE: non-MLP parameters merged by task arithmetic; each MLP uses θ₀ + Σᵢ rᵢ(x)τᵢ with routing weights r from a router per layer, trained by entropy minimisation on unlabelled test batches.',
    params: WEMOE_PARAMS,
    paper: WEMOE_PAPER,
    needs: { unlabelledTest: true, heads: true },
  },
  create: ({ params, baseDir }) => {
    const settings = wemoeSettings(params, (path) => (isAbsolute(path) ? path : resolve(baseDir, path)));
    return new WemoeMethod('wemoe', settings, (experts, seed) =>
      denseMoeDesign({ experts, depth: settings.routerDepth, initLambda: settings.initLambda, seed }),
    );
  },
};
