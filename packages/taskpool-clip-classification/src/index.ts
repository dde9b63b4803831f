// @mergebench/taskpool-clip-classification: CLIP zero-shot classification on the Hugging Face data
// sets of TA8, TALL14 and TALL20, read from their native parquet (or WebDataset) files.
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { clipClassificationTaskPool } from './component.js';

export {
  DATASET_TABLE,
  type DatasetSpec,
  datasetSpec,
  TASK_NAMES,
  TASK_SETS,
} from './catalog/dataset-table.js';
export { type TaskPrompts, taskPrompts } from './catalog/task-prompts.js';
export { CLIP_MODEL_FILES, clipClassificationDownloads, clipClassificationTaskPool } from './component.js';
export { type ClipTask, ClipTaskData, type TaskSplit } from './data/clip-task-data.js';
export { decodeRgb, type RgbImage } from './data/decode-image.js';
export { ParquetSplit } from './data/parquet-split.js';
export type { EncodedExample, SplitSource } from './data/split-source.js';
export { WebDatasetSplit } from './data/webdataset-split.js';
export { ClipHeads, type HeadRecipe, loadClipHeads } from './heads/clip-heads.js';
export { type ClipModelFolder, resolveClipModel } from './heads/clip-model.js';
export { type CardFeature, type DatasetCard, parseDatasetCard, readDatasetCard } from './hub/dataset-card.js';
export { type DatasetFolder, openDatasetFolder, openSplit } from './hub/task-source.js';
export {
  type ClipClassificationOptions,
  ClipClassificationTaskPool,
  type DataOverride,
} from './task-pool.js';

/** The presets folder shipped with the package (`configs/taskpool/…`). */
const PRESETS_DIR = fileURLToPath(new URL('../configs', import.meta.url));

export default definePlugin({
  name: '@mergebench/taskpool-clip-classification',
  register(r) {
    r.taskpool(clipClassificationTaskPool);
    r.presets(PRESETS_DIR);
  },
});
