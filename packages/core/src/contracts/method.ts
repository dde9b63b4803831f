import type { DependencyContainer } from 'tsyringe';
import type { Logger } from './logger.js';
import type { ModelPool } from './model-pool.js';
import type { MethodResult } from './result.js';

/** What a method may use during a run besides the model pool. */
export interface MethodContext {
  /**
   * The run's container. Task data and heads are reached through it (TASK_DATA, TASK_HEADS),
   * never by importing a task pool package.
   */
  readonly container: DependencyContainer;
  readonly logger: Logger;
  /** The run's folder; a method may write checkpoints and artifacts here (atomically). */
  readonly runDir: string;
  /** The run's seed; methods derive every random number from it. */
  readonly seed: number;
}

/** A merge method: turns a pool of models into a merged model, an upscaled model or a family. */
export interface Method {
  run(modelpool: ModelPool, ctx: MethodContext): Promise<MethodResult>;
}
