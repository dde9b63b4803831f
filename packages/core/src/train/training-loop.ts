import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { configDifferences } from '../config/config-hash.js';
import type { Logger } from '../contracts/logger.js';
import type { MethodContext } from '../contracts/method.js';
import type { Batch, Split, TaskData } from '../contracts/task-pool.js';
import { check, listNames, MergebenchError } from '../errors.js';
import { deriveSeed } from '../random.js';
import { BatchStream } from './batch-stream.js';
import type { StepRecord } from './history.js';
import type { LoopSettings, TrainingStateSettings } from './loop-params.js';
import type { Optimizer } from './optimizers.js';
import { ProgressBar, type ProgressReporter } from './progress.js';
import type { LrSchedule } from './schedules.js';
import {
  type LoopState,
  latestTrainingState,
  OPTIMIZER_FILE,
  readTrainingState,
  STATE_FILE,
  type TrainingState,
  VARIABLES_FILE,
  writeTrainingState,
} from './training-state.js';
import {
  adoptFormerTrainingState,
  runTrainingState,
  type TrainingStateOptions,
} from './training-state-options.js';

/**
 * The variables a loop trains. Saved training states store them by name: a map's keys (e.g. a module's
 * namedParameters()), or for a list, the positions "0", "1", ….
 */
export type TrainableVariables = ReadonlyMap<string, tf.Variable> | readonly tf.Variable[];

/**
 * The LoopOptions that a method's settings and its run decide: the steps and batches (its
 * LoopSettings), the batches' order (seeded by the run's seed and the method's name), the
 * saved training state (runTrainingState), the run's logger and the progress bar.
 */
export function methodLoopOptions(
  ctx: Pick<MethodContext, 'runDir' | 'run' | 'seed' | 'logger'>,
  name: string,
  settings: LoopSettings & TrainingStateSettings & { readonly progress: boolean },
): Pick<
  LoopOptions,
  'steps' | 'batchSize' | 'microBatchSize' | 'seed' | 'trainingState' | 'logger' | 'progress'
> {
  return {
    steps: settings.maxSteps,
    batchSize: settings.batchSize,
    microBatchSize: settings.microBatchSize,
    seed: deriveSeed(ctx.seed, `${name}/batches`),
    trainingState: runTrainingState(ctx, name, settings),
    logger: ctx.logger,
    progress: settings.progress,
  };
}

/** What every training loop takes; runAdaptation and runSupervised add the loss. */
export interface LoopOptions {
  readonly tasks: readonly string[];
  readonly data: TaskData;
  /** Exactly the variables the optimizer manages, in any order. */
  readonly variables: TrainableVariables;
  readonly optimizer: Optimizer;
  /** Sets the optimizer's learning rate before each update; without one it is left as is. */
  readonly schedule?: LrSchedule;
  /** Total updates; a resumed run continues up to this count. */
  readonly steps: number;
  /** Examples per task per step. */
  readonly batchSize: number;
  /**
   * Examples per forward and backward pass (default: the whole batch). A task's batch is split
   * into passes of at most this many and their losses and gradients summed, each weighted by its
   * share of the batch: for a loss that is a mean over examples (entropy, cross-entropy) that is
   * the whole batch's gradient, while a pass's memory (activations and intermediate gradients,
   * which tfjs holds until its backward pass ends) shrinks with its examples.
   */
  readonly microBatchSize?: number;
  /** Seeds the batch order of every task and epoch. */
  readonly seed: number;
  /** Called before each step draws its batches (e.g. to set what the step trains for); awaited. */
  readonly beforeStep?: (step: number) => void | Promise<void>;
  /**
   * Weighs each step's tasks: given every task's loss and gradients (in `tasks` order), returns one
   * weight per task, and the update uses Σₜ wₜ·gₜ instead of the plain sum; the step's recorded
   * loss is then Σₜ wₜ·Lₜ. For objectives that combine the tasks from their gradients (EPO).
   */
  readonly weighTasks?: (
    step: number,
    losses: readonly number[],
    gradients: readonly ReadonlyMap<tf.Variable, tf.Tensor>[],
  ) => readonly number[] | Promise<readonly number[]>;
  /** Called after each step's update (and the saving of its training state); awaited. */
  readonly onStep?: (record: StepRecord) => void | Promise<void>;
  /** Extra values for each step's record, read after its update (e.g. learned coefficients). */
  readonly recordExtra?: (step: number) => Readonly<Record<string, number>>;
  /** Where and how often the loop saves its state, to resume from; not saved without it. */
  readonly trainingState?: TrainingStateOptions;
  /** @deprecated renamed `trainingState`; still read when that is not given. */
  readonly checkpoint?: TrainingStateOptions;
  readonly logger?: Logger;
  /** A bar on stderr when it is a terminal (default true), false for none, or a reporter of your own. */
  readonly progress?: boolean | ProgressReporter;
}

export interface TrainingLoopOptions extends LoopOptions {
  /** Names the loop in messages and the progress bar, e.g. 'adaptation'. */
  readonly name: string;
  readonly split: Split;
  readonly unlabelled: boolean;
  /** The loss of one task on one batch; its gradient w.r.t. the variables is summed over tasks. */
  readonly lossForBatch: (task: string, batch: Batch) => tf.Scalar;
}

export interface TrainingResult {
  /** One record per step, including those restored from a saved training state. */
  readonly history: StepRecord[];
  /** The step the run continued from (0 for a fresh run). */
  readonly resumedFrom: number;
}

function nameVariables(variables: TrainableVariables): Map<string, tf.Variable> {
  return variables instanceof Map
    ? new Map(variables)
    : new Map((variables as tf.Variable[]).map((v, i) => [String(i), v]));
}

function checkOptions(options: TrainingLoopOptions, named: ReadonlyMap<string, tf.Variable>): void {
  const { name, tasks, data, steps, batchSize, optimizer } = options;
  check(tasks.length > 0, `${name}: no tasks to train on`);
  const twice = tasks.filter((task, i) => tasks.indexOf(task) !== i);
  check(twice.length === 0, () => `${name}: task '${twice[0]}' is listed twice`);
  const unknown = tasks.filter((task) => !data.taskNames.includes(task));
  check(
    unknown.length === 0,
    () => `${name}: unknown task '${unknown[0]}'; the data has ${listNames(data.taskNames)}`,
  );
  check(Number.isInteger(steps) && steps >= 0, () => `${name}: steps ${steps} must be an integer ≥ 0`);
  check(
    Number.isInteger(batchSize) && batchSize >= 1,
    () => `${name}: batchSize ${batchSize} must be an integer ≥ 1`,
  );
  const { microBatchSize } = options;
  check(
    microBatchSize === undefined || (Number.isInteger(microBatchSize) && microBatchSize >= 1),
    () => `${name}: microBatchSize ${microBatchSize} must be an integer ≥ 1`,
  );
  check(
    options.trainingState === undefined || options.checkpoint === undefined,
    () => `${name}: give trainingState only (checkpoint is its former name)`,
  );
  const saving = savingOf(options);
  if (saving) {
    check(
      Number.isInteger(saving.every) && saving.every >= 1,
      () => `${name}: trainingState.every ${saving.every} must be an integer ≥ 1`,
    );
  }
  const variables = new Set(named.values());
  check(variables.size === named.size, () => `${name}: a variable is listed under two names`);
  const managed = new Set(optimizer.variables);
  check(
    variables.size === managed.size && [...variables].every((v) => managed.has(v)),
    () =>
      `${name}: the optimizer's ${managed.size} variables are not the loop's ${variables.size}; ` +
      'pass the same variables to both',
  );
  check(
    [...variables].some((v) => v.trainable),
    () => `${name}: none of the ${variables.size} variables is trainable`,
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The loop's TrainingStateOptions, under their name now or their former one. */
function savingOf(options: LoopOptions): TrainingStateOptions | undefined {
  return options.trainingState ?? options.checkpoint;
}

/** Checks that a saved state belongs to this run, then loads it into the variables and optimizer. */
function restore(
  saved: TrainingState,
  options: TrainingLoopOptions,
  named: ReadonlyMap<string, tf.Variable>,
): void {
  const origin = join(saved.path, STATE_FILE);
  const run = savingOf(options)?.run;
  if (run && saved.state.configHash !== undefined && saved.state.configHash !== run.configHash) {
    const differs = saved.state.config ? configDifferences(saved.state.config, run.config) : [];
    throw new MergebenchError(
      `${origin}: this training state belongs to a run with another configuration` +
        `${differs.length > 0 ? ` (${differs.join('; ')})` : ''}; ` +
        'not resuming it: choose a new run_name, or pass --fresh to delete the old run and start over',
    );
  }
  const expected: Omit<LoopState, 'step' | 'history'> = {
    tasks: options.tasks,
    split: options.split,
    batchSize: options.batchSize,
    seed: options.seed,
  };
  for (const [key, value] of Object.entries(expected)) {
    const got = saved.state[key as keyof LoopState];
    if (JSON.stringify(got) !== JSON.stringify(value)) {
      throw new MergebenchError(
        `${origin}: the saved training state's ${key} is ${JSON.stringify(got)} but this run's is ${JSON.stringify(value)}`,
      );
    }
  }
  const variablesPath = join(saved.path, VARIABLES_FILE);
  const missing = [...named.keys()].filter((key) => !saved.variables.has(key));
  const unexpected = [...saved.variables.keys()].filter((key) => !named.has(key));
  check(
    missing.length === 0 && unexpected.length === 0,
    () =>
      `${variablesPath}: variables do not match (missing: ${listNames(missing, 4)}; unexpected: ${listNames(unexpected, 4)})`,
  );
  for (const [key, variable] of named) {
    const value = saved.variables.get(key)!;
    check(
      sameShape(value.shape, variable.shape),
      () => `${variablesPath}: '${key}' has shape [${value.shape}], the variable has [${variable.shape}]`,
    );
  }
  options.optimizer.loadState(saved.optimizerState, join(saved.path, OPTIMIZER_FILE));
  tf.tidy(() => {
    for (const [key, variable] of named) variable.assign(tf.cast(saved.variables.get(key)!, variable.dtype));
  });
}

/** Adds `grads` (by variable name) into `sum`, disposing what it replaces; nulls are skipped. */
function accumulate(
  sum: Map<tf.Variable, tf.Tensor>,
  grads: tf.NamedTensorMap,
  byName: ReadonlyMap<string, tf.Variable>,
): void {
  for (const [name, grad] of Object.entries(grads)) {
    if (grad === null) continue;
    const variable = byName.get(name)!;
    const previous = sum.get(variable);
    if (previous === undefined) {
      sum.set(variable, grad);
    } else {
      sum.set(variable, tf.add(previous, grad));
      tf.dispose([previous, grad]);
    }
  }
}

/** Writes Σₜ wₜ·gₜ into `sum` (empty on entry) and returns Σₜ wₜ·Lₜ. */
function weightedSum(
  sum: Map<tf.Variable, tf.Tensor>,
  perTask: readonly ReadonlyMap<tf.Variable, tf.Tensor>[],
  weights: readonly number[],
  losses: readonly number[],
): number {
  perTask.forEach((grads, t) => {
    for (const [variable, grad] of grads) {
      const previous = sum.get(variable);
      const scaled = tf.mul(grad, weights[t]);
      sum.set(variable, previous === undefined ? scaled : tf.add(previous, scaled));
      if (previous !== undefined) tf.dispose([previous, scaled]);
    }
  });
  return losses.reduce((total, loss, t) => total + weights[t] * loss, 0);
}

/** The name of a variable whose summed gradient has a NaN or ±Infinity, if any. */
async function nonFiniteGradient(
  sum: ReadonlyMap<tf.Variable, tf.Tensor>,
  names: ReadonlyMap<tf.Variable, string>,
): Promise<string | undefined> {
  const entries = [...sum.entries()];
  if (entries.length === 0) return undefined;
  const flags = tf.tidy(() => tf.stack(entries.map(([, g]) => tf.all(tf.isFinite(g)))));
  const finite = await flags.data();
  flags.dispose();
  const bad = finite.findIndex((ok) => !ok);
  return bad < 0 ? undefined : names.get(entries[bad][0]);
}

function disposeBatch(batch: Batch): void {
  tf.dispose(batch.labels ? [batch.inputs, batch.labels] : [batch.inputs]);
}

/** Rows [start, start + size) of a batch, as new tensors. */
function sliceBatch(batch: Batch, start: number, size: number): Batch {
  const rows = (t: tf.Tensor) => tf.slice(t, start, size);
  return batch.labels
    ? { inputs: rows(batch.inputs), labels: rows(batch.labels) as tf.Tensor1D }
    : { inputs: rows(batch.inputs) };
}

/**
 * The loss of one batch and its gradients by variable name, from passes of at most `microBatch`
 * examples, each weighted by its share of the batch (one unweighted pass when the batch fits).
 * Disposes the batch.
 */
async function batchGradients(
  lossOf: (batch: Batch) => tf.Scalar,
  batch: Batch,
  variables: tf.Variable[],
  microBatch: number | undefined,
): Promise<{ value: number; grads: tf.NamedTensorMap }> {
  const rows = batch.inputs.shape[0];
  const passes =
    microBatch === undefined || microBatch >= rows
      ? [{ start: 0, size: rows }]
      : Array.from({ length: Math.ceil(rows / microBatch) }, (_, i) => ({
          start: i * microBatch,
          size: Math.min(microBatch, rows - i * microBatch),
        }));
  let value = 0;
  const grads: tf.NamedTensorMap = {};
  try {
    for (const { start, size } of passes) {
      const part = passes.length === 1 ? batch : sliceBatch(batch, start, size);
      let pass: { value: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        pass = tf.variableGrads(() => lossOf(part), variables);
      } finally {
        if (part !== batch) disposeBatch(part);
      }
      const share = size / rows;
      value += (await pass.value.data())[0] * share;
      pass.value.dispose();
      for (const [key, grad] of Object.entries(pass.grads)) {
        if (grad === null) continue;
        if (passes.length === 1) {
          grads[key] = grad;
          continue;
        }
        const previous = grads[key];
        grads[key] = tf.tidy(() => {
          const scaled = tf.mul(grad, share);
          return previous ? tf.add(previous, scaled) : scaled;
        });
        tf.dispose(previous ? [previous, grad] : [grad]);
      }
    }
  } catch (e) {
    tf.dispose(Object.values(grads));
    throw e;
  } finally {
    disposeBatch(batch);
  }
  return { value, grads };
}

/**
 * The loop shared by test-time adaptation and supervised training. Each step takes one batch of
 * every task, computes each task's loss and its gradients w.r.t. the variables, sums the
 * gradients over tasks and applies one optimizer update; the per-task and total losses go into
 * the history. A non-finite loss or gradient stops the run with an error naming the step (and the
 * task or variable) and the last training state saved. With saved states, an interrupted run
 * resumed from its latest one ends bit for bit where an uninterrupted run would.
 */
export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingResult> {
  const { name, tasks, data, optimizer, schedule, steps, batchSize, seed, logger } = options;
  const named = nameVariables(options.variables);
  checkOptions(options, named);
  const variableList = [...named.values()];
  const byTfName = new Map(variableList.map((v) => [v.name, v]));
  const nameOf = new Map([...named].map(([key, v]) => [v, key]));

  const saving = savingOf(options);
  let history: StepRecord[] = [];
  let lastSaved: string | undefined;
  // Seconds of the steps restored from a saved state: the run's time counts them too.
  let secondsBefore = 0;
  if (saving) {
    await adoptFormerTrainingState(saving, name, logger);
    const latest = await latestTrainingState(saving.dir);
    if (latest !== undefined && !saving.resume) {
      throw new MergebenchError(
        `${name}: ${saving.dir} already holds a saved training state (${latest}); resume from it, choose a new run_name, or pass --fresh to start over`,
      );
    }
    if (latest !== undefined) {
      const saved = await readTrainingState(latest);
      try {
        check(
          saved.state.step <= steps,
          () =>
            `${name}: the training state ${latest} is at step ${saved.state.step}, past this run's ${steps} steps`,
        );
        restore(saved, options, named);
      } finally {
        tf.dispose([...saved.variables.values(), ...saved.optimizerState.values()]);
      }
      history = [...saved.state.history];
      lastSaved = latest;
      secondsBefore = saved.state.seconds ?? 0;
      saving.run?.resumed({ loop: name, fromStep: saved.state.step, steps, secondsBefore });
      logger?.info(`${name}: resuming from ${latest} at step ${saved.state.step} of ${steps}`);
    }
  }
  const resumedFrom = history.length;

  const streams = tasks.map(
    (task) =>
      new BatchStream(data, task, {
        split: options.split,
        batchSize,
        seed,
        unlabelled: options.unlabelled,
        startBatch: resumedFrom,
      }),
  );
  const progress =
    typeof options.progress === 'object'
      ? options.progress
      : options.progress === false
        ? undefined
        : new ProgressBar({ total: steps, start: resumedFrom, label: name, logger });

  const stop = (step: number, reason: string): MergebenchError =>
    new MergebenchError(
      `${name} stopped at step ${step}: ${reason}; ` +
        (lastSaved === undefined ? 'no training state was saved' : `last good training state: ${lastSaved}`),
    );

  const started = performance.now();
  try {
    for (let step = resumedFrom + 1; step <= steps; step++) {
      const lr = schedule ? schedule(step - 1) : optimizer.learningRate;
      check(
        Number.isFinite(lr) && lr >= 0,
        () => `${name}: the schedule gave learning rate ${lr} at step ${step}`,
      );
      optimizer.learningRate = lr;

      await options.beforeStep?.(step);
      const taskLosses: Record<string, number> = {};
      let total = 0;
      const summed = new Map<tf.Variable, tf.Tensor>();
      // With weighTasks, each task's gradients stay apart until the weights are known.
      const perTask: Map<tf.Variable, tf.Tensor>[] = [];
      try {
        for (const [t, task] of tasks.entries()) {
          const batch = await streams[t].next();
          const result = await batchGradients(
            (part) => options.lossForBatch(task, part),
            batch,
            variableList,
            options.microBatchSize,
          );
          const loss = result.value;
          if (!Number.isFinite(loss)) {
            tf.dispose(Object.values(result.grads).filter((g) => g !== null));
            throw stop(step, `the loss of task '${task}' is ${loss}`);
          }
          if (options.weighTasks) {
            perTask.push(new Map());
            accumulate(perTask[t], result.grads, byTfName);
          } else {
            accumulate(summed, result.grads, byTfName);
          }
          taskLosses[task] = loss;
          total += loss;
        }
        if (options.weighTasks) {
          const losses = tasks.map((task) => taskLosses[task]);
          const weights = await options.weighTasks(step, losses, perTask);
          check(
            weights.length === tasks.length && weights.every(Number.isFinite),
            () =>
              `${name}: weighTasks gave [${weights.join(', ')}] at step ${step}, not ${tasks.length} finite weights`,
          );
          total = weightedSum(summed, perTask, weights, losses);
        }
        const bad = await nonFiniteGradient(summed, nameOf);
        if (bad !== undefined) throw stop(step, `the gradient of variable '${bad}' is not finite`);
        optimizer.step(summed);
      } finally {
        tf.dispose([...summed.values(), ...perTask.flatMap((grads) => [...grads.values()])]);
      }

      const extra = options.recordExtra?.(step);
      const record: StepRecord = { step, loss: total, taskLosses, lr, ...(extra ? { extra } : {}) };
      history.push(record);
      progress?.update(step, total);
      logger?.progress?.({ loop: name, step, total: steps, loss: total });

      if (saving && step % saving.every === 0) {
        const optimizerState = optimizer.state();
        try {
          const seconds = secondsBefore + (performance.now() - started) / 1000;
          const run = saving.run;
          const state: LoopState = {
            step,
            tasks,
            split: options.split,
            batchSize,
            seed,
            history,
            seconds,
            ...(run ? { configHash: run.configHash, config: run.config } : {}),
          };
          lastSaved = await writeTrainingState(saving.dir, named, optimizerState, state);
        } finally {
          tf.dispose([...optimizerState.values()]);
        }
        logger?.debug(`${name}: saved the training state ${lastSaved}`);
      }
      await options.onStep?.(record);
    }
  } finally {
    progress?.finish();
    await Promise.all(streams.map((s) => s.close()));
  }
  return { history, resumedFrom };
}
