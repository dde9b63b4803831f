import { constant, cosine, type LrSchedule } from '@mergebench/core';

export type ScheduleName = 'constant' | 'cosine';

/**
 * The learning rate per step: a linear warm-up over `warmupSteps` (step t gets lr·(t+1)/warmup),
 * then the schedule over the remaining steps; `cosine` decays to 0 at the last step. This is the
 * cosine_lr of the task-vectors fine-tuning code (cosine over the steps after warm-up).
 */
export function learningRateSchedule(
  name: ScheduleName,
  lr: number,
  steps: number,
  warmupSteps: number,
): LrSchedule {
  const after = name === 'cosine' && steps > warmupSteps ? cosine(lr, steps - warmupSteps) : constant(lr);
  return (step) => (step < warmupSteps ? (lr * (step + 1)) / warmupSteps : after(step - warmupSteps));
}
