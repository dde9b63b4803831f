import {
  check,
  listNames,
  MergebenchError,
  openSafetensors,
  type SafetensorsFile,
  writeSafetensors,
} from '@mergebench/core';
import type { CoefficientsByTask } from './merged-weights.js';

/**
 * Layer-wise merging weights in the layout of FusionBench's `merging_weights.pt` (a [num_models,
 * num_params] tensor, rows in the model pool's order, columns in the order of the PyTorch model's
 * trainable parameters), as safetensors with the names recorded, so that columns are matched by
 * name: tools/reference/adamerging_merging_weights.py converts it to and from FusionBench's file.
 */
export const MERGING_WEIGHTS_FILE = 'merging_weights.safetensors';
/** The one tensor of the file. */
export const MERGING_WEIGHTS_TENSOR = 'merging_weights';
/** `__metadata__.format`. */
export const MERGING_WEIGHTS_FORMAT = 'mergebench.layer-wise-merging-weights/1';

/** Writes layer-wise coefficients, one row per task, one column per parameter name. */
export async function writeMergingWeightsFile(
  path: string,
  content: {
    readonly tasks: readonly string[];
    readonly parameterNames: readonly string[];
    readonly coefficients: CoefficientsByTask;
  },
): Promise<void> {
  const { tasks, parameterNames, coefficients } = content;
  const values = new Float32Array(tasks.length * parameterNames.length);
  tasks.forEach((task, i) => {
    const row = coefficients[task];
    check(
      Array.isArray(row) && row.length === parameterNames.length,
      () => `${path}: task '${task}' needs ${parameterNames.length} layer-wise coefficients`,
    );
    values.set(row, i * parameterNames.length);
  });
  await writeSafetensors(
    path,
    new Map([
      [
        MERGING_WEIGHTS_TENSOR,
        {
          dtype: 'F32' as const,
          shape: [tasks.length, parameterNames.length],
          data: new Uint8Array(values.buffer),
        },
      ],
    ]),
    {
      metadata: {
        format: MERGING_WEIGHTS_FORMAT,
        parameter_names: JSON.stringify(parameterNames),
        model_names: JSON.stringify(tasks),
      },
    },
  );
}

/** What the file must fit: the pool's tasks and the merged parameters. */
export interface MergingWeightsLayout {
  readonly tasks: readonly string[];
  readonly parameterNames: readonly string[];
  /** Whether every task vector of a parameter is zero: only such a parameter may be absent. */
  readonly isZero: (name: string) => boolean;
}

export interface MergingWeights {
  /** By task, in `parameterNames` order. */
  readonly coefficients: CoefficientsByTask;
  /** Merged parameters the file has no column for (zero task vectors; given λ = 0). */
  readonly absent: readonly string[];
}

function namesIn(path: string, metadata: Readonly<Record<string, string>> | undefined, key: string) {
  const text = metadata?.[key];
  if (text === undefined) return undefined;
  let names: unknown;
  try {
    names = JSON.parse(text);
  } catch {
    names = undefined;
  }
  check(
    Array.isArray(names) && names.every((n) => typeof n === 'string') && new Set(names).size === names.length,
    () => `${path}: __metadata__.${key} is not a JSON list of distinct names`,
  );
  return names as string[];
}

/**
 * Reads layer-wise merging weights and matches them to the merged parameters BY NAME and to the
 * tasks by `model_names` (or, without it, by position in the pool's order, as FusionBench's rows).
 * Every problem is a one-line error naming the file and what was expected.
 */
export async function readMergingWeightsFile(
  path: string,
  layout: MergingWeightsLayout,
): Promise<MergingWeights> {
  let file: SafetensorsFile;
  try {
    file = await openSafetensors(path);
  } catch (err) {
    if (err instanceof MergebenchError) throw err;
    throw new MergebenchError(`${path}: cannot read the merging weights (${(err as Error).message})`);
  }
  try {
    const columns = namesIn(path, file.metadata, 'parameter_names');
    check(
      columns !== undefined,
      () =>
        `${path}: __metadata__.parameter_names is missing; convert FusionBench's merging_weights.pt with tools/reference/adamerging_merging_weights.py`,
    );
    check(
      file.has(MERGING_WEIGHTS_TENSOR),
      () => `${path}: no tensor '${MERGING_WEIGHTS_TENSOR}' (it has ${listNames(file.keys(), 3)})`,
    );
    const raw = await file.readRaw(MERGING_WEIGHTS_TENSOR);
    const [rows, cols] = raw.shape;
    check(
      raw.dtype === 'F32' && raw.shape.length === 2 && cols === columns.length,
      () =>
        `${path}: '${MERGING_WEIGHTS_TENSOR}' is ${raw.dtype} [${raw.shape}], expected F32 [num_models, ${columns.length}] (one column per parameter name)`,
    );
    const models = namesIn(path, file.metadata, 'model_names');
    const rowOf = new Map<string, number>();
    if (models !== undefined) {
      check(
        models.length === rows,
        () => `${path}: __metadata__.model_names has ${models.length} names for ${rows} rows`,
      );
      const missing = layout.tasks.filter((task) => !models.includes(task));
      const extra = models.filter((model) => !layout.tasks.includes(model));
      check(
        missing.length === 0 && extra.length === 0,
        () =>
          `${path}: model_names do not match the model pool (missing: ${listNames(missing, 3)}; unexpected: ${listNames(extra, 3)})`,
      );
      for (const [i, model] of models.entries()) rowOf.set(model, i);
    } else {
      check(
        rows === layout.tasks.length,
        () =>
          `${path}: ${rows} rows of merging weights, but the model pool has ${layout.tasks.length} models (${listNames(layout.tasks)})`,
      );
      for (const [i, task] of layout.tasks.entries()) rowOf.set(task, i);
    }
    const column = new Map(columns.map((name, j) => [name, j]));
    const unexpected = columns.filter((name) => !layout.parameterNames.includes(name));
    check(
      unexpected.length === 0,
      () =>
        `${path}: parameter_names has ${listNames(unexpected, 3)}, which the merged model lacks (or exclude_keys leaves out)`,
    );
    const absent = layout.parameterNames.filter((name) => !column.has(name));
    const moving = absent.filter((name) => !layout.isZero(name));
    check(
      moving.length === 0,
      () =>
        `${path}: parameter_names lacks ${listNames(moving, 3)}, whose task vectors are not zero (a column is needed; exclude_keys can leave a parameter out)`,
    );
    // Copy: the bytes may not be 4-byte aligned inside their buffer.
    const values = new Float32Array(new Uint8Array(raw.data).buffer);
    const coefficients: CoefficientsByTask = {};
    for (const task of layout.tasks) {
      const offset = rowOf.get(task)! * cols!;
      coefficients[task] = layout.parameterNames.map((name) => {
        const j = column.get(name);
        return j === undefined ? 0 : values[offset + j];
      });
    }
    for (const [task, row] of Object.entries(coefficients)) {
      const bad = (row as number[]).findIndex((x) => !Number.isFinite(x));
      check(
        bad < 0,
        () => `${path}: the merging weight of '${task}' for '${layout.parameterNames[bad]}' is not finite`,
      );
    }
    return { coefficients, absent };
  } finally {
    await file.close();
  }
}
