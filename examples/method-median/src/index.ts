import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { medianMethod } from './component.js';

export { medianMethod } from './component.js';
export { medianOfStack, mergeMedian } from './median.js';

export default definePlugin({
  name: '@mergebench/example-method-median',
  register(r) {
    r.method(medianMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
