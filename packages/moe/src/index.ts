// @mergebench/moe: weight-ensembling mixtures of experts over task vectors — the WE-MoE module
// and its ensembled Linears, routers and router files, the upscaling of a model's MLP sites, and
// the test-time training of the routers that WEMoE, E-WEMoE and PWEMoE share.
export {
  BASE_BLOCK,
  BlockWeightEnsemblingMoE,
  type BlockWeightEnsemblingMoEOptions,
} from './block-we-moe.js';
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
export {
  type LrScheduler,
  routingInitLambdaParam,
  WEMOE_PARAMS,
  type WemoeSettings,
  wemoeSettings,
} from './params.js';
export { ROUTER_DEPTHS, Router, type RouterDepth, type RouterOptions, routerLinear } from './router.js';
export { ROUTERS_FILE, readRouterFile, routerVariables, writeRouterFile } from './router-file.js';
export { SparseEnsembledLinear } from './sparse-ensembled-linear.js';
export { pruneBias, pruneWeight, type SparseEntries } from './sparse-task-vector.js';
export {
  blockTaskVectors,
  checkUpscalable,
  mergeOutsideSites,
  targetSites,
  type UpscaleOptions,
  type UpscaleSummary,
  upscaleModel,
} from './upscale.js';
export { UPSCALE_TARGETS, upscaleTargetKinds } from './upscale-target.js';
export { WeightEnsemblingMoE, type WeightEnsemblingMoEOptions } from './we-moe.js';
export { type MoeDesignFactory, WemoeMethod } from './wemoe-method.js';
