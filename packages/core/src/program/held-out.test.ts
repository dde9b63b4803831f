import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Component } from '../contracts/component.js';
import type { Method, MethodContext } from '../contracts/method.js';
import type { ModelPool } from '../contracts/model-pool.js';
import { definePlugin } from '../contracts/plugin.js';
import type { TaskData, TaskHeads, TaskPool } from '../contracts/task-pool.js';
import { resolveService, TOKENS } from '../di/tokens.js';
import { registerPlugin } from '../plugins/load.js';
import { ComponentRegistry } from '../plugins/registry.js';
import { checkHeldOut } from './held-out.js';
import { runProgram } from './run.js';

/** A method that does `use` with the pool and services it is given, then returns the first model. */
function method(use: (pool: ModelPool, ctx: MethodContext) => Promise<void>): Component<Method> {
  return {
    info: {
      kind: 'method',
      name: 'reader',
      description: 'Reads what the test tells it to.',
      params: [],
      needs: { unlabelledTest: true, heads: true },
    },
    create: () => ({
      async run(pool, ctx) {
        await use(pool, ctx);
        return { kind: 'model', model: await pool.loadModel(pool.modelNames[0]) };
      },
    }),
  };
}

function run(component: Component<Method>, heldOut: string) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, definePlugin({ name: 'test-plugin', register: (r) => r.method(component) }));
  return runProgram({
    cwd: mkdtempSync(path.join(tmpdir(), 'mb-held-out-')),
    registry,
    overrides: [
      'method=reader',
      'modelpool=toy',
      'taskpool=toy',
      'modelpool.finetune_steps=0',
      'backend=cpu',
      `held_out=${heldOut}`,
    ],
  });
}

const data = (ctx: MethodContext) => resolveService<TaskData>(ctx.container, TOKENS.taskData);
const heads = (ctx: MethodContext) => resolveService<TaskHeads>(ctx.container, TOKENS.taskHeads);

describe('held_out', () => {
  it('merges without the held-out models, hides their data and heads, evaluates every task', async () => {
    const seen: string[][] = [];
    const { report } = await run(
      method(async (pool, ctx) => {
        seen.push([...pool.modelNames], [...data(ctx).taskNames], [...heads(ctx).taskNames]);
      }),
      '[toy2]',
    );
    expect(seen).toEqual([
      ['toy0', 'toy1'],
      ['toy0', 'toy1'],
      ['toy0', 'toy1'],
    ]);
    expect(Object.keys(report.results!.tasks)).toEqual(['toy0', 'toy1', 'toy2']);
    expect(report.heldOut).toEqual(['toy2']);
  });

  it('a method that reads a held-out model, its test data or its head fails', async () => {
    const readModel = async (pool: ModelPool): Promise<void> => {
      await pool.openWeights('toy2');
    };
    const readData = async (_: ModelPool, ctx: MethodContext): Promise<void> => {
      for await (const batch of data(ctx).batches('toy2', 'test', { batchSize: 2, unlabelled: true })) {
        tf.dispose(batch.inputs);
      }
    };
    const readHead = async (_: ModelPool, ctx: MethodContext): Promise<void> => {
      heads(ctx).head('toy2');
    };
    await expect(run(method(readModel), '[toy2]')).rejects.toThrow(/reads the model of 'toy2'/);
    await expect(run(method(readData), '[toy2]')).rejects.toThrow(/reads the test split of 'toy2'/);
    await expect(run(method(readHead), '[toy2]')).rejects.toThrow(/reads the head of 'toy2'/);
  });

  it('a held-out task not in the pool is one line before any work', async () => {
    await expect(
      run(
        method(async () => {}),
        '[svhn]',
      ),
    ).rejects.toThrow("held_out: 'svhn' is not a model of the model pool (models: toy0, toy1, toy2)");
  });

  it('without held-out tasks, a pool of only the pretrained model passes the check', () => {
    const onlyPretrained = { modelNames: [], hasPretrained: true } as unknown as ModelPool;
    expect(() =>
      checkHeldOut([], onlyPretrained, { taskNames: ['toy0'] } as unknown as TaskPool),
    ).not.toThrow();
    expect(() =>
      checkHeldOut(['toy0'], onlyPretrained, { taskNames: ['toy0'] } as unknown as TaskPool),
    ).toThrow("held_out: 'toy0' is not a model of the model pool");
  });
});
