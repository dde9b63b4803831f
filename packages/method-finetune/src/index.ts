// @mergebench/method-finetune: supervised training of a model's encoder with frozen task heads,
// on one task (`finetune`) or several at once (`multitask-finetune`).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { finetune, multitaskFinetune } from './components.js';

export { ClippedOptimizer } from './clipped-optimizer.js';
export { finetune, multitaskFinetune } from './components.js';
export { FinetuneMethod, type FinetuneSettings } from './finetune-method.js';
export { TRAINING_PARAMS, trainingSettings } from './params.js';
export { learningRateSchedule, type ScheduleName } from './schedule.js';
export { type EncoderTraining, type OptimizerSettings, trainEncoder } from './train-encoder.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export default definePlugin({
  name: '@mergebench/method-finetune',
  register(r) {
    r.method(finetune);
    r.method(multitaskFinetune);
    r.presets(join(packageDir, 'configs'));
  },
});
