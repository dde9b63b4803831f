export { type AdaptationOptions, runAdaptation } from './adaptation-loop.js';
export { type AdaptationServices, adaptationServices } from './adaptation-services.js';
export { BatchStream, type BatchStreamOptions, epochShuffleSeed } from './batch-stream.js';
export {
  type CheckpointOptions,
  type CheckpointSettings,
  checkpointDirName,
  checkpointParams,
  checkpointSettings,
  latestTrainingCheckpoint,
  readTrainingCheckpoint,
  runCheckpoints,
  type TrainingCheckpoint,
  writeTrainingCheckpoint,
} from './deprecated-checkpoint-names.js';
export { HISTORY_FILE, historyCsv, type StepRecord, summarizeHistory, writeHistoryCsv } from './history.js';
export {
  adaptationLoopParams,
  batchSizeParam,
  type LoopParamParts,
  type LoopSettings,
  loopSettings,
  lrParam,
  MICRO_BATCH_PARAM,
  maxStepsParam,
  PROGRESS_PARAM,
  type TrainingStateSettings,
  trainingStateParams,
  trainingStateSettings,
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
  type LoopOptions,
  methodLoopOptions,
  runTrainingLoop,
  type TrainableVariables,
  type TrainingLoopOptions,
  type TrainingResult,
} from './training-loop.js';
export {
  type LoopState,
  latestTrainingState,
  OPTIMIZER_FILE,
  readTrainingState,
  STATE_FILE,
  type TrainingState,
  trainingStateDirName,
  VARIABLES_FILE,
  writeTrainingState,
} from './training-state.js';
export {
  runTrainingState,
  TRAINING_STATE_DIR,
  type TrainingStateOptions,
} from './training-state-options.js';
