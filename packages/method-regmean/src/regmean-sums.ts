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
 * Σᵢ R(Gᵢ) and Σᵢ R(Gᵢ)·Wᵢᵀ per Linear layer, model after model (R: off-diagonal entries times α),
 * so that the merge holds two matrices per layer however many models it merges. Wᵢ is [out, in]
 * as PyTorch stores it, so the system is solved for Wᵀ ([in, out]) and transposed back.
 */
export class RegMeanSums {
  readonly #grams = new Map<string, tf.Tensor2D>();
  readonly #products = new Map<string, tf.Tensor2D>();

  /** `ratio`: α, reduce_non_diagonal_ratio. */
  constructor(private readonly ratio: number) {}

  /** Adds model `name` with the Gram matrices of its Linear layers' inputs. */
  add(name: string, model: Module, grams: ReadonlyMap<string, tf.Tensor2D>): void {
    if (this.#grams.size > 0) {
      const differ = [
        ...[...grams.keys()].filter((layer) => !this.#grams.has(layer)),
        ...[...this.#grams.keys()].filter((layer) => !grams.has(layer)),
      ];
      check(
        differ.length === 0,
        () => `model '${name}' has Gram matrices for other Linear layers than the models before it (${listNames(differ)})`,
      );
    }
    const state = model.stateDict();
    for (const [layer, g] of grams) {
      const weight = state.get(weightKey(layer));
      check(weight, () => `model '${name}' has no ${weightKey(layer)} for its Linear layer '${layer}'`);
      const sum = this.#grams.get(layer);
      const product = this.#products.get(layer);
      const [nextSum, nextProduct] = tf.tidy(() => {
        const r = reduceOffDiagonal(g, this.ratio);
        const rw = tf.matMul(r, weight as tf.Tensor2D, false, true);
        return [sum ? tf.add(sum, r) : r, product ? tf.add(product, rw) : rw] as tf.Tensor2D[];
      });
      tf.dispose([sum, product].filter((t) => t !== undefined));
      this.#grams.set(layer, nextSum);
      this.#products.set(layer, nextProduct);
    }
  }

  layers(): string[] {
    return [...this.#grams.keys()];
  }

  /**
   * The merged weight of one layer, W = ((Σ R(Gᵢ))⁻¹ Σ R(Gᵢ)Wᵢᵀ)ᵀ, solved in float64 (see
   * solveRegMean; `average` gives the plain average of the Wᵢ for its fallback). Undefined when
   * the summed Gram matrix is not finite.
   */
  async solve(layer: string, average: () => Promise<tf.Tensor>): Promise<MergedLinearWeight | undefined> {
    const s = this.#grams.get(layer);
    const b = this.#products.get(layer);
    check(s && b, () => `no RegMean sums for layer '${layer}'`);
    const [n, m] = b.shape;
    const anchor = async () => {
      const mean = await average();
      const transposed = tf.transpose(mean);
      mean.dispose();
      const values = Float64Array.from(await transposed.data());
      transposed.dispose();
      return values;
    };
    const solved = await solveRegMean(
      Float64Array.from(await s.data()),
      n,
      Float64Array.from(await b.data()),
      m,
      anchor,
    );
    if (!solved) return undefined;
    const { solution, ...rest } = solved;
    const weight = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(solution), [n, m])));
    return { weight, ...rest };
  }

  dispose(): void {
    tf.dispose([...this.#grams.values(), ...this.#products.values()]);
    this.#grams.clear();
    this.#products.clear();
  }
}
