import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../contracts/logger.js';
import type { MethodContext, RunIdentity } from '../contracts/method.js';
import { latestTrainingState } from './training-state.js';

/** The run folder's subfolder of saved training states, one folder per loop. */
export const TRAINING_STATE_DIR = 'training-state';
/** Where versions before the rename saved them (`checkpoints/<loop>`): such a run still resumes. */
const FORMER_TRAINING_STATE_DIR = 'checkpoints';

/** Where and how often a training loop saves its state, and whether it resumes from it. */
export interface TrainingStateOptions {
  /** Folder of the saved states (`step-NNNNNNNN/`); only the latest is kept. */
  readonly dir: string;
  /** Save one after every `every` steps. */
  readonly every: number;
  /**
   * Continue from the latest state saved in `dir` (or start afresh when there is none). Without
   * it, a `dir` that already holds a saved state is an error rather than silently mixed runs.
   */
  readonly resume?: boolean;
  /** The run the states belong to: recorded in each, and a state of another run is refused. */
  readonly run?: RunIdentity;
  /**
   * Where an earlier version saved this loop's states. When `dir` holds none and this folder
   * does, the loop moves it to `dir` first, so that a run interrupted before the rename resumes.
   */
  readonly formerDir?: string;
}

/**
 * Where a method run's training loop `name` saves its state, from its `save_state_every` and
 * `resume` settings: `<runDir>/training-state/<name>`, nowhere when `saveStateEvery` is 0. Given
 * the method's context (rather than only its folder), the states carry the run's identity, so
 * that only the same run resumes from them.
 */
export function runTrainingState(
  run: string | Pick<MethodContext, 'runDir' | 'run'>,
  name: string,
  settings: { readonly saveStateEvery: number; readonly resume: boolean },
): TrainingStateOptions | undefined {
  const { runDir, run: identity } = typeof run === 'string' ? { runDir: run, run: undefined } : run;
  return settings.saveStateEvery > 0
    ? {
        dir: join(runDir, TRAINING_STATE_DIR, name),
        every: settings.saveStateEvery,
        resume: settings.resume,
        formerDir: join(runDir, FORMER_TRAINING_STATE_DIR, name),
        ...(identity ? { run: identity } : {}),
      }
    : undefined;
}

/**
 * Moves the states an earlier version saved in `options.formerDir` to `options.dir` when only
 * the former holds any, and removes the former parent folder once it is empty.
 */
export async function adoptFormerTrainingState(
  options: TrainingStateOptions,
  loop: string,
  logger: Logger | undefined,
): Promise<void> {
  const { dir, formerDir } = options;
  if (formerDir === undefined || formerDir === dir) return;
  if ((await latestTrainingState(formerDir)) === undefined) return;
  if ((await latestTrainingState(dir)) !== undefined) return;
  // `dir` holds no saved state: at most temporaries of an interrupted save, which the move replaces.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  await rename(formerDir, dir);
  await rmdir(dirname(formerDir)).catch(() => undefined); // other loops' states may still be there
  logger?.info(`${loop}: moved the training state saved by an earlier version from ${formerDir} to ${dir}`);
}
