// @mergebench/taskpool-image-classification: offline image classification tasks, image
// folders, frozen per-task heads, and the `image-classification` task pool.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { imageClassificationTaskPool } from './component.js';

export { BUILTIN_TASK_NAMES, BUILTIN_TASKS, DEFAULT_TASK_NAMES, type TaskDefinition } from './catalog.js';
export { imageClassificationTaskPool } from './component.js';
export { CosineHead, type CosineHeadOptions } from './cosine-head.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist } from './datasets/fashion-mnist.js';
export {
  type ImageFolder,
  imageFolderSource,
  openImageFolder,
  scanImageFolder,
} from './datasets/image-folder.js';
export { loadMnistDigits, mnistPackageDir } from './datasets/mnist.js';
export { loadOpenCvDigits, OPENCV_DIGITS_FILE } from './datasets/opencv-digits.js';
export { loadSklearnDigits, SKLEARN_DIGITS_FILE } from './datasets/sklearn-digits.js';
export { type IdxArray, parseIdx } from './formats/idx.js';
export { type DecodedPng, decodePng } from './formats/png.js';
export {
  type ClassifierHead,
  HEADS_FILE,
  headKeys,
  loadHeads,
  randomHeads,
  saveHeads,
  TaskHeadSet,
} from './heads.js';
export { type ImageSet, imageSetSource } from './image-set.js';
export type { GeneratedSplit, ImageSource, TaskSources } from './image-source.js';
export {
  DEFAULT_IMAGE_SIZE,
  DEFAULT_SPLIT_SIZES,
  type ImageTaskOptions,
  loadImageTasks,
} from './load-tasks.js';
export { clearImageCache } from './memo.js';
export { PIXEL_MEAN, PIXEL_STD, type PreparedSplit, prepareSplit } from './prepare.js';
export { type Plane, resizePlane, shorterSideCrop } from './preprocess/resize.js';
export { planSplits, type SplitPlan, type SplitPlans, type SplitSizes } from './splits.js';
export { Canvas } from './synthetic/canvas.js';
export { syntheticColors } from './synthetic/colors.js';
export { syntheticCounting } from './synthetic/counting.js';
export { syntheticShapes } from './synthetic/shapes.js';
export { syntheticSigns } from './synthetic/signs.js';
export { type SyntheticTask, syntheticSource } from './synthetic/synthetic-task.js';
export { syntheticTextures } from './synthetic/textures.js';
export { type ImageTask, ImageTaskData, INPUT_CHANNELS } from './task-data.js';
export { type ImageClassificationOptions, ImageClassificationTaskPool } from './task-pool.js';

/** The package's folder: presets live in its configs/. */
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export default definePlugin({
  name: '@mergebench/taskpool-image-classification',
  register(r) {
    r.taskpool(imageClassificationTaskPool);
    r.presets(join(packageDir, 'configs'));
  },
});
