import {
  type ParamSpec,
  type ParamValues,
  PRETRAINED,
  trainingStateParams,
  trainingStateSettings,
} from '@mergebench/core';
import type { FinetuneSettings } from './finetune-method.js';
import type { ScheduleName } from './schedule.js';

/** The training parameters both components share. */
export const TRAINING_PARAMS: readonly ParamSpec[] = [
  {
    name: 'model',
    type: 'string',
    default: PRETRAINED,
    description: `The model pool's model to start from (${PRETRAINED}: the pretrained model).`,
  },
  { name: 'lr', type: 'number', default: 1e-3, exclusiveMin: 0, description: 'Peak learning rate of AdamW.' },
  { name: 'steps', type: 'integer', default: 200, min: 0, description: 'Optimizer updates.' },
  {
    name: 'batch_size',
    type: 'integer',
    default: 32,
    min: 1,
    description: 'Labelled training examples per task per step.',
  },
  {
    name: 'weight_decay',
    type: 'number',
    default: 0,
    min: 0,
    description: "AdamW's decoupled weight decay (0: Adam).",
  },
  {
    name: 'schedule',
    type: 'string',
    default: 'cosine',
    choices: ['cosine', 'constant'],
    description: 'Learning rate after warm-up: cosine decay to 0, or constant.',
  },
  {
    name: 'warmup_steps',
    type: 'integer',
    default: 0,
    min: 0,
    description: 'Steps of linear learning-rate warm-up.',
  },
  {
    name: 'max_grad_norm',
    type: 'number',
    default: null,
    nullable: true,
    exclusiveMin: 0,
    description: 'Clip the global gradient norm to this before each update (null: no clipping).',
  },
  ...trainingStateParams(),
];

/** Settings from validated parameter values. */
export function trainingSettings(
  name: string,
  params: ParamValues,
  selectTasks: FinetuneSettings['selectTasks'],
): FinetuneSettings {
  return {
    name,
    selectTasks,
    startModel: params.model as string,
    optimizer: {
      lr: params.lr as number,
      steps: params.steps as number,
      batchSize: params.batch_size as number,
      weightDecay: params.weight_decay as number,
      schedule: params.schedule as ScheduleName,
      warmupSteps: params.warmup_steps as number,
      maxGradNorm: params.max_grad_norm as number | null,
    },
    ...trainingStateSettings(params),
  };
}
