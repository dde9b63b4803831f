import { deriveSeed, type ModelPool, type Module, PRETRAINED, type TensorSource } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipVisionConfig } from '../config/vision-config.js';
import { ClipVisionModelWithProjection } from '../nn/vision-model.js';
import { fillNoise } from './random-values.js';

/**
 * A model pool of CLIP vision towers with random weights: the pretrained model as initialised,
 * each task's model θ₀ + small noise, made key by key when read so that no task's model is ever
 * whole in memory.
 */
export class RandomClipPool implements ModelPool {
  readonly modelNames: readonly string[];
  readonly hasPretrained = true;
  readonly #pretrained = new Map<string, Float32Array>();
  readonly #shapes = new Map<string, number[]>();

  constructor(
    private readonly config: ClipVisionConfig,
    tasks: number,
  ) {
    this.modelNames = Array.from({ length: tasks }, (_, i) => `task${i}`);
    const model = new ClipVisionModelWithProjection(config);
    for (const [key, p] of model.stateDict()) {
      if (p.dtype !== 'float32') continue;
      this.#pretrained.set(key, p.dataSync().slice() as Float32Array);
      this.#shapes.set(key, p.shape);
    }
    model.dispose();
  }

  async loadModel(name: string): Promise<Module> {
    const model = new ClipVisionModelWithProjection(this.config);
    if (name === PRETRAINED) {
      const weights = new Map(
        [...this.#pretrained].map(([key, v]) => [key, tf.tensor(v, this.#shapes.get(key))]),
      );
      model.loadStateDict(weights, { strict: false });
      tf.dispose([...weights.values()]);
    }
    return model;
  }

  async openWeights(name: string): Promise<TensorSource> {
    const task = this.modelNames.indexOf(name);
    const keys = [...this.#pretrained.keys()];
    return {
      origin: `random ${name}`,
      keys: () => keys,
      info: (key) => ({ shape: this.#shapes.get(key)!, storedDtype: 'float32' }),
      read: async (key) => {
        const theta0 = this.#pretrained.get(key)!;
        const values = fillNoise(new Float32Array(theta0.length), deriveSeed(task, key), 1e-3);
        for (let i = 0; i < values.length; i++) values[i] += theta0[i];
        return tf.tensor(values, this.#shapes.get(key));
      },
      close: async () => {},
    };
  }

  async saveModel(): Promise<void> {
    throw new Error('the benchmark pool saves nothing');
  }
}
