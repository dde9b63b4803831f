import {
  adaptationLoopParams,
  check,
  type LoopSettings,
  loopSettings,
  MICRO_BATCH_PARAM,
  type ParamSpec,
  type ParamValues,
  PROGRESS_PARAM,
  type TrainingStateSettings,
  trainingStateParams,
  trainingStateSettings,
} from '@mergebench/core';
import {
  type CollapseWatchSettings,
  collapseWatchParams,
  collapseWatchSettings,
  EXCLUDE_KEYS_PARAM,
  initLambdaParam,
} from '@mergebench/task-vectors';

const LOOP = adaptationLoopParams({ trained: 'the coefficients', lr: 1e-3, maxSteps: 1000, batchSize: 16 });

/** The parameters both AdaMerging components take, with the reference defaults. */
export const ADAMERGING_PARAMS: readonly ParamSpec[] = [
  initLambdaParam('Initial value of every merge coefficient λ.', ['init_values']),
  LOOP.lr,
  LOOP.maxSteps,
  LOOP.batchSize,
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
  ...trainingStateParams(),
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
export interface AdaMergingSettings extends LoopSettings, TrainingStateSettings {
  readonly initLambda: number;
  readonly clamp: boolean;
  readonly excludeKeys: readonly string[];
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
    ...loopSettings(params),
    clamp: params.clamp as boolean,
    excludeKeys: params.exclude_keys as string[],
    ...trainingStateSettings(params),
    coefficientsFile: file === null ? null : resolvePath(file),
    mergingWeightsFile: mergingWeights === null ? null : resolvePath(mergingWeights),
    collapse: collapseWatchSettings(params),
    progress: params.progress as boolean,
  };
}
