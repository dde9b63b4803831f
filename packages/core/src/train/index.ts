export { type AdaptationOptions, runAdaptation } from './adaptation-loop.js';
export { type AdaptationServices, adaptationServices } from './adaptation-services.js';
export { BatchStream, type BatchStreamOptions, epochShuffleSeed } from './batch-stream.js';
export {
  checkpointDirName,
  type LoopState,
  latestTrainingCheckpoint,
  OPTIMIZER_FILE,
  readTrainingCheckpoint,
  STATE_FILE,
  type TrainingCheckpoint,
  VARIABLES_FILE,
  writeTrainingCheckpoint,
} from './checkpoint.js';
export { HISTORY_FILE, historyCsv, type StepRecord, summarizeHistory, writeHistoryCsv } from './history.js';
export {
  adaptationLoopParams,
  batchSizeParam,
  type CheckpointSettings,
  checkpointParams,
  checkpointSettings,
  type LoopParamParts,
  type LoopSettings,
  loopSettings,
  lrParam,
  MICRO_BATCH_PARAM,
  maxStepsParam,
  PROGRESS_PARAM,
} from './loop-params.js';
export { crossEntropy, entropyLoss } from './losses.js';
export { OptimizerWrapper } from './optimizer-wrapper.js';
export {
  Adam,
  type AdamOptions,
  AdamW,
  type Gradients,
  type Optimizer,
  SGD,
  type SgdOptions,
} from './optimizers.js';
export {
  formatDuration,
  ProgressBar,
  type ProgressBarOptions,
  type ProgressReporter,
  type ProgressStream,
  progressDrawable,
} from './progress.js';
export { type CosineOptions, constant, cosine, type LrSchedule, withWarmup } from './schedules.js';
export { runSupervised, type SupervisedOptions } from './supervised-loop.js';
export {
  type CheckpointOptions,
  type LoopOptions,
  methodLoopOptions,
  runCheckpoints,
  runTrainingLoop,
  type TrainableVariables,
  type TrainingLoopOptions,
  type TrainingResult,
} from './training-loop.js';
