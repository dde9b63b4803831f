/**
 * mergekit's YAML, the subset both projects define: `models` (each `model` with `parameters:
 * weight, density`), `merge_method` (linear, task_arithmetic, ties, dare_linear, dare_ties,
 * slerp), `base_model`, global `parameters` (normalize, lambda, rescale, int8_mask, t — numbers
 * and booleans, not gradients or filters), `dtype` / `out_dtype` (the output's storage; the
 * arithmetic is float32 here) and `tokenizer_source: base`. Anything else is one error naming
 * the key, rather than a merge that silently differs from mergekit's.
 */
import { type FloatStorageDtype, MergebenchError } from '@mergebench/core';
import {
  type GeneralizedMergeOptions,
  generalizedKeyMerge,
  type KeyMerge,
  linearKeyMerge,
  slerpKeyMerge,
} from '@mergebench/task-vectors';

export const MERGE_METHODS = [
  'linear',
  'task_arithmetic',
  'ties',
  'dare_linear',
  'dare_ties',
  'slerp',
] as const;
export type MergeMethodName = (typeof MERGE_METHODS)[number];

export interface MergekitModel {
  readonly model: string;
  readonly weight?: number;
  readonly density?: number;
}

export interface MergePlan {
  readonly method: MergeMethodName;
  readonly base: string | undefined;
  /** The models other than the base, in configuration order. */
  readonly models: readonly MergekitModel[];
  readonly dtype: FloatStorageDtype | undefined;
  readonly merge: KeyMerge;
}

const TOP_KEYS = [
  'models',
  'merge_method',
  'base_model',
  'parameters',
  'dtype',
  'out_dtype',
  'tokenizer_source',
];
const GLOBAL_PARAMS: Record<MergeMethodName, readonly string[]> = {
  linear: ['normalize'],
  task_arithmetic: ['normalize', 'lambda', 'int8_mask'],
  ties: ['normalize', 'lambda', 'int8_mask'],
  dare_linear: ['normalize', 'lambda', 'rescale', 'int8_mask'],
  dare_ties: ['normalize', 'lambda', 'rescale', 'int8_mask'],
  slerp: ['t'],
};
const MODEL_PARAMS: Record<MergeMethodName, readonly string[]> = {
  linear: ['weight'],
  task_arithmetic: ['weight'],
  ties: ['weight', 'density'],
  dare_linear: ['weight', 'density'],
  dare_ties: ['weight', 'density'],
  slerp: [],
};
/** mergekit's settings per method: sparsification, sign consensus, normalize and rescale defaults. */
const GENERALIZED: Record<
  string,
  Pick<GeneralizedMergeOptions, 'sparsification' | 'consensus' | 'normalize' | 'rescale'>
> = {
  task_arithmetic: { sparsification: 'none', consensus: 'none', normalize: false, rescale: false },
  ties: { sparsification: 'magnitude', consensus: 'sum', normalize: true, rescale: false },
  dare_linear: { sparsification: 'random', consensus: 'none', normalize: false, rescale: true },
  dare_ties: { sparsification: 'random', consensus: 'sum', normalize: false, rescale: true },
};
const DTYPES: Record<string, FloatStorageDtype> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  fp32: 'F32',
  fp16: 'F16',
  bf16: 'BF16',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(file: string, what: string): never {
  throw new MergebenchError(`${file}: ${what}`);
}

function onlyKeys(
  file: string,
  where: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
  hint: string,
) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      fail(file, `${where}${key} is not supported (${hint}: ${allowed.join(', ') || 'none'})`);
  }
}

function numberAt(file: string, where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(
      file,
      `${where}: expected a number, got ${JSON.stringify(value)} (gradients and filters are not supported)`,
    );
  return value;
}

function booleanAt(file: string, where: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    fail(file, `${where}: expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Reads a parsed mergekit configuration into a plan; `seed` seeds DARE's draws. */
export function readMergekitConfig(parsed: unknown, file: string, seed = 0): MergePlan {
  if (!isPlainObject(parsed)) fail(file, 'expected a mapping (models, merge_method, ...)');
  onlyKeys(file, '', parsed, TOP_KEYS, 'mergebench reads these keys of a mergekit configuration');
  const method = parsed.merge_method;
  if (!MERGE_METHODS.includes(method as MergeMethodName))
    fail(
      file,
      `merge_method ${JSON.stringify(method)} is not supported (supported: ${MERGE_METHODS.join(', ')})`,
    );
  const name = method as MergeMethodName;
  if (parsed.tokenizer_source !== undefined && parsed.tokenizer_source !== 'base')
    fail(
      file,
      `tokenizer_source ${JSON.stringify(parsed.tokenizer_source)} is not supported (only base: the base model's tokenizer is copied)`,
    );
  const dtypeName = parsed.out_dtype ?? parsed.dtype;
  if (dtypeName !== undefined && !(typeof dtypeName === 'string' && dtypeName in DTYPES))
    fail(file, `dtype ${JSON.stringify(dtypeName)} is not supported (float32, float16 or bfloat16)`);
  const base = parsed.base_model;
  if (base !== undefined && typeof base !== 'string')
    fail(file, 'base_model: expected a folder path or Hub id');

  const params = parsed.parameters ?? {};
  if (!isPlainObject(params)) fail(file, 'parameters: expected a mapping');
  onlyKeys(file, 'parameters.', params, GLOBAL_PARAMS[name], `parameters of ${name}`);

  if (!Array.isArray(parsed.models) || parsed.models.length === 0)
    fail(file, 'models: expected a list of {model: ...}');
  const models: MergekitModel[] = [];
  parsed.models.forEach((entry: unknown, i: number) => {
    const where = `models[${i}]`;
    if (!isPlainObject(entry) || typeof entry.model !== 'string')
      fail(file, `${where}: expected {model: folder or Hub id}`);
    onlyKeys(file, `${where}.`, entry, ['model', 'parameters'], 'keys of a model entry');
    const p = entry.parameters ?? {};
    if (!isPlainObject(p)) fail(file, `${where}.parameters: expected a mapping`);
    if (entry.model === base && name !== 'linear') return; // mergekit skips the base model's entry
    onlyKeys(file, `${where}.parameters.`, p, MODEL_PARAMS[name], `per-model parameters of ${name}`);
    const weight =
      p.weight === undefined ? undefined : numberAt(file, `${where}.parameters.weight`, p.weight);
    const density =
      p.density === undefined ? undefined : numberAt(file, `${where}.parameters.density`, p.density);
    if (density !== undefined && !(density > 0 && density <= 1))
      fail(file, `${where}.parameters.density: expected a fraction in (0, 1], got ${density}`);
    if (MODEL_PARAMS[name].includes('weight') && weight === undefined)
      fail(file, `${where}.parameters.weight is required by ${name}`);
    models.push({ model: entry.model, weight, density });
  });

  let merge: KeyMerge;
  if (name === 'linear') {
    merge = linearKeyMerge(
      models.map((m) => m.weight!),
      params.normalize === undefined ? true : booleanAt(file, 'parameters.normalize', params.normalize),
    );
  } else if (name === 'slerp') {
    if (base === undefined) fail(file, 'slerp needs base_model (t = 0) and one other model (t = 1)');
    if (models.length !== 1)
      fail(file, `slerp interpolates base_model and one other model, got ${models.length} others`);
    if (params.t === undefined) fail(file, 'parameters.t is required by slerp');
    merge = slerpKeyMerge(numberAt(file, 'parameters.t', params.t));
  } else {
    if (base === undefined) fail(file, `${name} needs base_model (task vectors are taken from it)`);
    const defaults = GENERALIZED[name];
    merge = generalizedKeyMerge({
      ...defaults,
      weights: models.map((m) => m.weight!),
      densities: models.map((m) => m.density ?? 1),
      normalize:
        params.normalize === undefined
          ? defaults.normalize
          : booleanAt(file, 'parameters.normalize', params.normalize),
      rescale:
        params.rescale === undefined
          ? defaults.rescale
          : booleanAt(file, 'parameters.rescale', params.rescale),
      lambda: params.lambda === undefined ? 1 : numberAt(file, 'parameters.lambda', params.lambda),
      seed,
    });
  }
  return {
    method: name,
    base: name === 'linear' ? undefined : (base as string),
    models,
    dtype: dtypeName === undefined ? undefined : DTYPES[dtypeName as string],
    merge,
  };
}
