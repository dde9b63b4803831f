import { resolve } from 'node:path';
import { type Component, check, type ParamValues, type TaskPool } from '@mergebench/core';
import { CORRUPTION_PARAMS, corruptionOf } from '@mergebench/image-corruptions';
import { DEFAULT_TASK_NAMES } from './catalog.js';
import { HEADS_FILE } from './heads.js';
import { DEFAULT_IMAGE_SIZE, DEFAULT_SPLIT_SIZES } from './load-tasks.js';
import { ImageClassificationTaskPool } from './task-pool.js';

/** A mapping parameter of names to paths, each resolved against the config's folder. */
function paths(params: ParamValues, key: string, baseDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params[key] as Record<string, unknown>)) {
    check(
      typeof value === 'string' && value !== '',
      () => `taskpool.${key}.${name}: expected a path, got ${JSON.stringify(value)}`,
    );
    out[name] = resolve(baseDir, value);
  }
  return out;
}

export const imageClassificationTaskPool: Component<TaskPool> = {
  info: {
    kind: 'taskpool',
    name: 'image-classification',
    description:
      'Image classification on offline data sets (Fashion-MNIST, MNIST, OpenCV and scikit-learn digits), five synthetic tasks and image folders, with frozen linear heads.',
    params: [
      {
        name: 'tasks',
        type: 'string[]',
        default: DEFAULT_TASK_NAMES,
        description: 'Tasks to load and evaluate (built-in names and image_folders keys).',
      },
      {
        name: 'heads',
        type: 'string',
        default: HEADS_FILE,
        description:
          'Heads file (<task>.weight [classes, features], <task>.bias), relative to the config file.',
      },
      {
        name: 'image_size',
        type: 'integer',
        default: DEFAULT_IMAGE_SIZE,
        min: 4,
        max: 512,
        description: 'Side of the square 3-channel images every task is resized to.',
      },
      {
        name: 'train_size',
        type: 'integer',
        default: DEFAULT_SPLIT_SIZES.train,
        min: 0,
        description: 'Training examples per task (at most; smaller data sets give what they have).',
      },
      {
        name: 'validation_size',
        type: 'integer',
        default: DEFAULT_SPLIT_SIZES.validation,
        min: 0,
        description: 'Validation examples per task, held out from the training data.',
      },
      {
        name: 'test_size',
        type: 'integer',
        default: DEFAULT_SPLIT_SIZES.test,
        min: 1,
        description: 'Test examples per task (at most), on which accuracy and loss are measured.',
      },
      {
        name: 'batch_size',
        type: 'integer',
        default: 128,
        min: 1,
        description: 'Examples per evaluation batch.',
      },
      {
        name: 'seed',
        type: 'integer',
        default: 0,
        min: 0,
        description: 'Seed of the splits and the synthetic data (independent of the run seed).',
      },
      {
        name: 'data_dir',
        type: 'record',
        default: {},
        description:
          'Where a real data set lives instead of its default place, by task name (folder for fashion-mnist and mnist, file for the digits).',
      },
      {
        name: 'image_folders',
        type: 'record',
        default: {},
        description:
          'Extra tasks from image folders (one sub-folder of .png images per class, optionally under train/ and test/), by task name.',
      },
      ...CORRUPTION_PARAMS,
    ],
  },
  create: ({ params, baseDir }) =>
    ImageClassificationTaskPool.create({
      tasks: params.tasks as string[],
      heads: resolve(baseDir, params.heads as string),
      imageSize: params.image_size as number,
      trainSize: params.train_size as number,
      validationSize: params.validation_size as number,
      testSize: params.test_size as number,
      batchSize: params.batch_size as number,
      seed: params.seed as number,
      dataDir: paths(params, 'data_dir', baseDir),
      imageFolders: paths(params, 'image_folders', baseDir),
      corruption: corruptionOf(params, 'taskpool'),
    }),
};
