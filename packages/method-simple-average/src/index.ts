import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { simpleAverageMethod } from './component.js';

export { simpleAverageMethod } from './component.js';
export { mergeSimpleAverage } from './simple-average.js';

export default definePlugin({
  name: '@mergebench/method-simple-average',
  register(r) {
    r.method(simpleAverageMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
