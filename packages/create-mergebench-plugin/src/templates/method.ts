import type { PluginSpec } from './project.js';

/** A merge method with one declared parameter: θ₀ + λ · mean of the task vectors θᵢ − θ₀. */
export function methodFiles(spec: PluginSpec): Record<string, string> {
  const { name, packageName } = spec;
  return {
    [`configs/method/${name}.yaml`]: `# A preset: \`method=${name}\` starts from these values.\nname: ${name}\nscaling_factor: 0.3\n`,
    'src/merge.ts': `import { MergebenchError, type ModelPool, type Module, modelWriter, PRETRAINED, withWeights } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';

const WHAT = 'method ${name}';

/**
 * θ₀ + λ · mean over models of (θᵢ − θ₀), streamed one tensor at a time and written into the
 * pretrained model, so memory stays near one model plus one tensor per source.
 */
export async function mergeScaledMean(pool: ModelPool, scalingFactor: number): Promise<Module> {
  if (pool.modelNames.length === 0) {
    throw new MergebenchError(WHAT + ': the model pool lists no fine-tuned models to merge');
  }
  if (!pool.hasPretrained) {
    throw new MergebenchError(WHAT + ': the model pool has no ' + PRETRAINED + ' model to take task vectors from');
  }
  const model = await pool.loadModel(PRETRAINED);
  try {
    const writer = modelWriter(model, WHAT);
    await withWeights(pool, [PRETRAINED, ...pool.modelNames], async ([base, ...sources]) => {
      for (const key of model.stateDict().keys()) {
        const theta0 = await base.read(key);
        const thetas = await Promise.all(sources.map((s) => s.read(key)));
        try {
          writer.write(
            key,
            tf.tidy(() => {
              const mean = tf.addN(thetas.map((t) => t.toFloat().sub(theta0))).div(thetas.length);
              return theta0.toFloat().add(mean.mul(scalingFactor));
            }),
          );
        } finally {
          tf.dispose([theta0, ...thetas]);
        }
      }
    });
    writer.finish();
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
`,
    'src/component.ts': `import type { Component, Method } from '@mergebench/core';
import { mergeScaledMean } from './merge.js';

export const method: Component<Method> = {
  info: {
    kind: 'method',
    name: '${name}',
    description: 'The pretrained model plus a scaled mean of the task vectors (replace with your method).',
    params: [
      {
        name: 'scaling_factor',
        type: 'number',
        default: 0.3,
        min: 0,
        description: 'λ: how far to move from the pretrained model along the mean task vector',
      },
    ],
    // Weights only; a method that reads task data declares it here (labelledTrain, heads, ...).
    needs: {},
  },
  create: ({ params }) => ({
    async run(modelpool) {
      return { kind: 'model', model: await mergeScaledMean(modelpool, params.scaling_factor as number) };
    },
  }),
};
`,
    'src/index.ts': pluginIndex(packageName, 'method', 'method'),
    [`src/${name}.test.ts`]: `import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ComponentRegistry, registerPlugin, runProgram } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';

describe('${packageName}', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it('merges the toy pools and beats nothing-merged on average', async () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    const { report } = await runProgram({
      cwd: mkdtempSync(path.join(tmpdir(), '${name}-')),
      registry,
      overrides: ['method=${name}', 'method.scaling_factor=0.5', 'modelpool=toy', 'taskpool=toy', 'backend=cpu'],
    });
    expect(report.method).toMatchObject({ name: '${name}', params: { scaling_factor: 0.5 } });
    expect(report.results!.average.accuracy).toBeGreaterThan(0);
  });

  it('rejects a negative scaling factor, naming the parameter', async () => {
    const registry = new ComponentRegistry();
    registerPlugin(registry, plugin);
    await expect(
      runProgram({
        cwd: mkdtempSync(path.join(tmpdir(), '${name}-')),
        registry,
        overrides: ['method=${name}', 'method.scaling_factor=-1', 'modelpool=toy', 'taskpool=toy'],
      }),
    ).rejects.toThrow(/scaling_factor/);
  });
});
`,
  };
}

/** The plugin: its default export registers the component and the presets folder. */
export function pluginIndex(packageName: string, kind: string, exported: string): string {
  return `import { fileURLToPath } from 'node:url';
import { definePlugin } from '@mergebench/core';
import { ${exported} } from './component.js';

export { ${exported} } from './component.js';

export default definePlugin({
  name: '${packageName}',
  register(r) {
    r.${kind}(${exported});
    r.presets(fileURLToPath(new URL('../configs', import.meta.url)));
  },
});
`;
}
