import { type Component, check, listNames, type Method } from '@mergebench/core';
import { FinetuneMethod } from './finetune-method.js';
import { TRAINING_PARAMS, trainingSettings } from './params.js';

const NEEDS = { labelledTrain: true, heads: true } as const;

/** Fine-tunes the encoder on one task with the task's head frozen. */
export const finetune: Component<Method> = {
  info: {
    kind: 'method',
    name: 'finetune',
    description:
      "Fine-tunes the model's encoder on one task's labelled training data, with the task's head frozen.",
    params: [
      {
        name: 'task',
        type: 'string',
        default: null,
        nullable: true,
        description: 'The task to fine-tune on (required).',
      },
      ...TRAINING_PARAMS,
    ],
    paper: {
      title: 'Editing Models with Task Arithmetic (fine-tuning with frozen zero-shot heads)',
      url: 'https://arxiv.org/abs/2212.04089',
    },
    needs: NEEDS,
  },
  create: ({ params }) =>
    new FinetuneMethod(
      trainingSettings('finetune', params, (available) => {
        const task = params.task as string | null;
        check(
          task !== null,
          () => `method.task: missing; name the task to fine-tune on, one of ${listNames(available)}`,
        );
        return [task];
      }),
    ),
};

/** Trains the encoder on several tasks at once: one batch of each per step, losses summed. */
export const multitaskFinetune: Component<Method> = {
  info: {
    kind: 'method',
    name: 'multitask-finetune',
    description:
      "Trains the model's encoder on several tasks at once (one labelled batch per task per step, losses summed), heads frozen: multi-task learning, or pretraining a zoo's encoder.",
    params: [
      {
        name: 'tasks',
        type: 'string[]',
        default: null,
        nullable: true,
        description: "Tasks to train on (null: all of the task pool's).",
      },
      ...TRAINING_PARAMS,
    ],
    needs: NEEDS,
  },
  create: ({ params }) =>
    new FinetuneMethod(
      trainingSettings('multitask-finetune', params, (available) => {
        const tasks = (params.tasks as string[] | null) ?? available;
        check(tasks.length > 0, 'method.tasks: the list is empty; name at least one task, or null for all');
        return tasks;
      }),
    ),
};
