import {
  check,
  compatibleSourceKeys,
  float32Values,
  formatShape,
  type ModelPool,
  sameShape,
  type TensorSource,
} from '@mergebench/core';
import { taskVectorsOf } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';

/**
 * The task vectors τᵢ = θᵢ − θ₀ of T fine-tuned models, stacked per parameter as [T, size]
 * float32 arrays in host memory. They stay out of the tensor backend because the wasm backend's
 * heap stops at 4 GiB: eight ViT-B/32 task vectors (2.8 GB) plus the model, the merged weights
 * and their gradients do not fit in it. A parameter's stack is uploaded only while an op needs it.
 */
export class TaskVectors {
  private constructor(
    /** The tasks, in the order of the stacks' rows. */
    readonly tasks: readonly string[],
    private readonly stacks: ReadonlyMap<string, Float32Array>,
  ) {}

  /** The parameter names, in the order they were read. */
  get keys(): string[] {
    return [...this.stacks.keys()];
  }

  /**
   * Reads θᵢ − θ₀ for each task's model and each key of `pretrained`, one key at a time from
   * every model's weights, so that at most one parameter of each model is in tensors at once.
   */
  static async fromPool(
    modelpool: ModelPool,
    tasks: readonly string[],
    pretrained: ReadonlyMap<string, tf.Tensor>,
  ): Promise<TaskVectors> {
    const keys = [...pretrained.keys()];
    const sources: TensorSource[] = [];
    try {
      for (const task of tasks) sources.push(await modelpool.openWeights(task));
      compatibleSourceKeys(sources, keys);
      for (const key of keys) {
        const shape = sources[0].info(key).shape;
        const expected = pretrained.get(key)!.shape;
        check(
          sameShape(shape, expected),
          () =>
            `${sources[0].origin}: '${key}' has shape ${formatShape(shape)}, the pretrained model's is ${formatShape(expected)}`,
        );
      }
      const stacks = new Map<string, Float32Array>();
      for (const key of keys) {
        const theta0 = pretrained.get(key)!;
        const taus = await taskVectorsOf(sources, key, float32Values(theta0), theta0.shape);
        const stack = new Float32Array(tasks.length * theta0.size);
        taus.forEach((tau, i) => {
          stack.set(tau, i * theta0.size);
        });
        stacks.set(key, stack);
      }
      return new TaskVectors(tasks, stacks);
    } finally {
      await Promise.all(sources.map((source) => source.close()));
    }
  }

  /**
   * Task vectors given directly: per parameter, the row-major [T, size] stack of the T tasks'
   * vectors (kept, not copied).
   */
  static fromStacks(tasks: readonly string[], stacks: ReadonlyMap<string, Float32Array>): TaskVectors {
    for (const [key, stack] of stacks) {
      check(
        stack.length % tasks.length === 0,
        () => `task vectors of '${key}': ${stack.length} values do not split into ${tasks.length} tasks`,
      );
    }
    return new TaskVectors(tasks, stacks);
  }

  /** Whether every task's vector of `key` is exactly zero (its coefficients then change nothing). */
  isZero(key: string): boolean {
    const values = this.stacks.get(key);
    check(values, () => `no task vectors for parameter '${key}'`);
    return values.every((x) => x === 0);
  }

  /** Bytes held, for logs. */
  get byteLength(): number {
    let total = 0;
    for (const stack of this.stacks.values()) total += stack.byteLength;
    return total;
  }

  /** The [T, size] stack of `key` as a new tensor; the caller disposes it. */
  stack(key: string): tf.Tensor2D {
    const values = this.stacks.get(key);
    check(values, () => `no task vectors for parameter '${key}'`);
    return tf.tensor2d(values, [this.tasks.length, values.length / this.tasks.length]);
  }
}
