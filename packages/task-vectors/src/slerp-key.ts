/**
 * Spherical linear interpolation of one tensor between the base model (t = 0) and one other
 * model (t = 1), as mergekit's `slerp`: the angle between the two tensors flattened and
 * normalised; when |cos| > 0.9995 (nearly colinear) it falls back to linear interpolation
 * (1 − t)·v₀ + t·v₁. The coefficients (norms, the dot product, the sines) are computed in float64
 * and rounded to float32 (mergekit computes them in float32 numpy scalars, whose last bits depend
 * on numpy's summation order); the interpolation itself is float32.
 */
import { check } from '@mergebench/core';
import type { KeyMerge } from './key-merge.js';

export const SLERP_DOT_THRESHOLD = 0.9995;
const EPS = 1e-8;

/** The float32 coefficients (s₀, s₁) of v₀ and v₁. */
export function slerpCoefficients(t: number, v0: Float32Array, v1: Float32Array): [number, number] {
  let n0 = 0;
  let n1 = 0;
  let dot = 0;
  for (let i = 0; i < v0.length; i++) {
    n0 += v0[i] * v0[i];
    n1 += v1[i] * v1[i];
    dot += v0[i] * v1[i];
  }
  n0 = Math.sqrt(n0);
  n1 = Math.sqrt(n1);
  const cos = dot / (n0 > EPS ? n0 : 1) / (n1 > EPS ? n1 : 1);
  if (Math.abs(cos) > SLERP_DOT_THRESHOLD) return [Math.fround(1 - t), Math.fround(t)];
  const theta0 = Math.acos(cos);
  const sin0 = Math.sin(theta0);
  const thetaT = theta0 * t;
  return [Math.fround(Math.sin(theta0 - thetaT) / sin0), Math.fround(Math.sin(thetaT) / sin0)];
}

export function slerpKeyMerge(t: number): KeyMerge {
  check(Number.isFinite(t), () => `slerp: t must be a number, got ${t}`);
  return ({ key, base, models }, output) => {
    check(base, `${key}: slerp needs a base model`);
    check(
      models.length === 1,
      () => `${key}: slerp interpolates two models, base and one other, got ${models.length + 1}`,
    );
    const v1 = models[0];
    const [s0, s1] = slerpCoefficients(t, base, v1);
    const out = output ?? new Float32Array(base.length);
    for (let i = 0; i < base.length; i++) out[i] = Math.fround(s0 * base[i]) + Math.fround(s1 * v1[i]);
    return out;
  };
}
