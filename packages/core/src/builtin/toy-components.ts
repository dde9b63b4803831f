import type { Component } from '../contracts/component.js';
import type { ModelPool } from '../contracts/model-pool.js';
import type { ParamSpec } from '../contracts/params.js';
import type { TaskPool } from '../contracts/task-pool.js';
import { ToyModelPool, ToyTaskPool, toyWorld } from '../toy/toy-pools.js';

const WORLD_PARAMS: ParamSpec[] = [
  { name: 'tasks', type: 'integer', default: 3, min: 1, max: 16, description: 'Number of synthetic tasks' },
  {
    name: 'seed',
    type: 'integer',
    default: 0,
    description: 'Seed of the synthetic world (data, heads, weights)',
  },
];

/** In-memory model pool: a tiny encoder, pretrained at random and fine-tuned per synthetic task. */
export const toyModelPool: Component<ModelPool> = {
  info: {
    kind: 'modelpool',
    name: 'toy',
    description:
      'A tiny residual-MLP encoder fine-tuned on each synthetic toy task (in memory, seconds to build).',
    params: [
      ...WORLD_PARAMS,
      {
        name: 'finetune_steps',
        type: 'integer',
        default: 60,
        min: 0,
        description: 'Fine-tuning steps per task',
      },
    ],
  },
  create: ({ params }) =>
    ToyModelPool.create({
      tasks: params.tasks as number,
      seed: params.seed as number,
      finetuneSteps: params.finetune_steps as number,
    }),
};

/** Synthetic classification tasks matching the toy model pool. */
export const toyTaskPool: Component<TaskPool> = {
  info: {
    kind: 'taskpool',
    name: 'toy',
    description: 'Synthetic token-sequence classification tasks with frozen random heads.',
    params: WORLD_PARAMS,
  },
  create: ({ params }) =>
    new ToyTaskPool(toyWorld({ tasks: params.tasks as number, seed: params.seed as number })),
};
