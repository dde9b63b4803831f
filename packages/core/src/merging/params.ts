/** Parameter declarations shared by the task-vector methods, so they read the same everywhere. */
import type { ParamSpec } from '../contracts/params.js';

export function scalingFactorParam(defaultValue: number): ParamSpec {
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
