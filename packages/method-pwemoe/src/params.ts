import {
  batchSizeParam,
  type LoopSettings,
  loopSettings,
  lrParam,
  MICRO_BATCH_PARAM,
  maxStepsParam,
  type ParamSpec,
  type ParamValues,
  PROGRESS_PARAM,
  type TrainingStateSettings,
  trainingStateParams,
  trainingStateSettings,
} from '@mergebench/core';
import { routingInitLambdaParam } from '@mergebench/moe';
import { ROUTER_INITS, type RouterInit } from './preference-router.js';

/** How the tasks' losses combine in a training step. */
export type ParetoLoss = 'ls' | 'epo';

/** The parameters of PWEMoE, with the reference defaults (FusionBench's CLIP configuration). */
export const PWEMOE_PARAMS: readonly ParamSpec[] = [
  routingInitLambdaParam('the upscaled blocks'),
  {
    name: 'upscale_attention',
    type: 'boolean',
    default: true,
    aliases: ['upscale_attn'],
    description: 'Upscale the attention blocks too (the MLPs always are).',
    foreignNames: {
      upscale_mlp: { accepts: [true], hint: 'the MLPs are always upscaled' },
      router_hidden_layers: {
        accepts: [2],
        hint: 'the preference router always has two layers (Linear T→2T, ReLU, Linear 2T→T)',
      },
    },
  },
  {
    name: 'preference_remainder',
    type: 'boolean',
    default: false,
    description:
      'Merge the parameters outside the upscaled blocks for each preference vector, θ₀ + λ·T·Σᵢ rayᵢτᵢ (task arithmetic’s member for the ray), instead of once as θ₀ + λ·Στᵢ (the reference). Not in the paper.',
  },
  {
    name: 'router_init',
    type: 'string',
    default: 'constant',
    choices: ROUTER_INITS,
    description:
      "Where the routers start: 'constant' (the reference: every routing weight ≈ init_lambda for every preference) or 'task-arithmetic' (r(ray) = init_lambda·T·ray, task arithmetic's weights for the ray; with preference_remainder the family starts as task arithmetic's). Not in the paper.",
  },
  lrParam({
    default: 1e-5,
    description: 'Learning rate of Adam on the routers; cosine decay to 0.1·lr over max_steps.',
  }),
  maxStepsParam({
    default: 8000,
    aliases: ['num_steps'],
    description:
      'Training steps (one labelled training batch of every task per step, one preference vector per step).',
  }),
  batchSizeParam({
    default: 16,
    description: 'Labelled training examples per task per step.',
    foreignNames: { dataloader_kwargs: { hint: 'set batch_size (examples per task per step)' } },
  }),
  MICRO_BATCH_PARAM,
  {
    name: 'alpha',
    type: 'number',
    default: 1,
    exclusiveMin: 0,
    description:
      'Concentration of the Dirichlet distribution the preference vectors are drawn from (1: uniform on the simplex).',
  },
  {
    name: 'grid_points',
    type: 'integer',
    default: 11,
    min: 2,
    description:
      'Points per edge of the evaluation grid on the simplex for 2 or 3 tasks (11: 0, 0.1, …, 1); more tasks get equal weights and the one-hot vectors.',
    foreignNames: {
      eval_grid: { accepts: [true], hint: 'set preference=[…] to get the one model for a preference vector' },
      eval_grid_n: { hint: 'grid_points sets the evaluation grid' },
      eval_grid_m: { hint: 'grid_points sets the evaluation grid' },
    },
  },
  {
    name: 'preference',
    type: 'number[]',
    default: null,
    nullable: true,
    min: 0,
    description:
      'A preference vector (one entry per task, normalised to sum 1): return the one plain model for it instead of the family over the grid.',
  },
  // FusionBench's save_interval is the same setting as save_state_every.
  ...trainingStateParams(2000).map((spec) =>
    spec.name === 'save_state_every' ? { ...spec, aliases: ['save_interval'] } : spec,
  ),
  {
    name: 'checkpoint',
    type: 'string',
    default: null,
    nullable: true,
    description:
      "A routers.safetensors of an earlier run (relative to the config's folder): load the routers from it and evaluate without training.",
    foreignNames: {
      checkpoint_path: {
        accepts: [null],
        hint: "give the routers.safetensors of an earlier run as checkpoint (FusionBench's checkpoints are not read)",
      },
    },
  },
  PROGRESS_PARAM,
];

/** Validated PWEMoE parameter values, typed. */
export interface PwemoeSettings extends LoopSettings, TrainingStateSettings {
  readonly loss: ParetoLoss;
  readonly initLambda: number;
  readonly upscaleAttention: boolean;
  /** Merge the rest per preference vector (see PreferenceRemainder). */
  readonly preferenceRemainder: boolean;
  readonly routerInit: RouterInit;
  readonly alpha: number;
  readonly gridPoints: number;
  readonly preference: readonly number[] | null;
  /** Absolute path of a routers file to evaluate with instead of training, or null. */
  readonly routersFile: string | null;
  readonly progress: boolean;
}

/** Settings from validated values; `resolvePath` makes a configured path absolute. */
export function pwemoeSettings(
  loss: ParetoLoss,
  params: ParamValues,
  resolvePath: (path: string) => string,
): PwemoeSettings {
  const file = params.checkpoint as string | null;
  return {
    loss,
    initLambda: params.init_lambda as number,
    upscaleAttention: params.upscale_attention as boolean,
    preferenceRemainder: params.preference_remainder as boolean,
    routerInit: params.router_init as RouterInit,
    ...loopSettings(params),
    alpha: params.alpha as number,
    gridPoints: params.grid_points as number,
    preference: params.preference as number[] | null,
    ...trainingStateSettings(params),
    routersFile: file === null ? null : resolvePath(file),
    progress: params.progress as boolean,
  };
}
