// @mergebench/task-vectors: task vectors τᵢ = θᵢ − θ₀ and what merge methods do with them —
// task arithmetic with one λ or one per model, TIES trim / elect / combine, top-k thresholds
// (whole model or per tensor, streamed), and the collapse watch of entropy-minimising adaptation.
export {
  COLLAPSE_PATIENCE,
  COLLAPSE_THRESHOLD,
  CollapseWatch,
  type CollapseWatchOptions,
  topClassShareColumn,
} from './collapse-watch.js';
export {
  type CollapseWatchSettings,
  collapseWatchParams,
  collapseWatchSettings,
} from './collapse-watch-params.js';
export { dareStream, dropAndRescale, keyHash, lowbias32 } from './dare-mask.js';
export { type GeneralizedMergeOptions, generalizedKeyMerge, type Sparsification } from './generalized-key.js';
export {
  type KeyChunk,
  type KeyMerge,
  type KeyMergeInputs,
  type StoredDtype,
  type StoredEntries,
  type StreamableKeyMerge,
  streamableKeyMerge,
  type TensorMerge,
} from './key-merge.js';
export { type KeyPatterns, keyPatterns } from './key-patterns.js';
export { linearKeyMerge } from './linear-key.js';
export { Histogram, kthLargestMagnitude, MagnitudeSelector } from './magnitude-select.js';
export {
  assertMergeRules,
  COMBINE_RULES,
  type CombineRule,
  type ElectRule,
  type TaskVectorMergeRules,
  type TrimRule,
  taskArithmeticRules,
  tiesRules,
} from './merge-rules.js';
export { DEFAULT_SCALING_FACTOR, EXCLUDE_KEYS_PARAM, initLambdaParam, scalingFactorParam } from './params.js';
export type { MajoritySign } from './pending-signs.js';
export { mergePoolKeys } from './pool-key-merge.js';
export { mergePoolTaskVectors } from './pool-task-vectors.js';
export { SLERP_DOT_THRESHOLD, slerpCoefficients, slerpKeyMerge } from './slerp-key.js';
export {
  type StreamTopkThresholdOptions,
  type StreamTopkThresholdsOptions,
  streamTopkThreshold,
  streamTopkThresholds,
} from './streaming-threshold.js';
export {
  applyTaskVectors,
  applyTaskVectorsTensor,
  type Scaling,
  taskArithmetic,
  taskArithmeticTensor,
  taskVector,
} from './task-vector.js';
export {
  type MergeTaskVectorsOptions,
  mergeTaskVectors,
  type TaskVectorMergeReport,
} from './task-vector-merge.js';
export { taskVectorsOf } from './task-vectors-of.js';
export {
  assertTopkPercent,
  maskAtThreshold,
  type TopkScope,
  topkKeepCount,
  topkMask,
  topkThreshold,
  topkThresholds,
  trimAtThreshold,
  trimTopk,
} from './topk-mask.js';
export { type KeyWeights, writeWeightedTaskVectors } from './weighted-task-vectors.js';
