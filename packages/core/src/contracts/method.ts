import type { DependencyContainer } from 'tsyringe';
import type { Logger } from './logger.js';
import type { ModelPool } from './model-pool.js';
import type { MethodResult } from './result.js';

/** What a method may use during a run besides the model pool. */
export interface MethodContext {
  /**
   * The run's container. Task data and heads are reached through it (TASK_DATA, TASK_HEADS),
   * never by importing a task pool package, and only as far as the method's
   * `ComponentInfo.needs` declares them: anything else fails with an error naming the need.
   */
  readonly container: DependencyContainer;
  readonly logger: Logger;
  /** The run's folder; a method may save training states and artifacts here (atomically). */
  readonly runDir: string;
  /** The run's seed; methods derive every random number from it. */
  readonly seed: number;
  /**
   * Which run this is, for saved training states (see runTrainingState): set by the program, absent
   * where a method runs outside one (unit tests, harnesses).
   */
  readonly run?: RunIdentity;
}

/** What a training loop resumed from, as told to RunIdentity.resumed. */
export interface ResumeInfo {
  /** The loop's name, e.g. 'adaptation'. */
  readonly loop: string;
  /** Steps restored from the saved training state. */
  readonly fromStep: number;
  /** The loop's total steps. */
  readonly steps: number;
  /** Seconds the restored steps took in the earlier runs. */
  readonly secondsBefore: number;
}

/**
 * A run's identity: saved training states record its hash, and one with another hash is not resumed.
 */
export interface RunIdentity {
  /** configHash() of the run's resolved configuration. */
  readonly configHash: string;
  /** The determining configuration that hash covers, to name what differs. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Called by a training loop that resumed, so the report counts the time spent before. */
  resumed(info: ResumeInfo): void;
}

/** A merge method: turns a pool of models into a merged model, an upscaled model or a family. */
export interface Method {
  run(modelpool: ModelPool, ctx: MethodContext): Promise<MethodResult>;
}
