import { check } from '../errors.js';

/** The learning rate for the update with 0-based index `step` (the first update is step 0). */
export type LrSchedule = (step: number) => number;

export interface CosineOptions {
  /** The floor as a fraction of `lr` (torch's eta_min = minFactor·lr). Default 0. */
  readonly minFactor?: number;
}

function checkLr(lr: number, what: string): void {
  check(Number.isFinite(lr) && lr >= 0, () => `${what}: learning rate ${lr} must be a finite number ≥ 0`);
}

function checkSteps(steps: number, what: string, name: string): void {
  check(Number.isInteger(steps) && steps >= 1, () => `${what}: ${name} ${steps} must be an integer ≥ 1`);
}

/** The same learning rate at every step. */
export function constant(lr: number): LrSchedule {
  checkLr(lr, 'constant schedule');
  return () => lr;
}

/**
 * Cosine decay from `lr` to `minFactor·lr` over `steps` updates, the closed form of torch's
 * CosineAnnealingLR(T_max = steps, eta_min = minFactor·lr): step t gets
 * eta_min + (lr − eta_min)·(1 + cos(π·t/steps))/2. Past `steps` it stays at the floor instead of
 * rising again as torch's periodic schedule would.
 */
export function cosine(lr: number, steps: number, { minFactor = 0 }: CosineOptions = {}): LrSchedule {
  checkLr(lr, 'cosine schedule');
  checkSteps(steps, 'cosine schedule', 'steps');
  check(
    Number.isFinite(minFactor) && minFactor >= 0 && minFactor <= 1,
    () => `cosine schedule: minFactor ${minFactor} must be in [0, 1]`,
  );
  const floor = minFactor * lr;
  return (step) => {
    // torch starts from the base rate itself; the formula would give it with a rounding error.
    if (step === 0) return lr;
    const t = Math.min(step, steps);
    return floor + ((lr - floor) * (1 + Math.cos((Math.PI * t) / steps))) / 2;
  };
}

/**
 * Scales `schedule` linearly up over the first `warmupSteps` updates: step t gets
 * schedule(t)·min(1, (t + 1)/warmupSteps), so the first update already moves and update
 * `warmupSteps − 1` is at full strength. The wrapped schedule is not shifted: wrap a schedule
 * over the whole run.
 */
export function withWarmup(schedule: LrSchedule, warmupSteps: number): LrSchedule {
  checkSteps(warmupSteps, 'warmup', 'warmupSteps');
  return (step) => schedule(step) * Math.min(1, (step + 1) / warmupSteps);
}
