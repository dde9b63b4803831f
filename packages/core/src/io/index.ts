export { type ReplaceDirOptions, replaceDirAtomic, withAtomicFile, writeFileAtomic } from './atomic.js';
export {
  type CheckpointSource,
  type CheckpointWriteResult,
  DEFAULT_MAX_SHARD_BYTES,
  INDEX_FILE,
  openCheckpoint,
  openShardedCheckpoint,
  readStateDict,
  ShardedCheckpoint,
  SINGLE_FILE,
  shardFileName,
  type WriteCheckpointOptions,
  writeCheckpoint,
} from './checkpoint.js';
export {
  CONFIG_FILE,
  type HfConfig,
  openHfFolder,
  readHfConfig,
  type SaveHfFolderOptions,
  saveHfFolder,
} from './hf-folder.js';
export { checkCreatableDir, makeDirs } from './make-dirs.js';
export { acquireRunLock, clearAbandonedRuns, type RunLock, runLockFile } from './run-lock.js';
export {
  bf16ToF32,
  decodeToTf,
  encodeFromTf,
  type FloatStorageDtype,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  isSafetensorsDtype,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsDtypeSpec,
} from './safetensors-format.js';
export {
  MAX_HEADER_BYTES,
  openSafetensors,
  type RawTensor,
  type SafetensorsEntry,
  SafetensorsFile,
} from './safetensors-reader.js';
export {
  isRawTensor,
  type WritableTensor,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors-writer.js';
export { removeStaleTemporaries } from './stale-temporaries.js';
