import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { fisherMethod } from './component.js';

export { fisherMethod } from './component.js';
export {
  FISHER_ESTIMATES,
  type FisherDiagonal,
  type FisherEstimate,
  fisherDiagonal,
} from './fisher-diagonal.js';
export {
  excludedByRegex,
  type FisherMergingOptions,
  type FisherMergingReport,
  type FisherServices,
  mergeFisher,
} from './fisher-merging.js';
export { FisherWeightedSum } from './fisher-weighted-sum.js';
export { stopGradient } from './stop-gradient.js';

export default definePlugin({
  name: '@mergebench/method-fisher',
  register(r) {
    r.method(fisherMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
