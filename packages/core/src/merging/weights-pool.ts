import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelPool, PRETRAINED } from '../contracts/model-pool.js';
import { check, listNames, MergebenchError } from '../errors.js';
import { openCheckpoint, readStateDict } from '../io/checkpoint.js';
import { saveHfFolder } from '../io/hf-folder.js';
import type { Module } from '../nn/module.js';
import { stateDictSource } from '../tensors/source.js';
import type { StateDict, TensorSource } from '../tensors/types.js';
import { ParameterTree } from './parameter-tree.js';

const SAFETENSORS = '.safetensors';

/** Opens one model's weights afresh; the caller closes the source. */
export type OpenWeights = () => Promise<TensorSource>;

/**
 * A model pool over bare weights — checkpoint files or state dicts in memory — whose models are
 * ParameterTrees: for merging checkpoints of any architecture (benchmarks, parity tests, a
 * folder of safetensors files). A model named `_pretrained_` is the pretrained model; the
 * others are the fine-tuned models, in the order given.
 */
export class WeightsPool implements ModelPool {
  readonly modelNames: readonly string[];
  readonly hasPretrained: boolean;

  constructor(private readonly models: ReadonlyMap<string, OpenWeights>) {
    this.modelNames = [...models.keys()].filter((name) => name !== PRETRAINED);
    this.hasPretrained = models.has(PRETRAINED);
  }

  /** Checkpoints by model name: safetensors files or Hugging Face folders (see openCheckpoint). */
  static fromCheckpoints(paths: ReadonlyMap<string, string>): WeightsPool {
    return new WeightsPool(new Map([...paths].map(([name, path]) => [name, () => openCheckpoint(path)])));
  }

  /**
   * One model per entry of `dir`, named after it: `<name>.safetensors` files and checkpoint
   * folders, in name order (`_pretrained_.safetensors` is the pretrained model).
   */
  static async fromFolder(dir: string): Promise<WeightsPool> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      throw new MergebenchError(`${dir}: not a readable folder of checkpoints`);
    }
    const paths = entries
      .filter((e) => e.isDirectory() || (e.isFile() && e.name.endsWith(SAFETENSORS)))
      .map((e) => [e.isFile() ? e.name.slice(0, -SAFETENSORS.length) : e.name, join(dir, e.name)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    check(paths.length > 0, () => `${dir}: no .safetensors files or checkpoint folders in it`);
    return WeightsPool.fromCheckpoints(new Map(paths));
  }

  /** State dicts by model name; the pool reads them and never disposes them. */
  static fromStateDicts(dicts: ReadonlyMap<string, StateDict>): WeightsPool {
    return new WeightsPool(
      new Map([...dicts].map(([name, sd]) => [name, async () => stateDictSource(sd, `model ${name}`)])),
    );
  }

  async openWeights(name: string): Promise<TensorSource> {
    const open = this.models.get(name);
    check(open, () => `weights pool: unknown model '${name}'; available: ${listNames(this.models.keys())}`);
    return open();
  }

  async loadModel(name: string): Promise<Module> {
    const source = await this.openWeights(name);
    try {
      return ParameterTree.fromStateDict(await readStateDict(source));
    } finally {
      await source.close();
    }
  }

  async saveModel(model: Module, dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    await saveHfFolder(dir, {
      config: { model_type: 'mergebench-weights' },
      tensors: model.stateDict(),
      overwrite: options.overwrite,
    });
  }
}
