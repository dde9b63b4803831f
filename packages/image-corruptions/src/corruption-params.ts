import type { ParamSpec, ParamValues } from '@mergebench/core';
import { CORRUPTIONS, type CorruptionSetting, corruptionSetting } from './corruptions.js';

/** The task-pool parameters that corrupt the test images; both image task pools declare them. */
export const CORRUPTION_PARAMS: readonly ParamSpec[] = [
  {
    name: 'corruption',
    type: 'string',
    default: null,
    nullable: true,
    description: `Corrupt every test image (seeded; train and validation stay clean): one of ${CORRUPTIONS.join(', ')}, as in ImageNet-C; null: clean.`,
  },
  {
    name: 'severity',
    type: 'integer',
    default: 3,
    description: 'Severity of the corruption, 1 to 5.',
  },
  {
    name: 'corruption_seed',
    type: 'integer',
    default: 0,
    min: 0,
    description:
      "Seed of the corruptions' random draws (each image's own seed derives from it and the image).",
  },
];

/** A corruption with the seed its draws derive from. */
export interface SeededCorruption extends CorruptionSetting {
  readonly seed: number;
}

/** The corruption the validated parameters ask for, or null; `what` names the keys in errors. */
export function corruptionOf(params: ParamValues, what: string): SeededCorruption | null {
  const name = params.corruption as string | null;
  if (name === null) return null;
  return { ...corruptionSetting(name, params.severity, what), seed: params.corruption_seed as number };
}
