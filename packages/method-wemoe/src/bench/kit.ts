// What other packages' benchmarks reuse (`@mergebench/method-wemoe/bench-kit`): random CLIP pools
// and tasks with the reference setting's sizes, so that a variant's step is timed on the same work.

export { RandomClipPool } from '@mergebench/modelpool-clip-vit';
export { BENCH_CLASSES, BENCH_TASKS } from './models.js';
export { RandomTasks } from './random-tasks.js';
export { type TimedStepsOptions, timeAdaptationSteps } from './timed-steps.js';
