import { definePlugin } from '@mergebench/core';
import { dareMethod, dareTiesMethod } from './component.js';

export { dareMethod, dareTiesMethod } from './component.js';
export { type DareOptions, mergeDare } from './dare.js';

export default definePlugin({
  name: '@mergebench/method-dare',
  register(r) {
    r.method(dareMethod);
    r.method(dareTiesMethod);
  },
});
