// @mergebench/method-adamerging: AdaMerging's task-wise and layer-wise merge coefficients, learned
// by entropy minimisation on unlabelled test data.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { adamergingLayerWise, adamergingTaskWise } from './components.js';

export { HISTORY_FILE } from '@mergebench/core';
export { AdaMergingMethod } from './adamerging-method.js';
export { ClampedOptimizer } from './clamped-optimizer.js';
export { coefficientColumns } from './coefficient-columns.js';
export {
  COEFFICIENTS_FILE,
  type CoefficientsFile,
  type CoefficientsLayout,
  readCoefficientsFile,
  writeCoefficientsFile,
} from './coefficients-file.js';
export { adamergingLayerWise, adamergingTaskWise } from './components.js';
export { mergedParameter } from './merged-parameter.js';
export { type CoefficientsByTask, type Granularity, MergedWeights } from './merged-weights.js';
export {
  MERGING_WEIGHTS_FILE,
  MERGING_WEIGHTS_FORMAT,
  MERGING_WEIGHTS_TENSOR,
  type MergingWeights,
  type MergingWeightsLayout,
  readMergingWeightsFile,
  writeMergingWeightsFile,
} from './merging-weights-file.js';
export { ADAMERGING_PARAMS, type AdaMergingSettings, adamergingSettings } from './params.js';
export { TaskVectors } from './task-vectors.js';

export default definePlugin({
  name: '@mergebench/method-adamerging',
  register(r) {
    r.method(adamergingTaskWise);
    r.method(adamergingLayerWise);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
