import {
  type Component,
  definePlugin,
  MergebenchError,
  type Method,
  type ModelPool,
  type Module,
  PRETRAINED,
} from '@mergebench/core';
import { writeWeightedTaskVectors } from '@mergebench/task-vectors';

const WHAT = 'method task-plane';

/**
 * θ0 + Σ λi τi for any λ (negative ones too, which weighted averaging refuses): one point of the
 * plane the task vectors span, streamed key by key into the pretrained model (task arithmetic
 * with one λ per model).
 */
export async function taskPlanePoint(pool: ModelPool, lambdas: readonly number[]): Promise<Module> {
  if (lambdas.length !== pool.modelNames.length) {
    throw new MergebenchError(
      `${WHAT}: lambdas has ${lambdas.length} entries for ${pool.modelNames.length} fine-tuned models`,
    );
  }
  const model = await pool.loadModel(PRETRAINED);
  try {
    await writeWeightedTaskVectors(pool, model, () => lambdas);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

export const taskPlaneMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'task-plane',
    description: 'One point θ0 + Σ λi τi of the task-vector plane, for loss landscapes.',
    params: [
      {
        name: 'lambdas',
        type: 'number[]',
        default: [],
        description: 'One coefficient per fine-tuned model, in pool order (any sign)',
      },
    ],
    needs: {},
  },
  create: ({ params }) => ({
    async run(modelpool) {
      return { kind: 'model', model: await taskPlanePoint(modelpool, params.lambdas as number[]) };
    },
  }),
};

/** The benchmark's own plugin: registered in-process, never installed. */
export const landscapePlugin = definePlugin({
  name: '@mergebench/bench-offline/landscape',
  register(r) {
    r.method(taskPlaneMethod);
  },
});
