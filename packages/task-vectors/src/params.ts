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

/** `init_lambda`: the λ a trained merge starts from, task arithmetic's default (DEFAULT_SCALING_FACTOR). */
export function initLambdaParam(description: string, aliases?: readonly string[]): ParamSpec {
  return {
    name: 'init_lambda',
    type: 'number',
    default: DEFAULT_SCALING_FACTOR,
    ...(aliases ? { aliases } : {}),
    description,
  };
}

export const EXCLUDE_KEYS_PARAM: ParamSpec = {
  name: 'exclude_keys',
  type: 'string[]',
  default: [],
  description:
    'Parameters that keep the pretrained value and take no part in the merge: names or globs (* and ?), or /regular expressions/',
};
