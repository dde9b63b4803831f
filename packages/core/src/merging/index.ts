export { type ModelWriter, modelWriter } from './model-writer.js';
export { ParameterTree } from './parameter-tree.js';
export { assertHasModels, averagePool, type PoolMergeOptions, withWeights, writeInto } from './pool-merge.js';
export { type StateDictDifference, stateDictDifference } from './state-dict-difference.js';
export type { TensorSink } from './tensor-sink.js';
export { type WeightedAverageOptions, weightedAverage } from './weighted-average.js';
export { type OpenWeights, WeightsPool } from './weights-pool.js';
