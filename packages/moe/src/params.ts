import {
  adaptationLoopParams,
  type LoopSettings,
  loopSettings,
  MICRO_BATCH_PARAM,
  type ParamSpec,
  type ParamValues,
  PROGRESS_PARAM,
  type SiteKind,
  type TrainingStateSettings,
  trainingStateParams,
  trainingStateSettings,
} from '@mergebench/core';
import {
  type CollapseWatchSettings,
  collapseWatchParams,
  collapseWatchSettings,
  initLambdaParam,
} from '@mergebench/task-vectors';
import { ACTIVATION_NAMES } from './mlp-site.js';
import { ROUTER_DEPTHS, type RouterDepth } from './router.js';
import { upscaleTargetKinds } from './upscale-target.js';

export type LrScheduler = 'constant' | 'cosine';

/**
 * `init_lambda` of a method that upscales `upscaled` (e.g. 'the MLPs') into WE-MoE modules: the
 * λ of the task arithmetic that merges the rest, and where the routing weights start.
 */
export function routingInitLambdaParam(upscaled: string): ParamSpec {
  return initLambdaParam(
    `λ of the task arithmetic that merges every parameter outside ${upscaled}, and the initial routing weight of every task vector.`,
  );
}

const LOOP = adaptationLoopParams({
  trained: 'the routers',
  lr: 1e-4,
  maxSteps: 1000,
  batchSize: 16,
  // Both of FusionBench's settings give the same gradients; they only trade memory for speed.
  batchForeignNames: { use_grad_accumulate: { accepts: 'any', hint: 'set micro_batch_size to save memory' } },
});

/** The parameters of WEMoE, with the reference defaults (E-WEMoE adds its own to these). */
export const WEMOE_PARAMS: readonly ParamSpec[] = [
  routingInitLambdaParam('the MLPs'),
  {
    name: 'upscale_target',
    type: 'string',
    default: 'mlp',
    description:
      "The sites that become experts: mlp (the paper's design), attention+mlp, or block (whole transformer layers); any '+'-joined site kinds the model declares (mlp, attention, layer).",
  },
  {
    name: 'router_hidden_layers',
    type: 'integer',
    default: 2,
    choices: [...ROUTER_DEPTHS],
    description:
      'Router depth: 0 (a learned bias, input independent), 1 (Linear d→T) or 2 (Linear d→d, ReLU, Linear d→T).',
  },
  {
    name: 'batch_reduce',
    type: 'boolean',
    default: false,
    description:
      'Training only: average the routing weights over the batch and merge the MLP weights once per batch (faster); evaluation always routes per sample.',
  },
  LOOP.lr,
  {
    name: 'lr_scheduler',
    type: 'string',
    default: 'constant',
    choices: ['constant', 'cosine'],
    description: 'constant, or cosine decay from lr to 0 over max_steps.',
  },
  LOOP.maxSteps,
  LOOP.batchSize,
  MICRO_BATCH_PARAM,
  {
    name: 'activation',
    type: 'string',
    default: 'auto',
    choices: ['auto', ...ACTIVATION_NAMES],
    description:
      "The MLPs' activation: auto (the MLP's own `activation`, or the known activation that reproduces its output) or a Hugging Face name.",
  },
  ...trainingStateParams(),
  {
    name: 'checkpoint',
    type: 'string',
    default: null,
    nullable: true,
    description:
      "A routers.safetensors of an earlier run (relative to the config's folder): load the routers from it and evaluate without training.",
    foreignNames: {
      save_checkpoint: {
        accepts: [false, null],
        hint: "the routers are always written to routers.safetensors in the run's folder; give that file as checkpoint to reuse them",
      },
    },
  },
  ...collapseWatchParams(),
  PROGRESS_PARAM,
];

/** Validated WEMoE parameter values, typed. */
export interface WemoeSettings extends LoopSettings, TrainingStateSettings {
  readonly initLambda: number;
  /** The value of upscale_target, and the site kinds it names. */
  readonly upscaleTarget: string;
  readonly targets: readonly SiteKind[];
  readonly routerDepth: RouterDepth;
  readonly batchReduce: boolean;
  readonly lrScheduler: LrScheduler;
  readonly activation: string;
  /** Absolute path of a routers file to evaluate with instead of training, or null. */
  readonly routersFile: string | null;
  /** When the collapse warning fires. */
  readonly collapse: CollapseWatchSettings;
  readonly progress: boolean;
}

/** Settings from validated values; `resolvePath` makes a configured path absolute. */
export function wemoeSettings(params: ParamValues, resolvePath: (path: string) => string): WemoeSettings {
  const file = params.checkpoint as string | null;
  return {
    initLambda: params.init_lambda as number,
    upscaleTarget: params.upscale_target as string,
    targets: upscaleTargetKinds(params.upscale_target as string),
    routerDepth: params.router_hidden_layers as RouterDepth,
    batchReduce: params.batch_reduce as boolean,
    ...loopSettings(params),
    lrScheduler: params.lr_scheduler as LrScheduler,
    activation: params.activation as string,
    ...trainingStateSettings(params),
    routersFile: file === null ? null : resolvePath(file),
    collapse: collapseWatchSettings(params),
    progress: params.progress as boolean,
  };
}
