import { check, listNames, type StateDict } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Σᵢ wᵢ(Fᵢ + m)·θᵢ and Σᵢ wᵢ(Fᵢ + m) per parameter, model after model: the merge then holds two
 * tensors per parameter however many models it merges, and θ = numerator / denominator.
 *
 * The reference scales each model's Fisher by cᵢ = (1/T)·wᵢ / Σⱼ wⱼ; that common factor cancels in
 * the ratio, so the running sums need only wᵢ, known as soon as model i's Fisher is.
 */
export class FisherWeightedSum {
  readonly #numerators = new Map<string, tf.Tensor>();
  readonly #denominators = new Map<string, tf.Tensor>();

  /** `minimalWeight` (m) is added to every Fisher entry, so that no denominator is 0. */
  constructor(private readonly minimalWeight: number) {}

  /** Adds model `name`'s parameters (θ) weighted by its Fisher; every model must cover the same keys. */
  add(name: string, parameters: StateDict, fisher: ReadonlyMap<string, tf.Tensor>, weight: number): void {
    if (this.#numerators.size > 0) {
      const differ = [...fisher.keys()].filter((key) => !this.#numerators.has(key));
      check(
        differ.length === 0 && fisher.size === this.#numerators.size,
        () =>
          `model '${name}' has a Fisher for other parameters than the models before it (${listNames(differ.length > 0 ? differ : [...this.#numerators.keys()].filter((key) => !fisher.has(key)))})`,
      );
    }
    for (const [key, f] of fisher) {
      const theta = parameters.get(key);
      check(theta, () => `model '${name}' has a Fisher for '${key}' but no such parameter`);
      const numerator = this.#numerators.get(key);
      const denominator = this.#denominators.get(key);
      const [nextNumerator, nextDenominator] = tf.tidy(() => {
        const w = tf.mul(tf.add(f, this.minimalWeight), weight);
        const wTheta = tf.mul(w, theta);
        return [numerator ? tf.add(numerator, wTheta) : wTheta, denominator ? tf.add(denominator, w) : w];
      });
      tf.dispose([numerator, denominator].filter((t) => t !== undefined));
      this.#numerators.set(key, nextNumerator);
      this.#denominators.set(key, nextDenominator);
    }
  }

  keys(): string[] {
    return [...this.#numerators.keys()];
  }

  has(key: string): boolean {
    return this.#numerators.has(key);
  }

  /** The merged value of one key, a new tensor. */
  merged(key: string): tf.Tensor {
    const numerator = this.#numerators.get(key);
    check(numerator, () => `no Fisher-weighted sum for '${key}'`);
    return tf.div(numerator, this.#denominators.get(key)!);
  }

  dispose(): void {
    tf.dispose([...this.#numerators.values(), ...this.#denominators.values()]);
    this.#numerators.clear();
    this.#denominators.clear();
  }
}
