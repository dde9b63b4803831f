import {
  type CollapseWatchSettings,
  checkpointParams,
  collapseWatchParams,
  collapseWatchSettings,
  EXCLUDE_KEYS_PARAM,
  MICRO_BATCH_PARAM,
  type ParamSpec,
  type ParamValues,
  PROGRESS_PARAM,
} from '@mergebench/core';

/** The parameters both AdaMerging components take, with the reference defaults. */
export const ADAMERGING_PARAMS: readonly ParamSpec[] = [
  {
    name: 'init_lambda',
    type: 'number',
    default: 0.3,
    description: 'Initial value of every merge coefficient λ.',
  },
  {
    name: 'lr',
    type: 'number',
    default: 1e-3,
    exclusiveMin: 0,
    description: 'Learning rate of Adam on the coefficients.',
  },
  {
    name: 'max_steps',
    type: 'integer',
    default: 1000,
    min: 0,
    description: 'Adaptation steps (one unlabelled test batch of every task per step).',
  },
  {
    name: 'batch_size',
    type: 'integer',
    default: 16,
    min: 1,
    description: 'Unlabelled test examples per task per step.',
  },
  MICRO_BATCH_PARAM,
  {
    name: 'clamp',
    type: 'boolean',
    default: false,
    description: 'Clamp every coefficient to [0, 1] after each step.',
  },
  EXCLUDE_KEYS_PARAM,
  ...checkpointParams(),
  {
    name: 'coefficients',
    type: 'string',
    default: null,
    nullable: true,
    description:
      "A coefficients.json of an earlier run (relative to the config's folder): merge with it, without training.",
  },
  ...collapseWatchParams(),
  PROGRESS_PARAM,
];

/** Validated parameter values, typed. */
export interface AdaMergingSettings {
  readonly initLambda: number;
  readonly lr: number;
  readonly maxSteps: number;
  readonly batchSize: number;
  /** Examples per forward and backward pass; undefined: the whole batch. */
  readonly microBatchSize: number | undefined;
  readonly clamp: boolean;
  readonly excludeKeys: readonly string[];
  /** 0: no checkpoints. */
  readonly checkpointEvery: number;
  readonly resume: boolean;
  /** Absolute path of a coefficients file to merge with instead of training, or null. */
  readonly coefficientsFile: string | null;
  /** When the collapse warning fires. */
  readonly collapse: CollapseWatchSettings;
  readonly progress: boolean;
}

/** Settings from validated values; `resolvePath` makes a configured path absolute. */
export function adamergingSettings(
  params: ParamValues,
  resolvePath: (path: string) => string,
): AdaMergingSettings {
  const file = params.coefficients as string | null;
  return {
    initLambda: params.init_lambda as number,
    lr: params.lr as number,
    maxSteps: params.max_steps as number,
    batchSize: params.batch_size as number,
    microBatchSize: (params.micro_batch_size as number | null) ?? undefined,
    clamp: params.clamp as boolean,
    excludeKeys: params.exclude_keys as string[],
    checkpointEvery: params.checkpoint_every as number,
    resume: params.resume as boolean,
    coefficientsFile: file === null ? null : resolvePath(file),
    collapse: collapseWatchSettings(params),
    progress: params.progress as boolean,
  };
}
