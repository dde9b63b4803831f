// @mergebench/method-pwemoe: PWEMoE — Pareto weight-ensembling MoE. Blocks upscaled into mixtures
// of task vectors routed by a preference vector, trained so that every preference gives a model
// on the Pareto front; the front is evaluated over a preference grid and compared by hypervolume.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { pwemoeEpo, pwemoeLs, taskArithmeticFamily } from './components.js';

export { collapsedStateDict, collapseInto, paretoModules, setPreference } from './collapse.js';
export { PWEMOE_PAPER, pwemoeEpo, pwemoeLs, taskArithmeticFamily } from './components.js';
export {
  EPO_EPSILON,
  type EpoMove,
  type EpoSolution,
  epoAdjustments,
  epoWeights,
  gramMatrix,
} from './epo-lp.js';
export { hypervolume } from './hypervolume.js';
export { type ParetoLoss, PWEMOE_PARAMS, type PwemoeSettings, pwemoeSettings } from './params.js';
export { BASE_MODULE, type ParetoModuleOptions, ParetoWeightEnsemblingModule } from './pareto-module.js';
export { checkPreference, preferenceGrid, preferenceLabel, sampleDirichlet } from './preference.js';
export { PreferenceRemainder } from './preference-remainder.js';
export {
  PreferenceRouter,
  type PreferenceRouterOptions,
  ROUTER_INITS,
  type RouterInit,
} from './preference-router.js';
export { HISTORY_FILE, PwemoeMethod } from './pwemoe-method.js';
export { TaskArithmeticFamily } from './task-arithmetic-family.js';
export {
  type ParetoUpscaled,
  type ParetoUpscaleOptions,
  type ParetoUpscaleSummary,
  upscaleParetoModel,
} from './upscale.js';

export default definePlugin({
  name: '@mergebench/method-pwemoe',
  register(r) {
    r.method(pwemoeLs);
    r.method(pwemoeEpo);
    r.method(taskArithmeticFamily);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
