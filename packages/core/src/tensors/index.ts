export {
  type FlatEntry,
  type FlatLayout,
  type FlatStateDict,
  flatLayout,
  flattenStateDict,
  unflatten,
} from './flat.js';
export { assertSameLayout, formatShape, type ModelLayout, sameShape } from './layout-check.js';
export { kthLargestMagnitude, MagnitudeSelector } from './magnitude-select.js';
export { stateDictSource } from './source.js';
export {
  add,
  assertCompatible,
  cloneStateDict,
  countElements,
  disposeStateDict,
  mapStateDicts,
  mean,
  scale,
  sub,
  sum,
  weightedSum,
} from './state-dict.js';
export {
  type CombineFn,
  compatibleSourceKeys,
  readAll,
  readChecked,
  type StreamMergeOptions,
  type StreamMergeToOptions,
  streamMerge,
} from './streaming-merge.js';
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
export { float32Values } from './tensor-data.js';
export {
  addTensors,
  assertSameShapes,
  meanOrFirst,
  meanTensors,
  scaleTensor,
  subTensors,
  sumTensors,
  weightedSumTensors,
} from './tensor-math.js';
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
export type { DType, StateDict, TensorInfo, TensorSource } from './types.js';
