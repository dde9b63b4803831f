import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Component, DataNeeds } from '../contracts/component.js';
import type { Method, MethodContext } from '../contracts/method.js';
import { definePlugin } from '../contracts/plugin.js';
import type { TaskData, TaskHeads } from '../contracts/task-pool.js';
import { resolveService, TOKENS } from '../di/tokens.js';
import { registerPlugin } from '../plugins/load.js';
import { ComponentRegistry } from '../plugins/registry.js';
import { runProgram } from './run.js';

/** A method that declares `needs` and then does `use` with the run's services, whatever it declared. */
function method(needs: DataNeeds, use: (ctx: MethodContext) => Promise<void>): Component<Method> {
  return {
    info: {
      kind: 'method',
      name: 'reader',
      description: 'Reads what the test tells it to.',
      params: [],
      needs,
    },
    create: () => ({
      async run(pool, ctx) {
        await use(ctx);
        return { kind: 'model', model: await pool.loadModel(pool.modelNames[0]) };
      },
    }),
  };
}

const data = (ctx: MethodContext) => resolveService<TaskData>(ctx.container, TOKENS.taskData);
const heads = (ctx: MethodContext) => resolveService<TaskHeads>(ctx.container, TOKENS.taskHeads);

async function firstBatch(source: TaskData, split: 'train' | 'test', unlabelled: boolean): Promise<void> {
  const task = source.taskNames[0];
  for await (const batch of source.batches(task, split, { batchSize: 2, limit: 2, unlabelled })) {
    tf.dispose([batch.inputs, batch.labels ?? []]);
  }
}

function run(component: Component<Method>) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, definePlugin({ name: 'test-plugin', register: (r) => r.method(component) }));
  return runProgram({
    cwd: mkdtempSync(path.join(tmpdir(), 'mb-needs-')),
    registry,
    overrides: [
      'method=reader',
      'modelpool=toy',
      'taskpool=toy',
      'modelpool.finetune_steps=0',
      'backend=cpu',
    ],
  });
}

describe('a method gets only the data its needs declare', () => {
  it('refuses task data to a method that declares weights only', async () => {
    await expect(run(method({}, async (ctx) => void data(ctx)))).rejects.toThrow(
      'method reader reads task data but does not declare it: add labelledTrain, labelledValidation or unlabelledTest to its ComponentInfo.needs',
    );
  });

  it('refuses heads to a method that does not declare them', async () => {
    await expect(
      run(method({ unlabelledTest: true }, async (ctx) => void heads(ctx).head(heads(ctx).taskNames[0]))),
    ).rejects.toThrow('method reader reads task heads but does not declare it: add heads: true');
  });

  it('refuses a split that is not declared, and the labels of the test split', async () => {
    await expect(
      run(method({ unlabelledTest: true }, (ctx) => firstBatch(data(ctx), 'train', false))),
    ).rejects.toThrow('method reader reads the train split but does not declare it: add labelledTrain: true');
    await expect(
      run(method({ unlabelledTest: true }, (ctx) => firstBatch(data(ctx), 'test', false))),
    ).rejects.toThrow('method reader asks for the labels of the test split');
    await expect(
      run(method({ labelledTrain: true }, (ctx) => firstBatch(data(ctx), 'test', true))),
    ).rejects.toThrow('method reader reads the test split but does not declare it: add unlabelledTest: true');
  });

  it('serves what is declared', async () => {
    const { report } = await run(
      method({ labelledTrain: true, unlabelledTest: true, heads: true }, async (ctx) => {
        await firstBatch(data(ctx), 'train', false);
        await firstBatch(data(ctx), 'test', true);
        expect(heads(ctx).taskNames.length).toBeGreaterThan(0);
      }),
    );
    expect(report.results?.average.accuracy).toBeGreaterThan(0);
  });
});
