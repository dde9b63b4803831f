import type { DependencyContainer } from 'tsyringe';
import type { TaskData, TaskHeads } from '../contracts/task-pool.js';
import { resolveService, TOKENS } from '../di/tokens.js';
import { check, listNames } from '../errors.js';

export interface AdaptationServices {
  readonly data: TaskData;
  readonly heads: TaskHeads;
}

/**
 * The task pool's data and heads for test-time adaptation, checked to cover every task (a
 * fine-tuned model is named after its task) with test data before anything heavy is loaded.
 */
export function adaptationServices(
  container: DependencyContainer,
  tasks: readonly string[],
  who: string,
): AdaptationServices {
  const data = resolveService(container, TOKENS.taskData, who);
  const heads = resolveService(container, TOKENS.taskHeads, who);
  for (const task of tasks) {
    check(
      data.taskNames.includes(task),
      () => `${who}: the task pool has no data for model '${task}' (its tasks: ${listNames(data.taskNames)})`,
    );
    check(
      heads.taskNames.includes(task),
      () =>
        `${who}: the task pool has no head for model '${task}' (its heads: ${listNames(heads.taskNames)})`,
    );
    check(data.size(task, 'test') > 0, () => `${who}: task '${task}' has no test data to adapt on`);
  }
  return { data, heads };
}
