import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { weightedAverageMethod } from './component.js';

export { weightedAverageMethod } from './component.js';
export { type ModelWeights, resolveModelWeights } from './model-weights.js';
export { mergeWeightedAverage, type WeightedAverageOptions } from './weighted-average.js';

export default definePlugin({
  name: '@mergebench/method-weighted-average',
  register(r) {
    r.method(weightedAverageMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
