import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { adamergingLayerWise, adamergingTaskWise } from './components.js';
import {
  MERGING_WEIGHTS_FILE,
  MERGING_WEIGHTS_TENSOR,
  readMergingWeightsFile,
  writeMergingWeightsFile,
} from './merging-weights-file.js';
import { context, runMethod } from './run.test.helpers.js';

// Fixture: tools/reference/adamerging_fusionbench_fixtures.py — FusionBench's merging_weights.pt
// for a 2-layer CLIPVisionModel (torch.save of [3, 39], its column order) and the same converted
// by tools/reference/adamerging_merging_weights.py.
const FIXTURE = fileURLToPath(new URL('../fixtures/fusionbench/', import.meta.url));
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  model_names: string[];
  parameter_names: string[];
  weights: number[][];
};

/** mergebench's CLIP vision parameters in its module order: attention q, k, v, out; the projection last. */
function ourClipVisionNames(layers: number): string[] {
  const v = 'vision_model';
  const wb = (name: string) => [`${name}.weight`, `${name}.bias`];
  const names = [
    `${v}.embeddings.class_embedding`,
    `${v}.embeddings.patch_embedding.weight`,
    `${v}.embeddings.position_embedding.weight`,
    ...wb(`${v}.pre_layrnorm`),
  ];
  for (let i = 0; i < layers; i++) {
    const l = `${v}.encoder.layers.${i}`;
    for (const part of ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj'])
      names.push(...wb(`${l}.${part}`));
    for (const part of ['layer_norm1', 'mlp.fc1', 'mlp.fc2', 'layer_norm2'])
      names.push(...wb(`${l}.${part}`));
  }
  return [...names, ...wb(`${v}.post_layernorm`), 'visual_projection.weight'];
}

const ours = ourClipVisionNames(2);
const pool = ['dtd', 'sun397', 'stanford-cars'];
const projectionOnlyZero = (name: string) => name === 'visual_projection.weight';

describe("FusionBench's layer-wise merging weights", () => {
  it('are read by name, whatever the column and row order', async () => {
    // The fixture's columns are not ours by position: FusionBench's attention is k, v, q, out.
    expect(expected.parameter_names).toHaveLength(39);
    expect(ours).toHaveLength(40);
    expect(expected.parameter_names[5]).toBe('vision_model.encoder.layers.0.self_attn.k_proj.weight');
    expect(ours[5]).toBe('vision_model.encoder.layers.0.self_attn.q_proj.weight');

    const { coefficients, absent } = await readMergingWeightsFile(
      join(FIXTURE, 'merging_weights.safetensors'),
      {
        tasks: pool,
        parameterNames: ours,
        isZero: projectionOnlyZero,
      },
    );
    expect(absent).toEqual(['visual_projection.weight']);
    for (const task of pool) {
      const row = expected.weights[expected.model_names.indexOf(task)];
      const want = ours.map((name) => {
        const j = expected.parameter_names.indexOf(name);
        return j < 0 ? 0 : Math.fround(row[j]);
      });
      expect(coefficients[task], task).toEqual(want);
    }
  });

  it('need a column for every parameter whose task vectors are not zero', async () => {
    await expect(
      readMergingWeightsFile(join(FIXTURE, 'merging_weights.safetensors'), {
        tasks: pool,
        parameterNames: ours,
        isZero: () => false,
      }),
    ).rejects.toThrow(
      /merging_weights\.safetensors: parameter_names lacks visual_projection\.weight, whose task vectors are not zero \(a column is needed; exclude_keys can leave a parameter out\)$/,
    );
  });

  it('round-trip in our order and read back in FusionBench’s, rows by model name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'merging-weights-'));
    const path = join(dir, MERGING_WEIGHTS_FILE);
    const coefficients = Object.fromEntries(
      pool.map((task, i) => [task, ours.map((_, j) => Math.fround(0.25 + 0.01 * j - 0.1 * i))]),
    );
    await writeMergingWeightsFile(path, { tasks: pool, parameterNames: ours, coefficients });
    const reversed = [...ours].reverse();
    const back = await readMergingWeightsFile(path, {
      tasks: [...pool].reverse(),
      parameterNames: reversed,
      isZero: () => false,
    });
    expect(back.absent).toEqual([]);
    for (const task of pool) expect(back.coefficients[task]).toEqual([...coefficients[task]].reverse());
  });

  it('refuse files that do not fit, in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'merging-weights-'));
    const layout = { tasks: pool, parameterNames: ours, isZero: projectionOnlyZero };
    const write = async (name: string, rows: number, metadata: Record<string, string>) => {
      const path = join(dir, name);
      const cols = JSON.parse(metadata.parameter_names ?? '[]').length;
      const data = new Uint8Array(new Float32Array(rows * cols).fill(0.3).buffer);
      await writeSafetensors(
        path,
        new Map([[MERGING_WEIGHTS_TENSOR, { dtype: 'F32' as const, shape: [rows, cols], data }]]),
        {
          metadata,
        },
      );
      return path;
    };
    const names = JSON.stringify(ours.slice(0, -1));
    await expect(readMergingWeightsFile(await write('a.safetensors', 3, {}), layout)).rejects.toThrow(
      /a\.safetensors: __metadata__\.parameter_names is missing; convert FusionBench's merging_weights\.pt with tools\/reference\/adamerging_merging_weights\.py$/,
    );
    await expect(
      readMergingWeightsFile(await write('b.safetensors', 2, { parameter_names: names }), layout),
    ).rejects.toThrow(
      /b\.safetensors: 2 rows of merging weights, but the model pool has 3 models \(dtd, sun397, stanford-cars\)$/,
    );
    await expect(
      readMergingWeightsFile(
        await write('c.safetensors', 3, { parameter_names: JSON.stringify(['vision_model.extra', ...ours]) }),
        layout,
      ),
    ).rejects.toThrow(
      /c\.safetensors: parameter_names has vision_model\.extra, which the merged model lacks/,
    );
    await expect(
      readMergingWeightsFile(
        await write('d.safetensors', 3, { parameter_names: names, model_names: '["dtd","sun397","mnist"]' }),
        layout,
      ),
    ).rejects.toThrow(
      /d\.safetensors: model_names do not match the model pool \(missing: stanford-cars; unexpected: mnist\)$/,
    );
  });
});

describe('the method', () => {
  it('writes merging_weights.safetensors, and merges with one without training', async () => {
    const trained = await runMethod(adamergingLayerWise, { lr: 0.02, max_steps: 3 });
    expect(trained.artifacts.mergingWeightsFile).toBe(MERGING_WEIGHTS_FILE);
    const again = await runMethod(
      adamergingLayerWise,
      { merging_weights: join(trained.runDir, MERGING_WEIGHTS_FILE) },
      context({ data: null, heads: null }),
    );
    expect(again.artifacts).toMatchObject({ steps: 0, mergingWeightsAbsent: [] });
    // F32 in the file: the coefficients come back to float32 precision.
    const want = trained.artifacts.coefficients as Record<string, number[]>;
    for (const [task, row] of Object.entries(again.artifacts.coefficients as Record<string, number[]>))
      expect(row).toEqual(want[task].map(Math.fround));
    trained.model.dispose();
    again.model.dispose();
  });

  it('refuses merging_weights for task-wise coefficients and next to coefficients', async () => {
    await expect(runMethod(adamergingTaskWise, { merging_weights: 'x.safetensors' })).rejects.toThrow(
      'method adamerging-task-wise: merging_weights holds layer-wise coefficients; use method.coefficients here',
    );
    await expect(
      runMethod(adamergingLayerWise, { merging_weights: 'x.safetensors', coefficients: 'c.json' }),
    ).rejects.toThrow(
      'method.coefficients and method.merging_weights are both set: give one file to merge with',
    );
  });
});
