export {
  type FlatEntry,
  type FlatLayout,
  type FlatStateDict,
  flatLayout,
  flattenStateDict,
  unflatten,
} from './flat.js';
export { assertSameLayout, formatShape, type ModelLayout, sameShape } from './layout-check.js';
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
export { float32Values } from './tensor-data.js';
export {
  addAllInto,
  addScaledInto,
  addTensors,
  assertFiniteNumber,
  assertSameShapes,
  meanOrFirst,
  meanTensors,
  scaleTensor,
  subTensors,
  sumTensors,
  weightedSumTensors,
} from './tensor-math.js';
export type { DType, StateDict, TensorInfo, TensorSource } from './types.js';
