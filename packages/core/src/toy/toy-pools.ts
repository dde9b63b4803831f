import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DependencyContainer } from 'tsyringe';
import { type ModelPool, PRETRAINED } from '../contracts/model-pool.js';
import type { EvaluateOptions, TaskPool, TaskPoolResult } from '../contracts/task-pool.js';
import { provide, TOKENS } from '../di/tokens.js';
import { check, listNames } from '../errors.js';
import { evaluateClassification } from '../eval/classification.js';
import { saveHfFolder } from '../io/hf-folder.js';
import { openSafetensors } from '../io/safetensors-reader.js';
import { writeSafetensors } from '../io/safetensors-writer.js';
import type { Module } from '../nn/module.js';
import { deriveSeed } from '../random.js';
import { stateDictSource } from '../tensors/source.js';
import { cloneStateDict } from '../tensors/state-dict.js';
import type { StateDict, TensorSource } from '../tensors/types.js';
import { ToyEncoder, toyInitialWeights } from './toy-model.js';
import { DEFAULT_TOY_WORLD, ToyWorld, type ToyWorldConfig } from './toy-world.js';

export interface ToySettings {
  readonly tasks?: number;
  readonly seed?: number;
  /** Adam steps of fine-tuning per task (batch 64, learning rate 0.01). */
  readonly finetuneSteps?: number;
}

const worlds = new Map<string, ToyWorld>();
const zoos = new Map<string, Map<string, StateDict>>();
/** Bump when the toy model or training changes, so stale cache files are not read. */
const ZOO_FORMAT = 1;

/** One ToyWorld per settings, shared by the toy model and task pools of a process. */
export function toyWorld(settings: ToySettings = {}): ToyWorld {
  const config: ToyWorldConfig = {
    ...DEFAULT_TOY_WORLD,
    tasks: settings.tasks ?? DEFAULT_TOY_WORLD.tasks,
    seed: settings.seed ?? DEFAULT_TOY_WORLD.seed,
  };
  const key = JSON.stringify(config);
  let world = worlds.get(key);
  if (!world) {
    world = new ToyWorld(config);
    worlds.set(key, world);
  }
  return world;
}

/** Fine-tunes the pretrained toy encoder on one task with the task's head frozen. */
async function finetune(
  world: ToyWorld,
  task: string,
  pretrained: StateDict,
  steps: number,
): Promise<StateDict> {
  const model = new ToyEncoder(world.config.model);
  model.loadStateDict(pretrained);
  const head = world.head(task);
  const optimizer = tf.train.adam(0.01);
  const vars = model.trainableVariables();
  let step = 0;
  while (step < steps) {
    for await (const batch of world.batches(task, 'train', {
      batchSize: 64,
      shuffleSeed: deriveSeed(world.config.seed, `${task}/${step}`),
    })) {
      if (step >= steps) {
        tf.dispose([batch.inputs, batch.labels!]);
        continue;
      }
      const { value, grads } = tf.variableGrads(() => {
        const logits = head.forward(model.forward(batch.inputs)) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels!, logits.shape[1]), logits) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([value, batch.inputs, batch.labels!, ...Object.values(grads)]);
      step++;
    }
  }
  optimizer.dispose();
  const weights = cloneStateDict(model.stateDict());
  model.dispose();
  return weights;
}

/**
 * Where a toy zoo is kept between processes: every test file of every plugin runs in its own
 * process, and training the zoo again in each would dominate the test suite on a small machine.
 */
function zooCacheFile(key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return path.join(tmpdir(), 'mergebench-toy-zoo', `${hash}.safetensors`);
}

async function readZooCache(file: string): Promise<Map<string, StateDict> | undefined> {
  if (!existsSync(file)) return undefined;
  const source = await openSafetensors(file);
  try {
    const zoo = new Map<string, StateDict>();
    for (const key of source.keys()) {
      const slash = key.indexOf('/');
      const model = key.slice(0, slash);
      if (!zoo.has(model)) zoo.set(model, new Map());
      zoo.get(model)!.set(key.slice(slash + 1), await source.read(key));
    }
    return zoo;
  } finally {
    await source.close();
  }
}

async function writeZooCache(file: string, zoo: Map<string, StateDict>): Promise<void> {
  const flat = new Map<string, tf.Tensor>();
  for (const [model, weights] of zoo) for (const [name, t] of weights) flat.set(`${model}/${name}`, t);
  mkdirSync(path.dirname(file), { recursive: true });
  await writeSafetensors(file, flat);
}

/**
 * The pretrained weights and one fine-tuned model per task, trained once per machine: kept in
 * memory for the process and in a cache file under the temp folder (written atomically, so
 * processes racing to build it agree).
 */
export async function toyZoo(settings: ToySettings = {}): Promise<Map<string, StateDict>> {
  const world = toyWorld(settings);
  const steps = settings.finetuneSteps ?? 60;
  const key = JSON.stringify([ZOO_FORMAT, world.config, steps]);
  let zoo = zoos.get(key);
  if (!zoo) {
    const file = zooCacheFile(key);
    zoo = await readZooCache(file);
    if (!zoo) {
      zoo = new Map();
      const pretrained = toyInitialWeights(world.config.model, deriveSeed(world.config.seed, 'pretrained'));
      zoo.set(PRETRAINED, pretrained);
      for (const task of world.taskNames) zoo.set(task, await finetune(world, task, pretrained, steps));
      await writeZooCache(file, zoo);
    }
    zoos.set(key, zoo);
  }
  return zoo;
}

/** A model pool over the toy zoo, held in memory. */
export class ToyModelPool implements ModelPool {
  readonly modelNames: readonly string[];
  readonly hasPretrained = true;
  readonly featureDim: number;

  constructor(
    private readonly world: ToyWorld,
    private readonly zoo: Map<string, StateDict>,
  ) {
    this.modelNames = world.taskNames;
    this.featureDim = world.config.model.hidden;
  }

  static async create(settings: ToySettings = {}): Promise<ToyModelPool> {
    return new ToyModelPool(toyWorld(settings), await toyZoo(settings));
  }

  private weights(name: string): StateDict {
    const sd = this.zoo.get(name);
    check(
      sd,
      () =>
        `toy model pool: unknown model '${name}'; available: ${listNames([PRETRAINED, ...this.modelNames])}`,
    );
    return sd;
  }

  async loadModel(name: string): Promise<Module> {
    const model = new ToyEncoder(this.world.config.model);
    model.loadStateDict(this.weights(name));
    return model;
  }

  async openWeights(name: string): Promise<TensorSource> {
    return stateDictSource(this.weights(name), `toy model ${name}`);
  }

  async saveModel(model: Module, dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    await saveHfFolder(dir, {
      config: { model_type: 'mergebench-toy', ...this.world.config.model },
      tensors: model.stateDict(),
      overwrite: options.overwrite,
    });
  }
}

/** A task pool over the toy world: test-split accuracy and loss; provides data and heads. */
export class ToyTaskPool implements TaskPool {
  readonly taskNames: readonly string[];

  constructor(private readonly world: ToyWorld) {
    this.taskNames = world.taskNames;
  }

  evaluate(model: Module, options?: EvaluateOptions): Promise<TaskPoolResult> {
    return evaluateClassification(model, this.world, this.world, options);
  }

  registerServices(container: DependencyContainer): void {
    provide(container, TOKENS.taskData, this.world);
    provide(container, TOKENS.taskHeads, this.world);
  }
}
