/**
 * Spherical linear interpolation of one tensor between the base model (t = 0) and one other
 * model (t = 1), as mergekit's `slerp`: the angle between the two tensors flattened and
 * normalised; when |cos| > 0.9995 (nearly colinear) it falls back to linear interpolation
 * (1 − t)·v₀ + t·v₁. The coefficients (norms, the dot product, the sines) are computed in float64
 * and rounded to float32 (mergekit computes them in float32 numpy scalars, whose last bits depend
 * on numpy's summation order); the interpolation itself is float32.
 */
import { check } from '@mergebench/core';
import { type KeyChunk, type StreamableKeyMerge, streamableKeyMerge } from './key-merge.js';

export const SLERP_DOT_THRESHOLD = 0.9995;
const EPS = 1e-8;

/** Sums of v₀², v₁² and v₀·v₁ in float64, in index order (accumulated run by run). */
class SlerpSums {
  n0 = 0;
  n1 = 0;
  dot = 0;
  add(v0: Float32Array, v1: Float32Array): void {
    let { n0, n1, dot } = this;
    for (let i = 0; i < v0.length; i++) {
      n0 += v0[i] * v0[i];
      n1 += v1[i] * v1[i];
      dot += v0[i] * v1[i];
    }
    this.n0 = n0;
    this.n1 = n1;
    this.dot = dot;
  }
  /** The float32 coefficients (s₀, s₁) of v₀ and v₁. */
  coefficients(t: number): [number, number] {
    const n0 = Math.sqrt(this.n0);
    const n1 = Math.sqrt(this.n1);
    const cos = this.dot / (n0 > EPS ? n0 : 1) / (n1 > EPS ? n1 : 1);
    if (Math.abs(cos) > SLERP_DOT_THRESHOLD) return [Math.fround(1 - t), Math.fround(t)];
    const theta0 = Math.acos(cos);
    const sin0 = Math.sin(theta0);
    const thetaT = theta0 * t;
    return [Math.fround(Math.sin(theta0 - thetaT) / sin0), Math.fround(Math.sin(thetaT) / sin0)];
  }
}

/** The float32 coefficients (s₀, s₁) of v₀ and v₁. */
export function slerpCoefficients(t: number, v0: Float32Array, v1: Float32Array): [number, number] {
  const sums = new SlerpSums();
  sums.add(v0, v1);
  return sums.coefficients(t);
}

export function slerpKeyMerge(t: number): StreamableKeyMerge {
  check(Number.isFinite(t), () => `slerp: t must be a number, got ${t}`);
  return streamableKeyMerge((key) => {
    const sums = new SlerpSums();
    let s: [number, number] | undefined;
    const inputs = ({ base, models }: KeyChunk) => {
      check(base, `${key}: slerp needs a base model`);
      check(
        models.length === 1,
        () => `${key}: slerp interpolates two models, base and one other, got ${models.length + 1}`,
      );
      return [base, models[0]];
    };
    return {
      passes: 1,
      scan(_pass, chunk) {
        const [v0, v1] = inputs(chunk);
        sums.add(v0, v1);
      },
      merge(chunk, _start, out) {
        const [v0, v1] = inputs(chunk);
        s ??= sums.coefficients(t);
        const [s0, s1] = s;
        for (let i = 0; i < v0.length; i++) out[i] = Math.fround(s0 * v0[i]) + Math.fround(s1 * v1[i]);
      },
    };
  });
}
