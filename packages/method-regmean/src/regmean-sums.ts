import { check, listNames, type Module } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { reduceOffDiagonal } from './off-diagonal.js';
import { type RegMeanSolution, solveRegMean } from './regmean-solve.js';

/** The key of a Linear module's weight. */
export function weightKey(layer: string): string {
  return layer === '' ? 'weight' : `${layer}.weight`;
}

export interface MergedLinearWeight extends Omit<RegMeanSolution, 'solution'> {
  /** [out, in], PyTorch's layout. */
  readonly weight: tf.Tensor2D;
}

/**
 * RegMean's sums per Linear layer, model after model, so that the merge holds a few matrices per
 * layer however many models it merges: S = Σᵢ R(Gᵢ) (R: off-diagonal entries times α) and
 * D = Σᵢ R(Gᵢ)·(Wᵢ − W₁)ᵀ. The merged weight is then Wᵀ = W₁ᵀ + S⁻¹·D, which equals
 * S⁻¹·Σᵢ R(Gᵢ)·Wᵢᵀ: the sums are float32, and their rounding, amplified by the solve, now scales
 * with the models' differences rather than with the weights themselves (one model gives back
 * its own weights exactly). Wᵢ is [out, in] as PyTorch stores it, so the system is solved for
 * Wᵀ ([in, out]) and transposed back.
 */
export class RegMeanSums {
  readonly #grams = new Map<string, tf.Tensor2D>();
  readonly #products = new Map<string, tf.Tensor2D>();
  /** W₁ of each layer, [out, in]. */
  readonly #anchors = new Map<string, tf.Tensor2D>();

  /** `ratio`: α, reduce_non_diagonal_ratio. */
  constructor(private readonly ratio: number) {}

  /** Adds model `name` with the Gram matrices of its Linear layers' inputs. */
  add(name: string, model: Module, grams: ReadonlyMap<string, tf.Tensor2D>): void {
    const first = this.#grams.size === 0;
    if (!first) {
      const differ = [
        ...[...grams.keys()].filter((layer) => !this.#grams.has(layer)),
        ...[...this.#grams.keys()].filter((layer) => !grams.has(layer)),
      ];
      check(
        differ.length === 0,
        () =>
          `model '${name}' has Gram matrices for other Linear layers than the models before it (${listNames(differ)})`,
      );
    }
    const state = model.stateDict();
    for (const [layer, g] of grams) {
      const weight = state.get(weightKey(layer)) as tf.Tensor2D | undefined;
      check(weight, () => `model '${name}' has no ${weightKey(layer)} for its Linear layer '${layer}'`);
      if (first) {
        this.#anchors.set(layer, weight.clone());
        this.#grams.set(layer, reduceOffDiagonal(g, this.ratio));
        this.#products.set(layer, tf.zeros([weight.shape[1], weight.shape[0]]));
        continue;
      }
      const sum = this.#grams.get(layer)!;
      const product = this.#products.get(layer)!;
      const anchor = this.#anchors.get(layer)!;
      const [nextSum, nextProduct] = tf.tidy(() => {
        const r = reduceOffDiagonal(g, this.ratio);
        const rd = tf.matMul(r, tf.sub(weight, anchor), false, true);
        return [tf.add(sum, r), tf.add(product, rd)] as tf.Tensor2D[];
      });
      tf.dispose([sum, product]);
      this.#grams.set(layer, nextSum);
      this.#products.set(layer, nextProduct);
    }
  }

  layers(): string[] {
    return [...this.#grams.keys()];
  }

  /**
   * The merged weight of one layer, W = (S⁻¹·Σᵢ R(Gᵢ)·Wᵢᵀ)ᵀ, solved in float64. `average` gives
   * the plain average of the Wᵢ, which solveRegMean's fallback pulls a singular system towards.
   * Undefined when the summed Gram matrix is not finite.
   */
  async solve(layer: string, average: () => Promise<tf.Tensor>): Promise<MergedLinearWeight | undefined> {
    const s = this.#grams.get(layer);
    const d = this.#products.get(layer);
    const anchor = this.#anchors.get(layer);
    check(s && d && anchor, () => `no RegMean sums for layer '${layer}'`);
    const [n, m] = d.shape;
    const w1 = (await anchor.data()) as Float32Array;
    // The fallback's target in the solved variable W − W₁: (W̄ − W₁)ᵀ.
    const averageOffset = async () => {
      const mean = await average();
      const values = (await mean.data()) as Float32Array;
      mean.dispose();
      const out = new Float64Array(n * m);
      for (let j = 0; j < m; j++)
        for (let i = 0; i < n; i++) out[i * m + j] = values[j * n + i] - w1[j * n + i];
      return out;
    };
    const solved = await solveRegMean(
      Float64Array.from(await s.data()),
      n,
      Float64Array.from(await d.data()),
      m,
      averageOffset,
    );
    if (!solved) return undefined;
    const { solution, ...rest } = solved;
    const merged = new Float32Array(m * n);
    for (let j = 0; j < m; j++)
      for (let i = 0; i < n; i++) merged[j * n + i] = w1[j * n + i] + solution[i * m + j];
    return { weight: tf.tensor2d(merged, [m, n]), ...rest };
  }

  dispose(): void {
    tf.dispose([...this.#grams.values(), ...this.#products.values(), ...this.#anchors.values()]);
    this.#grams.clear();
    this.#products.clear();
    this.#anchors.clear();
  }
}
