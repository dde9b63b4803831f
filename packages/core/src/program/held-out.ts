import type { ModelPool } from '../contracts/model-pool.js';
import type { TaskPool } from '../contracts/task-pool.js';
import { check, listNames, MergebenchError } from '../errors.js';

/**
 * Checks the run's `held_out` tasks before any work: each must be a fine-tuned model of the
 * pool, and at least one model must stay to merge.
 */
export function checkHeldOut(heldOut: readonly string[], modelpool: ModelPool, taskpool: TaskPool): void {
  // Nothing held out: nothing to check (a pool may hold no fine-tuned model at all, e.g. to fine-tune).
  if (heldOut.length === 0) return;
  for (const task of heldOut) {
    check(
      modelpool.modelNames.includes(task),
      () =>
        `held_out: '${task}' is not a model of the model pool (models: ${listNames(modelpool.modelNames)})`,
    );
    check(
      taskpool.taskNames.includes(task),
      () =>
        `held_out: '${task}' is not a task of the task pool, which could not evaluate it (tasks: ${listNames(taskpool.taskNames)})`,
    );
  }
  check(
    modelpool.modelNames.some((name) => !heldOut.includes(name)),
    'held_out: every model of the pool is held out; at least one must be merged',
  );
}

/** The error a method gets for touching a held-out task's model, data or head. */
export function refuseHeldOut(who: string, what: string, task: string): never {
  throw new MergebenchError(
    `${who} reads ${what} of '${task}', which the run holds out (held_out): a held-out task is evaluated only, never merged or adapted on`,
  );
}

/**
 * The model pool a method sees in a run with held-out tasks: the held-out models are not listed,
 * and loading or opening one fails.
 */
export function withoutHeldOut(pool: ModelPool, heldOut: readonly string[]): ModelPool {
  if (heldOut.length === 0) return pool;
  const who = 'the method';
  const guard = (name: string) => {
    if (heldOut.includes(name)) refuseHeldOut(who, 'the model', name);
  };
  return {
    modelNames: pool.modelNames.filter((name) => !heldOut.includes(name)),
    hasPretrained: pool.hasPretrained,
    featureDim: pool.featureDim,
    loadModel: (name) => {
      guard(name);
      return pool.loadModel(name);
    },
    openWeights: (name) => {
      guard(name);
      return pool.openWeights(name);
    },
    saveModel: (model, dir, options) => pool.saveModel(model, dir, options),
  };
}
