import { definePlugin } from '../contracts/plugin.js';
import { dummyMethod } from './dummy-method.js';
import { toyModelPool, toyTaskPool } from './toy-components.js';

/** Components that ship with core, so a run works with no plugin installed. */
export const builtinPlugin = definePlugin({
  name: '@mergebench/core',
  register(r) {
    r.method(dummyMethod);
    r.modelpool(toyModelPool);
    r.taskpool(toyTaskPool);
  },
});
