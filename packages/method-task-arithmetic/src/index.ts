import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { taskArithmeticMethod } from './component.js';

export { taskArithmeticMethod } from './component.js';
export { mergeTaskArithmetic, type TaskArithmeticOptions } from './task-arithmetic.js';

export default definePlugin({
  name: '@mergebench/method-task-arithmetic',
  register(r) {
    r.method(taskArithmeticMethod);
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
