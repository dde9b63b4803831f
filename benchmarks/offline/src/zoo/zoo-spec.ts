import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MergebenchError } from '@mergebench/core';
import { BUILTIN_TASK_NAMES, DEFAULT_TASK_NAMES } from '@mergebench/taskpool-image-classification';

/**
 * Everything that determines the zoo. Its hash names the cache, so changing a size rebuilds.
 * Sizes are chosen for a 2-core machine: the whole zoo builds in well under 30 minutes on the
 * wasm backend and evaluating all eight tasks takes seconds.
 */
export interface ZooSpec {
  /** A Hugging Face CLIPVisionConfig: the same code path as real CLIP, at a small size. */
  readonly vision: Readonly<Record<string, number | string>>;
  readonly tasks: readonly string[];
  /** Task pool data settings shared by every step. */
  readonly data: {
    readonly imageSize: number;
    readonly trainSize: number;
    readonly testSize: number;
    readonly seed: number;
  };
  /**
   * Broad pretraining; `logitScale` multiplies the heads' cosines (CLIP's trained value is 100).
   * `objective` 'tasks' (the default): the encoder and one cosine head per task trained jointly
   * on the tasks' labels, briefly. 'rotation': the encoder alone, self-supervised on every task's
   * images (pretrain-rotation.ts), the heads then the class prototypes of `headExamples`
   * labelled images per task (prototype-heads.ts). 'checkpoint': the encoder is the Hugging Face
   * folder `checkpoint` (relative to the spec file), pretrained elsewhere, e.g. by
   * tools/pretrain/pretrain_procedural.py; `steps`, `batchSize` and `lr` are then unused and the
   * heads are prototypes as for 'rotation'. `batchSize` is per task.
   */
  readonly pretrain: {
    readonly steps: number;
    readonly batchSize: number;
    readonly lr: number;
    readonly logitScale: number;
    readonly objective?: 'tasks' | 'rotation' | 'checkpoint';
    readonly headExamples?: number;
    readonly checkpoint?: string;
  };
  /** Fine-tuning of the encoder on one task with that task's head frozen. */
  readonly finetune: { readonly steps: number; readonly batchSize: number; readonly lr: number };
  readonly seed: number;
}

/**
 * The quick zoo (`zoos/quick.json`): a width-64 encoder "pretrained" briefly on the eight tasks
 * themselves, built in minutes; the tests use it. Its task vectors interfere far more than CLIP's
 * (README.md), so the main job runs on `zoos/default.json` instead. Every spec file replaces
 * fields of this one.
 */
export const QUICK_ZOO_SPEC: ZooSpec = {
  vision: {
    hidden_size: 64,
    intermediate_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_channels: 3,
    image_size: 32,
    patch_size: 8,
    projection_dim: 64,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
  },
  tasks: DEFAULT_TASK_NAMES,
  data: { imageSize: 32, trainSize: 4096, testSize: 512, seed: 0 },
  pretrain: { steps: 100, batchSize: 32, lr: 2e-3, logitScale: 20 },
  finetune: { steps: 800, batchSize: 32, lr: 5e-4 },
  seed: 0,
};

/** What a spec file's setting holds: a whole number ≥ 0, a finite number, a string, or one of some words. */
type SettingKind = 'count' | 'number' | 'string' | readonly string[];
interface Setting {
  readonly kind: SettingKind;
  /** Optional settings may be left out of a nested object; the others may not (see below). */
  readonly optional?: true;
}

const count: Setting = { kind: 'count' };
const number: Setting = { kind: 'number' };

/** Every key of the nested objects a spec file may give, typed against ZooSpec so none is missed. */
const NESTED_SETTINGS: {
  readonly [K in 'data' | 'pretrain' | 'finetune']: { readonly [P in keyof ZooSpec[K]]-?: Setting };
} = {
  data: { imageSize: count, trainSize: count, testSize: count, seed: count },
  pretrain: {
    steps: count,
    batchSize: count,
    lr: number,
    logitScale: number,
    objective: { kind: ['tasks', 'rotation', 'checkpoint'], optional: true },
    headExamples: { kind: 'count', optional: true },
    checkpoint: { kind: 'string', optional: true },
  },
  finetune: { steps: count, batchSize: count, lr: number },
};

const SPEC_KEYS: readonly (keyof ZooSpec)[] = ['vision', 'tasks', 'data', 'pretrain', 'finetune', 'seed'];

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) =>
  Array.isArray(v) ? (v.length === 0 ? 'an empty list' : 'a list') : v === null ? 'null' : JSON.stringify(v);

function expectation(kind: SettingKind): string {
  if (typeof kind !== 'string') return `one of ${kind.map((w) => `"${w}"`).join(', ')}`;
  return { count: 'a whole number ≥ 0', number: 'a number', string: 'a string' }[kind];
}

function fits(kind: SettingKind, value: unknown): boolean {
  if (typeof kind !== 'string') return typeof value === 'string' && kind.includes(value);
  if (kind === 'string') return typeof value === 'string';
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  return kind === 'number' || (Number.isSafeInteger(value) && value >= 0);
}

/**
 * Checks a spec file's settings, so that a misspelled key or a quoted number stops the command
 * with the file and the key instead of building a zoo that ignores it. `vision` is a Hugging Face
 * CLIPVisionConfig and may hold any of its keys, so only its shape is checked.
 */
function checkSpecFile(file: string, changes: unknown): asserts changes is Partial<ZooSpec> {
  const fail = (message: string): never => {
    throw new MergebenchError(`--spec ${file}: ${message}`);
  };
  if (!isMapping(changes)) fail(`expected a JSON object of zoo settings, got ${shown(changes)}`);
  const given = changes as Mapping;
  for (const key of Object.keys(given)) {
    if (!(SPEC_KEYS as readonly string[]).includes(key))
      fail(`unknown key '${key}' (expected one of ${SPEC_KEYS.join(', ')})`);
  }
  if ('vision' in given && !isMapping(given.vision))
    fail(`vision: expected an object of CLIPVisionConfig settings, got ${shown(given.vision)}`);
  if ('seed' in given && !fits('count', given.seed))
    fail(`seed: expected ${expectation('count')}, got ${shown(given.seed)}`);
  if ('tasks' in given) {
    const tasks = given.tasks;
    if (!Array.isArray(tasks) || tasks.length === 0)
      fail(`tasks: expected a non-empty list of task names, got ${shown(tasks)}`);
    (tasks as unknown[]).forEach((task, i) => {
      if (typeof task !== 'string' || !BUILTIN_TASK_NAMES.includes(task))
        fail(`tasks[${i}]: unknown task ${shown(task)} (expected one of ${BUILTIN_TASK_NAMES.join(', ')})`);
      if ((tasks as unknown[]).indexOf(task) !== i) fail(`tasks[${i}]: '${task}' is listed twice`);
    });
  }
  for (const [group, settings] of Object.entries(NESTED_SETTINGS) as [string, Record<string, Setting>][]) {
    if (!(group in given)) continue;
    const value = given[group];
    const keys = Object.keys(settings);
    if (!isMapping(value)) fail(`${group}: expected an object with ${keys.join(', ')}, got ${shown(value)}`);
    const nested = value as Mapping;
    for (const key of Object.keys(nested)) {
      if (!keys.includes(key)) fail(`unknown key '${group}.${key}' (expected one of ${keys.join(', ')})`);
    }
    for (const [key, setting] of Object.entries(settings)) {
      if (nested[key] === undefined) {
        // The object replaces the default's whole, so a left-out setting would be undefined.
        if (!setting.optional) {
          const required = keys.filter((k) => !settings[k].optional);
          fail(
            `${group}.${key}: missing (an object given for ${group} replaces the default, so it needs ${required.join(', ')})`,
          );
        }
        continue;
      }
      if (!fits(setting.kind, nested[key]))
        fail(`${group}.${key}: expected ${expectation(setting.kind)}, got ${shown(nested[key])}`);
    }
  }
}

/** The spec of a JSON file (`--spec`): the quick zoo's settings with the file's fields replacing them. */
/** The spec file a command uses when `--spec` is not given. */
export function defaultZooSpecFile(packageDir: string): string {
  return path.join(packageDir, 'zoos', 'default.json');
}

export function loadZooSpec(file: string): ZooSpec {
  let changes: unknown;
  try {
    changes = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MergebenchError(
      `--spec ${file}: expected a JSON object of zoo settings (${(e as Error).message})`,
    );
  }
  checkSpecFile(file, changes);
  const spec = { ...QUICK_ZOO_SPEC, ...changes };
  const { objective, checkpoint } = spec.pretrain;
  if ((objective === 'checkpoint') !== (checkpoint !== undefined)) {
    throw new MergebenchError(
      `--spec ${file}: pretrain.checkpoint (a Hugging Face folder) goes with pretrain.objective "checkpoint", and only with it`,
    );
  }
  if (checkpoint === undefined) return spec;
  const folder = path.resolve(path.dirname(file), checkpoint);
  if (!existsSync(path.join(folder, 'model.safetensors'))) {
    throw new MergebenchError(
      `--spec ${file}: pretrain.checkpoint ${checkpoint}: expected a folder with config.json and model.safetensors at ${folder}`,
    );
  }
  return { ...spec, pretrain: { ...spec.pretrain, checkpoint: folder } };
}

/**
 * A short stable hash of the spec, naming the zoo's cache folder. A pretrained checkpoint counts
 * by its content, not its path: the same weights give the same zoo wherever the checkout is.
 */
export function zooKey(spec: ZooSpec): string {
  const { checkpoint } = spec.pretrain;
  const keyed =
    checkpoint === undefined
      ? spec
      : {
          ...spec,
          pretrain: { ...spec.pretrain, checkpoint: fileSha256(path.join(checkpoint, 'model.safetensors')) },
        };
  return createHash('sha256').update(JSON.stringify(keyed)).digest('hex').slice(0, 12);
}

function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
