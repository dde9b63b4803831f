import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { tiesMethod } from './component.js';

export { tiesMethod } from './component.js';
export { mergeTies, type TiesOptions, thresholdPercent } from './ties.js';

export default definePlugin({
  name: '@mergebench/method-ties',
  register(r) {
    r.method(tiesMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
