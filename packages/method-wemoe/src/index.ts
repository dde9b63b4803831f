// @mergebench/method-wemoe: Weight-Ensembling MoE — every MLP upscaled into a mixture of its task
// vectors, routed per sample by routers trained at test time on unlabelled data.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { wemoe } from './components.js';

/** Re-exported from core, where every adaptation method's history file is named. */
export { HISTORY_FILE } from '@mergebench/core';
export { WEMOE_PAPER, wemoe } from './components.js';
export { DenseEnsembledLinear } from './dense-ensembled-linear.js';
export { EnsembledLinear } from './ensembled-linear.js';
export { LinearTaskVectors, type LinearValues } from './linear-task-vectors.js';
export {
  ACTIVATION_NAMES,
  MLP_LINEARS,
  type MlpLinearName,
  type MlpShape,
  type MlpSiteModule,
  mlpShape,
  type ResolvedActivation,
  resolveActivation,
} from './mlp-site.js';
export { denseMoeDesign, type MoeDesign, type RouterSettings } from './moe-design.js';
export type { BlocksProvider } from './ops/blocks-provider.js';
export { perSampleEnsembledProduct } from './ops/per-sample-ensembled-product.js';
export { recomputedActivation } from './ops/recomputed-activation.js';
export { sharedEnsembledProduct } from './ops/shared-ensembled-product.js';
export { type LrScheduler, WEMOE_PARAMS, type WemoeSettings, wemoeSettings } from './params.js';
export { ROUTER_DEPTHS, Router, type RouterDepth, type RouterOptions, routerLinear } from './router.js';
export { ROUTERS_FILE, readRouterFile, routerVariables, writeRouterFile } from './router-file.js';
export {
  mergeOutsideSites,
  taskVectorsOf,
  type UpscaleOptions,
  type UpscaleSummary,
  upscaleModel,
} from './upscale.js';
export { WeightEnsemblingMoE, type WeightEnsemblingMoEOptions } from './we-moe.js';
export { type MoeDesignFactory, WemoeMethod } from './wemoe-method.js';

export default definePlugin({
  name: '@mergebench/method-wemoe',
  register(r) {
    r.method(wemoe);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
