export { type KeyPatterns, keyPatterns } from './key-patterns.js';
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
export { type ModelWriter, modelWriter } from './model-writer.js';
export { ParameterTree } from './parameter-tree.js';
export { EXCLUDE_KEYS_PARAM, scalingFactorParam } from './params.js';
export type { MajoritySign } from './pending-signs.js';
export { averagePool, mergePoolTaskVectors, type PoolMergeOptions, withWeights } from './pool-merge.js';
export { type StateDictDifference, stateDictDifference } from './state-dict-difference.js';
export {
  type MergeTaskVectorsOptions,
  mergeTaskVectors,
  type TaskVectorMergeReport,
  type TensorSink,
} from './task-vector-merge.js';
export { type WeightedAverageOptions, weightedAverage } from './weighted-average.js';
export { type OpenWeights, WeightsPool } from './weights-pool.js';
