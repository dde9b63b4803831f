import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { regmeanMethod } from './component.js';

export { type CholeskyOptions, type CholeskyResult, choleskyFactor, choleskySolve } from './cholesky.js';
export { regmeanMethod } from './component.js';
export { captureGramMatrices, type GramMatrices } from './gram-matrices.js';
export { type LinearInputObserver, withLinearInputs } from './linear-inputs.js';
export { reduceOffDiagonal } from './off-diagonal.js';
export {
  mergeRegMean,
  type RegMeanOptions,
  type RegMeanReport,
  type RegularisedLayer,
} from './regmean-merging.js';
export { PIVOT_TOLERANCE, type RegMeanSolution, RIDGE, solveRegMean } from './regmean-solve.js';
export { type MergedLinearWeight, RegMeanSums, weightKey } from './regmean-sums.js';

export default definePlugin({
  name: '@mergebench/method-regmean',
  register(r) {
    r.method(regmeanMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
