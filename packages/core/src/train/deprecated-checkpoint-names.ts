// The names a training loop's saved state had while it was called a checkpoint, kept so that code
// written against them still compiles and runs. "Checkpoint" now means a model's weight files
// only (io/checkpoint.ts); remove these in the next major version.
import type { MethodContext } from '../contracts/method.js';
import type { ParamSpec, ParamValues } from '../contracts/params.js';
import { trainingStateParams } from './loop-params.js';
import {
  latestTrainingState,
  readTrainingState,
  type TrainingState,
  trainingStateDirName,
  writeTrainingState,
} from './training-state.js';
import { runTrainingState, type TrainingStateOptions } from './training-state-options.js';

/** @deprecated renamed `TrainingState`. */
export type TrainingCheckpoint = TrainingState;
/** @deprecated renamed `TrainingStateOptions` (and the loops' `checkpoint` option `trainingState`). */
export type CheckpointOptions = TrainingStateOptions;

/** @deprecated renamed `trainingStateDirName`. */
export const checkpointDirName = trainingStateDirName;
/** @deprecated renamed `latestTrainingState`. */
export const latestTrainingCheckpoint = latestTrainingState;
/** @deprecated renamed `readTrainingState`. */
export const readTrainingCheckpoint = readTrainingState;
/** @deprecated renamed `writeTrainingState`. */
export const writeTrainingCheckpoint = writeTrainingState;

/**
 * @deprecated renamed `trainingStateParams`; its `checkpoint_every` is now `save_state_every`
 * (`checkpoint_every` in a config is still accepted, with a warning).
 */
export function checkpointParams(defaultEvery = 100): ParamSpec[] {
  return trainingStateParams(defaultEvery);
}

/** @deprecated renamed `TrainingStateSettings`, whose `checkpointEvery` is `saveStateEvery`. */
export interface CheckpointSettings {
  readonly checkpointEvery: number;
  readonly resume: boolean;
}

/** @deprecated renamed `trainingStateSettings`, which returns `saveStateEvery`. */
export function checkpointSettings(params: ParamValues): CheckpointSettings {
  return { checkpointEvery: params.save_state_every as number, resume: params.resume as boolean };
}

/** @deprecated renamed `runTrainingState`, which takes `saveStateEvery`; the folder is now `training-state/<name>`. */
export function runCheckpoints(
  run: string | Pick<MethodContext, 'runDir' | 'run'>,
  name: string,
  settings: { readonly checkpointEvery: number; readonly resume: boolean },
): CheckpointOptions | undefined {
  return runTrainingState(run, name, { saveStateEvery: settings.checkpointEvery, resume: settings.resume });
}
