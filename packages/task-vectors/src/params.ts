/** Parameter declarations shared by the task-vector methods, so they read the same everywhere. */
import type { ParamSpec } from '@mergebench/core';

/** λ of task arithmetic when none is given: the reference implementation's default (FusionBench). */
export const DEFAULT_SCALING_FACTOR = 0.3;

export function scalingFactorParam(defaultValue: number = DEFAULT_SCALING_FACTOR): ParamSpec {
  return {
    name: 'scaling_factor',
    type: 'number',
    default: defaultValue,
    description: 'λ in θ = θ₀ + λ·merged task vector',
  };
}

export const EXCLUDE_KEYS_PARAM: ParamSpec = {
  name: 'exclude_keys',
  type: 'string[]',
  default: [],
  description:
    'Parameters that keep the pretrained value and take no part in the merge: names or globs (* and ?), or /regular expressions/',
};
