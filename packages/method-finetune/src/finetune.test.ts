import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRunContainer,
  type Method,
  type MethodContext,
  type Module,
  memoryLogger,
  PRETRAINED,
  provide,
  TOKENS,
  validateParams,
} from '@mergebench/core';
import { ToyModelPool, ToyTaskPool, toyWorld } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { finetune, multitaskFinetune } from './components.js';

const world = toyWorld();

function context(runDir = mkdtempSync(join(tmpdir(), 'mergebench-finetune-'))): MethodContext {
  const container = createRunContainer();
  provide(container, TOKENS.logger, memoryLogger());
  new ToyTaskPool(world).registerServices(container);
  return { container, logger: memoryLogger(), runDir, seed: 3 };
}

async function method(component: typeof finetune, values: Record<string, unknown>): Promise<Method> {
  const params = validateParams('method', values, component.info.params);
  return component.create({ params, container: createRunContainer(), baseDir: process.cwd() });
}

async function trained(component: typeof finetune, values: Record<string, unknown>, ctx = context()) {
  const pool = await ToyModelPool.create();
  const result = await (await method(component, values)).run(pool, ctx);
  if (result.kind !== 'model') throw new Error(`expected a model, got ${result.kind}`);
  return { model: result.model, artifacts: result.artifacts ?? {}, runDir: ctx.runDir };
}

async function accuracy(model: Module, task: string): Promise<number> {
  return (await new ToyTaskPool(world).evaluate(model.eval(), { tasks: [task] })).tasks[task].accuracy;
}

const snapshot = (m: Module) => new Map([...m.stateDict()].map(([k, t]) => [k, [...t.dataSync()]]));

const FAST = { lr: 0.01, steps: 30, batch_size: 32, save_state_every: 0 };

describe('finetune', () => {
  it("raises the task's accuracy above the pretrained model's, training only the encoder", async () => {
    const pool = await ToyModelPool.create();
    const pretrained = await pool.loadModel(PRETRAINED);
    const before = await accuracy(pretrained, 'toy1');
    const heads = world.taskNames.map((t) => snapshot(world.head(t)));
    const { model, artifacts } = await trained(finetune, { task: 'toy1', ...FAST });
    const after = await accuracy(model, 'toy1');
    expect(after).toBeGreaterThan(before + 0.25);
    expect(after).toBeGreaterThan(0.6);
    // The frozen heads (of every task) are exactly as they were.
    expect(world.taskNames.map((t) => snapshot(world.head(t)))).toEqual(heads);
    expect(snapshot(model)).not.toEqual(snapshot(pretrained));
    expect(artifacts).toMatchObject({ tasks: ['toy1'], start_model: PRETRAINED, steps: 30, resumed_from: 0 });
    pretrained.dispose();
    model.dispose();
  });

  it("writes the loss history into the run's folder", async () => {
    const { model, runDir } = await trained(finetune, { task: 'toy0', ...FAST, steps: 4 });
    const csv = readFileSync(join(runDir, 'finetune-history.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('step,loss,loss/toy0,lr');
    expect(csv).toHaveLength(5);
    model.dispose();
  });

  it('continues from its saved training state to the same weights as an uninterrupted run', async () => {
    const settings = { task: 'toy2', lr: 0.01, batch_size: 16, schedule: 'constant', save_state_every: 3 };
    const whole = await trained(finetune, { ...settings, steps: 8 });
    const ctx = context();
    const first = await trained(finetune, { ...settings, steps: 5 }, ctx);
    first.model.dispose();
    expect(existsSync(join(ctx.runDir, 'training-state', 'finetune'))).toBe(true);
    const resumed = await trained(finetune, { ...settings, steps: 8 }, ctx);
    expect(resumed.artifacts.resumed_from).toBe(3);
    expect(snapshot(resumed.model)).toEqual(snapshot(whole.model));
    whole.model.dispose();
    resumed.model.dispose();
  });

  it('starts from a named model of the pool when asked', async () => {
    const { model, artifacts } = await trained(finetune, { task: 'toy0', model: 'toy0', ...FAST, steps: 1 });
    expect(artifacts.start_model).toBe('toy0');
    model.dispose();
  });

  it.each([
    ['no task', {}, /^method\.task: missing; name the task to fine-tune on, one of toy0, toy1, toy2$/],
    [
      'an unknown task',
      { task: 'mnist' },
      /^method finetune: unknown task 'mnist'; the task pool has toy0, toy1, toy2$/,
    ],
    [
      'an unknown start model',
      { task: 'toy0', model: 'svhn' },
      /^method\.model: the model pool has no model 'svhn'; it has _pretrained_, toy0, toy1, toy2$/,
    ],
  ])('explains %s in one line', async (_what, values, message) => {
    const pool = await ToyModelPool.create();
    const before = tf.memory().numTensors;
    await expect((await method(finetune, { ...FAST, ...values })).run(pool, context())).rejects.toThrow(
      message,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says that it needs a task pool providing data', async () => {
    const pool = await ToyModelPool.create();
    const ctx = { ...context(), container: createRunContainer() };
    await expect((await method(finetune, { task: 'toy0' })).run(pool, ctx)).rejects.toThrow(
      /^method finetune needs taskData, which nothing in this run provides/,
    );
  });
});

describe('multitask-finetune', () => {
  it('trains on every task at once, one batch of each per step, raising the average accuracy', async () => {
    const pool = await ToyModelPool.create();
    const pretrained = await pool.loadModel(PRETRAINED);
    const mean = async (m: Module) =>
      (await Promise.all(world.taskNames.map((t) => accuracy(m, t)))).reduce((a, b) => a + b) / 3;
    const before = await mean(pretrained);
    const { model, artifacts, runDir } = await trained(multitaskFinetune, { ...FAST, steps: 25 });
    expect(await mean(model)).toBeGreaterThan(before + 0.15);
    expect(artifacts.tasks).toEqual(['toy0', 'toy1', 'toy2']);
    const header = readFileSync(join(runDir, 'multitask-finetune-history.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('step,loss,loss/toy0,loss/toy1,loss/toy2,lr');
    pretrained.dispose();
    model.dispose();
  });

  it('trains on the tasks listed', async () => {
    const { model, artifacts } = await trained(multitaskFinetune, {
      ...FAST,
      steps: 2,
      tasks: ['toy2', 'toy0'],
    });
    expect(artifacts.tasks).toEqual(['toy2', 'toy0']);
    expect(Object.keys(artifacts.final_task_losses as object)).toEqual(['toy2', 'toy0']);
    model.dispose();
  });
});
