import {
  type CreateContext,
  type EvaluateOptions,
  evaluateClassification,
  MergebenchError,
  type Module,
  provide,
  type TaskHeads,
  type TaskPool,
  type TaskPoolResult,
  TOKENS,
} from '@mergebench/core';
import { loadHeads, type TaskHeadSet } from './heads.js';
import { type ImageTaskOptions, loadImageTasks } from './load-tasks.js';
import type { ImageTaskData } from './task-data.js';

export interface ImageClassificationOptions extends ImageTaskOptions {
  /** A heads file (see loadHeads), or heads the caller built (and keeps owning). */
  readonly heads: string | TaskHeadSet;
  /** Examples per evaluation batch. Default 128. */
  readonly batchSize?: number;
}

/**
 * Image classification tasks: evaluates a model (images [B, 3, S, S] → features) with each
 * task's frozen head on the test split, and provides the tasks' data and heads to methods.
 */
export class ImageClassificationTaskPool implements TaskPool {
  readonly taskNames: readonly string[];

  private constructor(
    readonly data: ImageTaskData,
    readonly heads: TaskHeads,
    private readonly batchSize: number,
    private readonly ownedHeads: TaskHeadSet | undefined,
  ) {
    this.taskNames = data.taskNames;
  }

  static async create(options: ImageClassificationOptions): Promise<ImageClassificationTaskPool> {
    const data = await loadImageTasks(options);
    const classes = new Map(data.taskNames.map((t) => [t, data.numClasses(t)]));
    const owned = typeof options.heads === 'string' ? await loadHeads(options.heads, classes) : undefined;
    const heads = owned ?? (options.heads as TaskHeadSet);
    for (const [task, count] of classes) {
      if (heads.numClasses(task) !== count) {
        owned?.dispose();
        throw new MergebenchError(
          `heads: the head of task '${task}' has ${heads.numClasses(task)} classes, the task ${count}`,
        );
      }
    }
    return new ImageClassificationTaskPool(data, heads, options.batchSize ?? 128, owned);
  }

  evaluate(model: Module, options: EvaluateOptions = {}): Promise<TaskPoolResult> {
    return evaluateClassification(model, this.data, this.heads, { ...options, batchSize: this.batchSize });
  }

  registerServices(container: CreateContext['container']): void {
    provide(container, TOKENS.taskData, this.data);
    provide(container, TOKENS.taskHeads, this.heads);
  }

  dispose(): void {
    this.ownedHeads?.dispose();
  }
}
