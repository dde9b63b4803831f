import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { ComponentInfo, DataNeeds } from '../contracts/component.js';
import type { BatchOptions, Split, TaskData, TaskHeads } from '../contracts/task-pool.js';
import { MergebenchError } from '../errors.js';
import { refuseHeldOut } from '../program/held-out.js';
import { hasService, resolveService, TOKENS, type Token } from './tokens.js';

/** What a split needs declared, for the error that names it. */
const SPLIT_NEEDS: Readonly<Record<Split, keyof DataNeeds>> = {
  train: 'labelledTrain',
  validation: 'labelledValidation',
  test: 'unlabelledTest',
};

function refuse(who: string, what: string, need: string): never {
  throw new MergebenchError(
    `${who} reads ${what} but does not declare it: add ${need} to its ComponentInfo.needs (the run gives a method only the data its declaration names, so that reports say truly what it used)`,
  );
}

/** TaskData that serves only the splits, and the labels, that `needs` declares. */
class DeclaredTaskData implements TaskData {
  constructor(
    private readonly data: TaskData,
    private readonly needs: DataNeeds,
    private readonly who: string,
    private readonly heldOut: readonly string[] = [],
  ) {}

  get taskNames(): readonly string[] {
    return this.data.taskNames.filter((task) => !this.heldOut.includes(task));
  }

  private assertSplit(split: Split, task: string): void {
    if (this.heldOut.includes(task)) refuseHeldOut(this.who, `the ${split} split`, task);
    const need = SPLIT_NEEDS[split];
    if (this.needs[need] !== true) refuse(this.who, `the ${split} split`, `${need}: true`);
  }

  size(task: string, split: Split): number {
    this.assertSplit(split, task);
    return this.data.size(task, split);
  }

  batches(task: string, split: Split, options: BatchOptions) {
    this.assertSplit(split, task);
    // Test data is declared unlabelled: its labels are the evaluation's, never the method's.
    if (split === 'test' && options.unlabelled !== true) {
      throw new MergebenchError(
        `${this.who} asks for the labels of the test split: a method may read test inputs only (batches with { unlabelled: true }); the labels are the evaluation's`,
      );
    }
    return this.data.batches(task, split, options);
  }
}

function override<T>(child: DependencyContainer, tok: Token<T>, factory: () => T): void {
  child.register(tok.symbol as InjectionToken<T>, { useFactory: factory });
}

/** Task heads without the held-out tasks' heads. */
function headsWithout(heads: TaskHeads, heldOut: readonly string[], who: string): TaskHeads {
  if (heldOut.length === 0) return heads;
  return {
    taskNames: heads.taskNames.filter((task) => !heldOut.includes(task)),
    head: (task) => (heldOut.includes(task) ? refuseHeldOut(who, 'the head', task) : heads.head(task)),
    numClasses: (task) =>
      heldOut.includes(task) ? refuseHeldOut(who, 'the head', task) : heads.numClasses(task),
    ...(heads.featureDimOf ? { featureDimOf: (task: string) => heads.featureDimOf!(task) } : {}),
    ...(heads.source !== undefined ? { source: heads.source } : {}),
  };
}

/**
 * The container a method sees: the run's, with task data and heads reachable only as far as the
 * method's `needs` declares them, and never those of the run's held-out tasks. A method that
 * declares weights only and asks for task data fails with an error that names the missing
 * declaration.
 */
export function methodContainer(
  container: DependencyContainer,
  info: ComponentInfo,
  heldOut: readonly string[] = [],
): DependencyContainer {
  const child = container.createChildContainer();
  const needs = info.needs ?? {};
  const who = `method ${info.name}`;
  if (hasService(container, TOKENS.taskData)) {
    const declared = needs.labelledTrain || needs.labelledValidation || needs.unlabelledTest;
    override(child, TOKENS.taskData, () => {
      if (!declared) refuse(who, 'task data', 'labelledTrain, labelledValidation or unlabelledTest');
      return new DeclaredTaskData(resolveService(container, TOKENS.taskData), needs, who, heldOut);
    });
  }
  if (hasService(container, TOKENS.taskHeads)) {
    override(child, TOKENS.taskHeads, (): TaskHeads => {
      if (needs.heads !== true) refuse(who, 'task heads', 'heads: true');
      return headsWithout(resolveService(container, TOKENS.taskHeads), heldOut, who);
    });
  }
  return child;
}
