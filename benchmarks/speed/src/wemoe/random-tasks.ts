import { type Batch, Linear, type Module, type TaskData, type TaskHeads } from '@mergebench/core';
import type { ClipVisionConfig } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';

/** Random images for every task and a random frozen head per task (the values do not change the work). */
export class RandomTasks implements TaskData, TaskHeads {
  readonly taskNames: readonly string[];
  readonly #heads = new Map<string, Module>();

  constructor(
    private readonly config: ClipVisionConfig,
    tasks: readonly string[],
    private readonly classes: number,
    private readonly images: number,
  ) {
    this.taskNames = tasks;
    tasks.forEach((task, i) => {
      this.#heads.set(task, new Linear(config.projection_dim, classes, { seed: i }).requiresGrad(false));
    });
  }

  size(): number {
    return this.images;
  }

  async *batches(_task: string, _split: string, options: { batchSize: number }): AsyncIterable<Batch> {
    const { image_size: size, num_channels: channels } = this.config;
    for (let start = 0; start < this.images; start += options.batchSize) {
      yield { inputs: tf.randomNormal([options.batchSize, channels, size, size]) };
    }
  }

  head(task: string): Module {
    return this.#heads.get(task)!;
  }

  numClasses(): number {
    return this.classes;
  }
}
