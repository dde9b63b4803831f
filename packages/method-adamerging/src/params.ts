import {
  check,
  checkpointParams,
  MICRO_BATCH_PARAM,
  type ParamSpec,
  type ParamValues,
  PROGRESS_PARAM,
} from '@mergebench/core';
import {
  type CollapseWatchSettings,
  collapseWatchParams,
  collapseWatchSettings,
  DEFAULT_SCALING_FACTOR,
  EXCLUDE_KEYS_PARAM,
} from '@mergebench/task-vectors';

/** The parameters both AdaMerging components take, with the reference defaults. */
export const ADAMERGING_PARAMS: readonly ParamSpec[] = [
  {
    name: 'init_lambda',
    type: 'number',
    default: DEFAULT_SCALING_FACTOR,
    aliases: ['init_values'],
    description: 'Initial value of every merge coefficient λ.',
  },
  {
    name: 'lr',
    type: 'number',
    default: 1e-3,
    exclusiveMin: 0,
    description: 'Learning rate of Adam on the coefficients.',
    foreignNames: { optimizer: { accepts: ['adam'], hint: 'the coefficients are always trained with Adam' } },
  },
  {
    name: 'max_steps',
    type: 'integer',
    default: 1000,
    min: 0,
    description: 'Adaptation steps (one unlabelled test batch of every task per step).',
    foreignNames: { fast_dev_run: { accepts: [false], hint: 'set max_steps (e.g. 1) for a quick run' } },
  },
  {
    name: 'batch_size',
    type: 'integer',
    default: 16,
    min: 1,
    description: 'Unlabelled test examples per task per step.',
    foreignNames: {
      devices: {
        accepts: [1],
        hint: 'runs use one device: set batch_size to the whole batch (devices × per-device batch size)',
      },
      num_workers: { accepts: 'any', hint: 'batches come from the task pool' },
      cache_dir: { accepts: 'any', hint: 'batches come from the task pool' },
    },
  },
  MICRO_BATCH_PARAM,
  {
    name: 'clamp',
    type: 'boolean',
    default: false,
    aliases: ['clamp_weights'],
    description: 'Clamp every coefficient to [0, 1] after each step.',
    // torch.func.functional_call's options in FusionBench; the merged model is built directly here.
    foreignNames: {
      tie_weights: { accepts: [true], hint: 'the merged weights are computed directly, no functional call' },
      strict: { accepts: [false], hint: 'the merged weights are computed directly, no functional call' },
    },
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
    foreignNames: {
      weights: {
        accepts: [null],
        hint: "give the coefficients.json of an earlier run as coefficients, or FusionBench's merging weights converted to safetensors as merging_weights",
      },
      save_merging_weights: {
        accepts: [false, null],
        hint: "the coefficients are always written to coefficients.json in the run's folder; give that file as coefficients to reuse them",
      },
    },
  },
  {
    name: 'merging_weights',
    type: 'string',
    default: null,
    nullable: true,
    description:
      "Layer-wise only: FusionBench's merging weights as safetensors with their parameter names (tools/reference/adamerging_merging_weights.py converts its merging_weights.pt), matched by name: merge with them, without training.",
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
  /** Absolute path of a merging-weights safetensors file to merge with instead of training, or null. */
  readonly mergingWeightsFile: string | null;
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
  const mergingWeights = params.merging_weights as string | null;
  check(
    file === null || mergingWeights === null,
    () => 'method.coefficients and method.merging_weights are both set: give one file to merge with',
  );
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
    mergingWeightsFile: mergingWeights === null ? null : resolvePath(mergingWeights),
    collapse: collapseWatchSettings(params),
    progress: params.progress as boolean,
  };
}
