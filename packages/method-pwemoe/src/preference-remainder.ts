import { float32Values, type ModelSite, type Module, matMul, type TensorSource } from '@mergebench/core';
import { taskVectorsOf } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';

interface RemainderEntry {
  readonly variable: tf.Variable;
  readonly theta0: tf.Tensor;
  /** [T, size]: the parameter's task vectors, in task order. */
  readonly taskVectors: tf.Tensor2D;
}

/**
 * The parameters outside the upscaled blocks (embeddings, layer norms, projection), merged for
 * each preference vector as task arithmetic's member for it: θ₀ + λ·T·Σᵢ rayᵢτᵢ. At equal weights
 * this is the reference's fixed θ₀ + λ·Στᵢ; at a one-hot vector it carries that task's vector
 * alone, so PWEMoE's family can hold task arithmetic's members (routers at λ·T·ray, which
 * `router_init: 'task-arithmetic'` starts from). Not in the paper: an option.
 *
 * Holds θ₀ and the T task vectors of every such parameter and rewrites the model's values when
 * the preference changes; the values are frozen, so no gradient flows into them.
 */
export class PreferenceRemainder {
  readonly #entries: RemainderEntry[];

  private constructor(
    readonly lambda: number,
    entries: RemainderEntry[],
  ) {
    this.#entries = entries;
  }

  /** Reads the task vectors of every float parameter and buffer of `model` outside `sites`. */
  static async read(
    model: Module,
    sites: readonly ModelSite[],
    sources: readonly TensorSource[],
    lambda: number,
  ): Promise<PreferenceRemainder> {
    const entries: RemainderEntry[] = [];
    try {
      // stateDict's tensors are the model's live variables.
      for (const [key, variable] of model.stateDict() as Map<string, tf.Variable>) {
        if (variable.dtype !== 'float32' || sites.some((site) => key.startsWith(`${site.path}.`))) continue;
        const theta0 = float32Values(variable).slice();
        const taus = await taskVectorsOf(sources, key, theta0, variable.shape);
        const stacked = new Float32Array(taus.length * theta0.length);
        taus.forEach((tau, i) => {
          stacked.set(tau, i * theta0.length);
        });
        entries.push({
          variable,
          theta0: tf.tensor(theta0, variable.shape),
          taskVectors: tf.tensor2d(stacked, [taus.length, theta0.length]),
        });
      }
    } catch (error) {
      for (const entry of entries) tf.dispose([entry.theta0, entry.taskVectors]);
      throw error;
    }
    return new PreferenceRemainder(lambda, entries);
  }

  /** How many values the remainder merges. */
  get parameters(): number {
    return this.#entries.reduce((n, entry) => n + entry.theta0.size, 0);
  }

  /** The coefficients wᵢ = λ·T·rayᵢ of the task vectors for `ray`. */
  weights(ray: readonly number[]): number[] {
    return ray.map((r) => r * this.lambda * ray.length);
  }

  /** Writes θ₀ + Σᵢ wᵢτᵢ for `ray` into the model's parameters. */
  set(ray: readonly number[]): void {
    tf.tidy(() => {
      const w = tf.tensor2d([this.weights(ray)]);
      for (const { variable, theta0, taskVectors } of this.#entries) {
        variable.assign(tf.add(theta0, tf.reshape(matMul(w, taskVectors), theta0.shape)));
      }
    });
  }

  dispose(): void {
    for (const entry of this.#entries) tf.dispose([entry.theta0, entry.taskVectors]);
  }
}
