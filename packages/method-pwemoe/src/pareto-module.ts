import { check, functionalCall, MergebenchError, Module, matMul } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { PreferenceRouter } from './preference-router.js';

export interface ParetoModuleOptions {
  /** The pretrained block (θ₀); it becomes a frozen child of the module. */
  readonly base: Module;
  /** Per parameter of `base` (by its name), the T task vectors τᵢ = θᵢ − θ₀, in task order. */
  readonly taskVectors: ReadonlyMap<string, readonly Float32Array[]>;
  readonly router: PreferenceRouter;
}

/** The child that holds θ₀; collapsing strips it from the parameter names. */
export const BASE_MODULE = 'base_model';

/**
 * PWEMoE's upscaled block (an MLP, or an attention block): its parameters are θ₀ + Σᵢ rᵢτᵢ with
 * routing weights r = router(ray) that depend only on the preference vector ray, never on the
 * input. One weight set serves the whole batch, so for a fixed ray the block is exactly the
 * plain block with those weights (see collapse.ts). Children: `base_model` (θ₀, frozen) and
 * `router`; the task vectors are frozen parameters `task_vectors_<k>` [T, ...shape] of the k-th
 * parameter of the base block.
 */
export class ParetoWeightEnsemblingModule extends Module {
  readonly base: Module;
  readonly router: PreferenceRouter;
  /** The base block's parameter names, in the order of the task-vector stacks. */
  readonly parameterNames: readonly string[];
  readonly #taskVectors: readonly tf.Variable[];
  // A non-persistent buffer, so that disposing any ancestor releases it.
  readonly #preference: tf.Variable;
  #preferenceSet = false;

  constructor({ base, taskVectors, router }: ParetoModuleOptions) {
    super();
    const own = base.namedParameters();
    const tasks = router.tasks;
    const missing = [...own.keys()].filter((name) => !taskVectors.has(name));
    check(missing.length === 0, () => `ParetoWeightEnsemblingModule: no task vectors for '${missing[0]}'`);
    this.base = this.registerModule(BASE_MODULE, base);
    this.router = this.registerModule('router', router);
    base.requiresGrad(false);
    this.parameterNames = [...own.keys()];
    this.#preference = this.registerBuffer('preference', tf.zeros([tasks]), { persistent: false });
    this.#taskVectors = this.parameterNames.map((name, k) => {
      const theta0 = own.get(name)!;
      const taus = taskVectors.get(name)!;
      check(
        taus.length === tasks && taus.every((tau) => tau.length === theta0.size),
        () =>
          `ParetoWeightEnsemblingModule: '${name}' needs ${tasks} task vectors of ${theta0.size} values, got ${taus.length}`,
      );
      const stacked = new Float32Array(tasks * theta0.size);
      taus.forEach((tau, i) => {
        stacked.set(tau, i * theta0.size);
      });
      return this.registerParameter(`task_vectors_${k}`, tf.tensor2d(stacked, [tasks, theta0.size]), {
        trainable: false,
      });
    });
  }

  get tasks(): number {
    return this.router.tasks;
  }

  /** The preference vector the block is set to, or null. */
  get preference(): readonly number[] | null {
    return this.#preferenceSet ? Array.from(this.#preference.dataSync()) : null;
  }

  /** Sets the preference vector (checked by the caller; see preference.ts). */
  setPreference(ray: readonly number[]): void {
    check(
      ray.length === this.tasks,
      () =>
        `ParetoWeightEnsemblingModule: preference vector of ${ray.length} entries, expected ${this.tasks}`,
    );
    tf.tidy(() => this.#preference.assign(tf.tensor1d([...ray])));
    this.#preferenceSet = true;
  }

  /** r = router(ray) [T] for the preference vector set. */
  routingWeights(): tf.Tensor1D {
    if (!this.#preferenceSet) {
      throw new MergebenchError(
        'ParetoWeightEnsemblingModule: no preference vector set; call setPreference first',
      );
    }
    return this.router.forward(this.#preference);
  }

  /** θ₀ + Σᵢ rᵢτᵢ for every parameter of the base block, by name, for the preference vector set. */
  mergedParameters(): Map<string, tf.Tensor> {
    const own = this.base.namedParameters();
    const values = tf.tidy(() => {
      const r = tf.expandDims(this.routingWeights(), 0);
      return this.parameterNames.map((name, k) => {
        const theta0 = own.get(name)!;
        return tf.add(theta0, tf.reshape(matMul(r, this.#taskVectors[k]), theta0.shape));
      });
    });
    return new Map(this.parameterNames.map((name, k) => [name, values[k]]));
  }

  /** The base block's forward with the merged parameters; gradients reach the router. */
  forward(...args: unknown[]): unknown {
    return tf.tidy(() => {
      const merged = this.mergedParameters();
      return functionalCall(this.base, merged, () => this.base.forward(...args)) as tf.Tensor;
    });
  }
}
