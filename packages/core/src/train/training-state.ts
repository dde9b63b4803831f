import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../contracts/task-pool.js';
import { MergebenchError } from '../errors.js';
import { replaceDirAtomic, writeFileAtomic } from '../io/atomic.js';
import { openSafetensors } from '../io/safetensors-reader.js';
import { writeSafetensors } from '../io/safetensors-writer.js';
import type { StepRecord } from './history.js';

export const VARIABLES_FILE = 'variables.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';

/** What a run must agree on to continue from a saved training state, and where it was. */
export interface LoopState {
  /** Updates done. */
  readonly step: number;
  readonly tasks: readonly string[];
  readonly split: Split;
  readonly batchSize: number;
  readonly seed: number;
  readonly history: readonly StepRecord[];
  /** configHash() of the run that wrote it (absent in states saved by older versions, or outside a run). */
  readonly configHash?: string;
  /** That run's determining configuration, to name what differs on a refused resume. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Seconds the steps so far took, summed over every run that resumed this one. */
  readonly seconds?: number;
}

/**
 * A training loop's state as saved in the run's folder: what it trains, its optimizer's state and
 * where the loop was, enough to continue it bit for bit. (A model's weight files are checkpoints:
 * io/checkpoint.ts.)
 */
export interface TrainingState {
  /** The saved state's folder. */
  readonly path: string;
  /** By the names the loop gave them; the caller disposes them. */
  readonly variables: Map<string, tf.Tensor>;
  /** Optimizer.state() as saved; the caller disposes it. */
  readonly optimizerState: Map<string, tf.Tensor>;
  readonly state: LoopState;
}

const STEP_DIR = /^step-(\d+)$/;

/** The folder name of the state saved after `step` updates; zero-padded so names sort by step. */
export function trainingStateDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Saved state folders in `dir` by step, ascending; none when `dir` does not exist. */
async function listSavedStates(dir: string): Promise<{ step: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((name) => ({ match: STEP_DIR.exec(name), name }))
    .filter(({ match }) => match !== null)
    .map(({ match, name }) => ({ step: Number(match![1]), path: join(dir, name) }))
    .sort((a, b) => a.step - b.step);
}

/** The folder of the latest training state saved in `dir`, or undefined when it holds none. */
export async function latestTrainingState(dir: string): Promise<string | undefined> {
  return (await listSavedStates(dir)).at(-1)?.path;
}

/**
 * Saves a training state folder `dir/step-NNNNNNNN` (variables, optimizer state, loop state with the
 * history) as a whole — it appears complete or not at all — then removes the earlier ones.
 * Returns its path.
 */
export async function writeTrainingState(
  dir: string,
  variables: ReadonlyMap<string, tf.Tensor>,
  optimizerState: ReadonlyMap<string, tf.Tensor>,
  state: LoopState,
): Promise<string> {
  const path = join(dir, trainingStateDirName(state.step));
  await replaceDirAtomic(
    path,
    async (tmp) => {
      await writeSafetensors(join(tmp, VARIABLES_FILE), variables);
      await writeSafetensors(join(tmp, OPTIMIZER_FILE), optimizerState);
      // Through writeFileAtomic for its fsync: the folder rename must not expose an unflushed file.
      await writeFileAtomic(join(tmp, STATE_FILE), `${JSON.stringify(state)}\n`);
    },
    { overwrite: true },
  );
  for (const older of await listSavedStates(dir)) {
    if (older.step < state.step) await rm(older.path, { recursive: true, force: true });
  }
  return path;
}

async function readTensors(path: string): Promise<Map<string, tf.Tensor>> {
  const file = await openSafetensors(path);
  const out = new Map<string, tf.Tensor>();
  try {
    for (const key of file.keys()) out.set(key, await file.read(key));
  } catch (err) {
    for (const t of out.values()) t.dispose();
    throw err;
  } finally {
    await file.close();
  }
  return out;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Why a parsed loop state file is malformed, or undefined when it is well formed. */
function stateProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'is not a JSON object';
  const state = raw as Record<string, unknown>;
  const step = state.step;
  if (!Number.isInteger(step) || (step as number) < 0)
    return `'step' ${JSON.stringify(step)} is not a step count`;
  if (!isStringArray(state.tasks)) return "'tasks' is not a list of names";
  if (typeof state.split !== 'string') return "'split' is not a string";
  if (!Number.isInteger(state.batchSize)) return "'batchSize' is not an integer";
  if (!Number.isInteger(state.seed)) return "'seed' is not an integer";
  if (!Array.isArray(state.history) || state.history.length !== step) {
    return `'history' does not hold one record per step (${String(step)})`;
  }
  return undefined;
}

function parseState(text: string, origin: string): LoopState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MergebenchError(`${origin}: not valid JSON (${(err as Error).message})`);
  }
  const problem = stateProblem(raw);
  if (problem !== undefined) throw new MergebenchError(`${origin}: ${problem}`);
  return raw as LoopState;
}

/** Reads the saved training state folder `path`. */
export async function readTrainingState(path: string): Promise<TrainingState> {
  const statePath = join(path, STATE_FILE);
  let text: string;
  try {
    text = await readFile(statePath, 'utf8');
  } catch (err) {
    throw new MergebenchError(
      `${statePath}: cannot read the saved training state (${(err as Error).message})`,
    );
  }
  const state = parseState(text, statePath);
  const variables = await readTensors(join(path, VARIABLES_FILE));
  try {
    const optimizerState = await readTensors(join(path, OPTIMIZER_FILE));
    return { path, variables, optimizerState, state };
  } catch (err) {
    for (const t of variables.values()) t.dispose();
    throw err;
  }
}
