import { check, listNames, type Split } from '@mergebench/core';
import type { SeededCorruption } from '@mergebench/image-corruptions';
import { BUILTIN_TASK_NAMES, BUILTIN_TASKS, type TaskDefinition } from './catalog.js';
import { corruptSplit } from './corrupt-split.js';
import { openImageFolder } from './datasets/image-folder.js';
import { memoize } from './memo.js';
import { type PreparedSplit, prepareSplit } from './prepare.js';
import { planSplits, type SplitSizes } from './splits.js';
import { type ImageTask, ImageTaskData } from './task-data.js';

/** Which tasks to load and how. */
export interface ImageTaskOptions {
  /** Task names; default: the eight built-in tasks and every image folder task. */
  readonly tasks?: readonly string[];
  /** Side of the square images every task is resized to. Default 32. */
  readonly imageSize?: number;
  /** Examples per split and task (at most; a smaller data set gives all it has). */
  readonly trainSize?: number;
  readonly validationSize?: number;
  readonly testSize?: number;
  /** Seeds the splits and the synthetic data; independent of the run's seed. Default 0. */
  readonly seed?: number;
  /** A real data set's file or folder, by task name, instead of where its package installs it. */
  readonly dataDir?: Readonly<Record<string, string>>;
  /** Extra tasks read from image folders (one sub-folder of .png images per class), by task name. */
  readonly imageFolders?: Readonly<Record<string, string>>;
  /** Corrupts every test image; train and validation stay clean. */
  readonly corruption?: SeededCorruption | null;
}

export const DEFAULT_IMAGE_SIZE = 32;
export const DEFAULT_SPLIT_SIZES: SplitSizes = { train: 1024, validation: 0, test: 512 };

const REAL_DATA_SETS = BUILTIN_TASKS.filter((t) => !t.synthetic).map((t) => t.name);

function checkCount(name: string, value: number, min: number): void {
  check(
    Number.isInteger(value) && value >= min,
    () => `image tasks: ${name} ${value} must be an integer ≥ ${min}`,
  );
}

function folderTask(name: string, dir: string): TaskDefinition {
  const { classNames, sources } = openImageFolder(dir);
  return {
    name,
    description: `Image folder ${dir}`,
    classNames,
    synthetic: false,
    open: async () => sources,
  };
}

/**
 * Loads, splits, resizes and normalises the selected tasks. Decoded data sets and prepared splits
 * are cached per process, so a second pool with the same settings costs nothing.
 */
export async function loadImageTasks(options: ImageTaskOptions = {}): Promise<ImageTaskData> {
  const imageSize = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  const sizes: SplitSizes = {
    train: options.trainSize ?? DEFAULT_SPLIT_SIZES.train,
    validation: options.validationSize ?? DEFAULT_SPLIT_SIZES.validation,
    test: options.testSize ?? DEFAULT_SPLIT_SIZES.test,
  };
  const seed = options.seed ?? 0;
  checkCount('imageSize', imageSize, 1);
  checkCount('trainSize', sizes.train, 0);
  checkCount('validationSize', sizes.validation, 0);
  checkCount('testSize', sizes.test, 1);
  checkCount('seed', seed, 0);
  const dataDir = options.dataDir ?? {};
  for (const key of Object.keys(dataDir)) {
    check(
      REAL_DATA_SETS.includes(key),
      () =>
        `data_dir: '${key}' is not a data set read from disk; expected one of ${listNames(REAL_DATA_SETS)}`,
    );
  }
  const folders = options.imageFolders ?? {};
  for (const key of Object.keys(folders)) {
    check(
      !BUILTIN_TASK_NAMES.includes(key),
      () => `image_folders: '${key}' is the name of a built-in task; choose another`,
    );
  }
  const available = [...BUILTIN_TASK_NAMES, ...Object.keys(folders)];
  const selected = options.tasks ?? available;
  check(selected.length > 0, 'tasks: the list is empty; name at least one task');
  for (const name of selected) {
    check(
      available.includes(name),
      () => `tasks: unknown task '${name}'; available: ${listNames(available, 20)}`,
    );
  }
  check(
    new Set(selected).size === selected.length,
    () => `tasks: a task is listed twice (${selected.join(', ')})`,
  );

  const tasks: ImageTask[] = [];
  for (const name of selected) {
    const definition = BUILTIN_TASKS.find((t) => t.name === name) ?? folderTask(name, folders[name]);
    const location = dataDir[name] ?? folders[name] ?? definition.defaultLocation?.();
    const key = JSON.stringify({ name, location, imageSize, sizes, seed });
    const splits = await memoize(key, async () => {
      const plans = planSplits(name, await definition.open(dataDir[name], seed), sizes, seed);
      const prepared = (split: Split): PreparedSplit => prepareSplit(plans[split], imageSize);
      return { train: prepared('train'), validation: prepared('validation'), test: prepared('test') };
    });
    const corruption = options.corruption;
    tasks.push({
      name,
      classNames: definition.classNames,
      splits: corruption ? { ...splits, test: corruptSplit(splits.test, corruption, name) } : splits,
    });
  }
  return new ImageTaskData(tasks, imageSize);
}
