import { definePlugin } from '@mergebench/core';
import { slerpMethod } from './component.js';

export { slerpMethod } from './component.js';
export { mergeSlerp } from './slerp.js';

export default definePlugin({
  name: '@mergebench/method-slerp',
  register(r) {
    r.method(slerpMethod);
  },
});
