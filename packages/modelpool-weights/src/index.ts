// @mergebench/modelpool-weights: any Hugging Face checkpoint as bare weights — the `weights`
// model pool, layout checks, out-of-core merges into sharded safetensors, mergekit's YAML and
// the `mergebench merge` command.
import { definePlugin } from '@mergebench/core';
import { mergeCommand } from './merge-command.js';
import { weightsModelPool } from './weights-pool-component.js';

export { parseByteSize } from './byte-size.js';
export { copyNonWeightFiles } from './copy-extras.js';
export { assertSameLayout, type CheckedModel } from './layout-check.js';
export { mergeCommand } from './merge-command.js';
export {
  DEFAULT_MAX_SHARD_BYTES,
  type MergeModel,
  type MergeToFolderOptions,
  type MergeToFolderResult,
  mergeToFolder,
} from './merge-to-folder.js';
export {
  MERGE_METHODS,
  type MergekitModel,
  type MergeMethodName,
  type MergePlan,
  readMergekitConfig,
} from './mergekit-config.js';
export { locateModelFolder, type ModelFolder, openFolderWeights } from './model-folder.js';
export { openMergeModels } from './open-merge-models.js';
export { type PlannedEntry, type PlannedShard, planEntry, planShards } from './shard-plan.js';
export { ShardWriter } from './shard-writer.js';
export { decodeFloat, encodeFloat } from './tensor-codec.js';
export { openWeightsPool, weightsModelPool } from './weights-pool-component.js';

export default definePlugin({
  name: '@mergebench/modelpool-weights',
  register(r) {
    r.modelpool(weightsModelPool);
    r.command?.(mergeCommand);
  },
});
