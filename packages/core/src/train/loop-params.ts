import type { ForeignName, ParamSpec, ParamValues } from '../contracts/params.js';

/**
 * The parameters of a method whose training loop saves its state into its run folder, to resume
 * from (see runTrainingState): `save_state_every` (formerly `checkpoint_every`, still accepted
 * with a warning) and `resume`.
 */
export function trainingStateParams(defaultEvery = 100): ParamSpec[] {
  return [
    {
      name: 'save_state_every',
      type: 'integer',
      default: defaultEvery,
      min: 0,
      description: "Steps between saves of the training state in the run's folder, to resume from (0: none).",
      deprecatedNames: ['checkpoint_every'],
    },
    {
      name: 'resume',
      type: 'boolean',
      default: true,
      description: "Continue from the latest training state saved in the run's folder, if any.",
    },
  ];
}

/** The values of trainingStateParams, typed. */
export interface TrainingStateSettings {
  /** 0: the state is never saved. */
  readonly saveStateEvery: number;
  readonly resume: boolean;
}

/** TrainingStateSettings from validated values. */
export function trainingStateSettings(params: ParamValues): TrainingStateSettings {
  return { saveStateEvery: params.save_state_every as number, resume: params.resume as boolean };
}

/** The parameter of a method that draws a progress bar. */
export const PROGRESS_PARAM: ParamSpec = {
  name: 'progress',
  type: 'boolean',
  default: true,
  description: 'Show a progress bar when stderr is a terminal.',
};

/** The parameter of a method whose loop can split each batch into smaller passes (LoopOptions.microBatchSize). */
export const MICRO_BATCH_PARAM: ParamSpec = {
  name: 'micro_batch_size',
  type: 'integer',
  default: null,
  nullable: true,
  min: 1,
  description:
    'Examples per forward and backward pass (null: the whole batch). Smaller passes give the same gradients in less memory.',
};

/** A method's own parts of a loop parameter: its default and description, any aliases and foreign names. */
export type LoopParamParts = Pick<ParamSpec, 'description' | 'aliases' | 'foreignNames'> & {
  readonly default: number;
};

/** `lr`: the learning rate of the loop's optimizer, > 0. */
export function lrParam(parts: LoopParamParts): ParamSpec {
  const { default: value, ...rest } = parts;
  return { name: 'lr', type: 'number', default: value, exclusiveMin: 0, ...rest };
}

/** `max_steps`: the steps the loop runs, ≥ 0. */
export function maxStepsParam(parts: LoopParamParts): ParamSpec {
  const { default: value, ...rest } = parts;
  return { name: 'max_steps', type: 'integer', default: value, min: 0, ...rest };
}

/** `batch_size`: examples of every task in each step, ≥ 1. */
export function batchSizeParam(parts: LoopParamParts): ParamSpec {
  const { default: value, ...rest } = parts;
  return { name: 'batch_size', type: 'integer', default: value, min: 1, ...rest };
}

/**
 * lr, max_steps and batch_size of test-time adaptation (runAdaptation: Adam on `trained`, one
 * unlabelled test batch of every task per step), with the method's defaults, and FusionBench's
 * names of the settings that the loop fixes (optimizer, fast_dev_run, devices, data loading)
 * answered with what to set instead. `batchForeignNames` adds the method's own to batch_size's.
 */
export function adaptationLoopParams(options: {
  /** What Adam trains, plural: 'the routers'. */
  readonly trained: string;
  readonly lr: number;
  readonly maxSteps: number;
  readonly batchSize: number;
  readonly batchForeignNames?: Readonly<Record<string, ForeignName>>;
}): { readonly lr: ParamSpec; readonly maxSteps: ParamSpec; readonly batchSize: ParamSpec } {
  const { trained } = options;
  return {
    lr: lrParam({
      default: options.lr,
      description: `Learning rate of Adam on ${trained}.`,
      foreignNames: { optimizer: { accepts: ['adam'], hint: `${trained} are always trained with Adam` } },
    }),
    maxSteps: maxStepsParam({
      default: options.maxSteps,
      description: 'Adaptation steps (one unlabelled test batch of every task per step).',
      foreignNames: { fast_dev_run: { accepts: [false], hint: 'set max_steps (e.g. 1) for a quick run' } },
    }),
    batchSize: batchSizeParam({
      default: options.batchSize,
      description: 'Unlabelled test examples per task per step.',
      foreignNames: {
        devices: {
          accepts: [1],
          hint: 'runs use one device: set batch_size to the whole batch (devices × per-device batch size)',
        },
        ...options.batchForeignNames,
        num_workers: { accepts: 'any', hint: 'batches come from the task pool' },
        cache_dir: { accepts: 'any', hint: 'batches come from the task pool' },
      },
    }),
  };
}

/** The values of lr, max_steps, batch_size and micro_batch_size (MICRO_BATCH_PARAM), typed. */
export interface LoopSettings {
  readonly lr: number;
  readonly maxSteps: number;
  readonly batchSize: number;
  /** Examples per forward and backward pass; undefined: the whole batch. */
  readonly microBatchSize: number | undefined;
}

/** LoopSettings from validated values. */
export function loopSettings(params: ParamValues): LoopSettings {
  return {
    lr: params.lr as number,
    maxSteps: params.max_steps as number,
    batchSize: params.batch_size as number,
    microBatchSize: (params.micro_batch_size as number | null) ?? undefined,
  };
}
