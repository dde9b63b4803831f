import {
  check,
  type FamilyMember,
  type Method,
  type MethodContext,
  type MethodResult,
  type ModelPool,
  PRETRAINED,
} from '@mergebench/core';
import { writeWeightedTaskVectors } from '@mergebench/task-vectors';
import { preferenceGrid, preferenceLabel } from './preference.js';

/**
 * The task-arithmetic baseline of a Pareto front: for every preference vector ray of the same
 * grid PWEMoE is evaluated on, the plain model θ₀ + λ·T·Σᵢ rayᵢτᵢ (so equal weights give task
 * arithmetic θ₀ + λ·Στᵢ, and a one-hot vector gives θ₀ + λ·T·τᵢ). No training; the same number
 * of evaluated models as PWEMoE's grid.
 */
export class TaskArithmeticFamily implements Method {
  constructor(
    readonly scalingFactor: number,
    readonly gridPoints: number,
  ) {}

  async run(modelpool: ModelPool, _ctx: MethodContext): Promise<MethodResult> {
    const what = 'method task-arithmetic-family';
    check(modelpool.modelNames.length > 0, `${what}: the model pool lists no fine-tuned models to merge`);
    check(
      modelpool.hasPretrained,
      `${what}: the model pool has no ${PRETRAINED} model, which the task vectors are taken from`,
    );
    const grid = preferenceGrid(modelpool.modelNames.length, this.gridPoints);
    const members: FamilyMember[] = grid.map((ray) => ({
      label: preferenceLabel(ray),
      preference: ray,
      model: async () => {
        const model = await modelpool.loadModel(PRETRAINED);
        try {
          const weights = ray.map((r) => r * this.scalingFactor * ray.length);
          await writeWeightedTaskVectors(modelpool, model, () => weights);
        } catch (error) {
          model.dispose();
          throw error;
        }
        return model;
      },
    }));
    return { kind: 'family', members, artifacts: { scalingFactor: this.scalingFactor, grid } };
  }
}
