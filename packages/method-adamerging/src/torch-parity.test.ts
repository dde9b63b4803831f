import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRunContainer,
  PRETRAINED,
  provide,
  silentLogger,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adamergingLayerWise, adamergingTaskWise } from './components.js';
import { FixtureTasks, fixtureCase, fixturePool } from './fixtures.test.helpers.js';
import { type Granularity, MergedWeights } from './merged-weights.js';
import { TaskVectors } from './task-vectors.js';

// Fixtures: tools/reference/adamerging_fixtures.py (torch autograd and torch.optim.Adam, float64).
const TOLERANCE = 1e-4;
const GRANULARITIES: Granularity[] = ['task-wise', 'layer-wise'];
const { tasks, parameter_names: fixtureNames } = fixtureCase;

let data: FixtureTasks;
beforeAll(async () => {
  data = await FixtureTasks.load();
});
afterAll(() => data.dispose());

function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i])));
  expect(worst, what).toBeLessThanOrEqual(TOLERANCE);
}

/** Fixture rows [task][group] in the column order of `keys` (layer-wise) or as is (task-wise). */
function columnsInOrder(rows: number[][], keys: readonly string[]): number[][] {
  if (rows[0].length === 1) return rows;
  return rows.map((row) => keys.map((key) => row[fixtureNames.indexOf(key)]));
}

describe('the entropy objective and its coefficient gradients match PyTorch autograd', () => {
  it.each(GRANULARITIES)('%s', async (granularity) => {
    const expected = fixtureCase.gradients[granularity];
    const pool = await fixturePool();
    const model = await pool.loadModel(PRETRAINED);
    const taskVectors = await TaskVectors.fromPool(pool, tasks, model.namedParameters());
    const weights = new MergedWeights(model, taskVectors, granularity, 0);
    expect([...weights.keys].sort()).toEqual([...fixtureNames].sort());
    tf.tidy(() => weights.coefficients.assign(tf.tensor2d(columnsInOrder(expected.lambda, weights.keys))));

    const before = tf.memory().numTensors;
    const taskLosses = tasks.map((task) =>
      tf.tidy(() => weights.entropy(data.head(task), data.inputs.get(task)!).dataSync()[0]),
    );
    const { value, grads } = tf.variableGrads(
      () =>
        tf.addN(tasks.map((task) => weights.entropy(data.head(task), data.inputs.get(task)!))) as tf.Scalar,
      [weights.coefficients],
    );
    expectClose(taskLosses, expected.task_losses, 'task losses');
    expectClose([value.dataSync()[0]], [expected.loss], 'loss');
    const grad = grads[weights.coefficients.name].arraySync() as number[][];
    expectClose(grad.flat(), columnsInOrder(expected.grad, weights.keys).flat(), 'gradient');
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    weights.dispose();
    model.dispose();
  });
});

describe('three Adam steps of the method match torch.optim.Adam', () => {
  it.each([
    ['task-wise', adamergingTaskWise],
    ['layer-wise', adamergingLayerWise],
  ] as const)('%s', async (granularity, component) => {
    const { lr, init_lambda, steps } = fixtureCase.adam;
    const expected = fixtureCase.adam[granularity];
    const container = createRunContainer();
    provide(container, TOKENS.taskData, data);
    provide(container, TOKENS.taskHeads, data);
    // A batch is a task's whole input (in a shuffled order, which the batch mean ignores).
    const params = validateParams(
      'method',
      {
        lr,
        init_lambda,
        max_steps: steps,
        batch_size: data.size(tasks[0]),
        save_state_every: 0,
        progress: false,
      },
      component.info.params,
    );
    const method = await component.create({ params, container, baseDir: process.cwd() });
    const runDir = mkdtempSync(join(tmpdir(), 'adamerging-parity-'));
    const result = await method.run(await fixturePool(), {
      container,
      logger: silentLogger,
      runDir,
      seed: 1,
    });
    if (result.kind !== 'model') throw new Error(`expected a model, got ${result.kind}`);

    const names = result.artifacts!.parameterNames as string[];
    const learned = result.artifacts!.coefficients as Record<string, number | number[]>;
    const final = tasks.map((task) => [learned[task]].flat());
    expectClose(
      final.flat(),
      columnsInOrder(expected.lambdas[steps - 1], names).flat(),
      'final coefficients',
    );

    const [header, ...rows] = readFileSync(join(runDir, 'history.csv'), 'utf8').trim().split('\n');
    const column = (name: string) =>
      rows.map((row) => Number(row.split(',')[header.split(',').indexOf(name)]));
    expectClose(column('loss'), expected.losses, 'losses');
    if (granularity === 'task-wise') {
      // The history holds every step's coefficients.
      for (const [t, task] of tasks.entries()) {
        expectClose(
          column(`lambda/${task}`),
          expected.lambdas.map((step) => step[t][0]),
          `lambda/${task}`,
        );
      }
    }
    result.model.dispose();
  });
});
