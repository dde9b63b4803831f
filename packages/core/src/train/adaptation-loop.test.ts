import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { ToyEncoder, toyInitialWeights } from '../toy/toy-model.js';
import { toyWorld } from '../toy/toy-pools.js';
import { runAdaptation } from './adaptation-loop.js';
import type { StepRecord } from './history.js';
import { entropyLoss } from './losses.js';
import { Adam } from './optimizers.js';
import type { ProgressReporter } from './progress.js';
import { cosine } from './schedules.js';

const world = toyWorld();
const tasks = world.taskNames;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mergebench-train-'));
  dirs.push(dir);
  return dir;
}

/** A toy encoder from seeded initial weights, with an Adam over all its parameters. */
function setUpEncoder(initSeed = 3) {
  const encoder = new ToyEncoder(world.config.model);
  const init = toyInitialWeights(world.config.model, initSeed);
  encoder.loadStateDict(init);
  tf.dispose([...init.values()]);
  const lossForTask = (task: string, inputs: tf.Tensor) =>
    entropyLoss(world.head(task).forward(encoder.forward(inputs)) as tf.Tensor);
  return withAdam(encoder, lossForTask);
}

/**
 * A linear probe on the mean token, far cheaper than the encoder: for tests of the loop's
 * machinery rather than of what it learns.
 */
function setUpProbe(initSeed = 3) {
  const { inputDim } = world.config.model;
  const probe = new Linear(inputDim, world.config.classes, { seed: initSeed });
  const lossForTask = (_task: string, inputs: tf.Tensor) =>
    tf.tidy(() => entropyLoss(probe.forward(tf.mean(inputs, 1))));
  return withAdam(probe, lossForTask);
}

function withAdam<M extends Module>(model: M, lossForTask: (task: string, inputs: tf.Tensor) => tf.Scalar) {
  const variables = model.namedParameters();
  const optimizer = new Adam([...variables.values()], { lr: 0.01 });
  const dispose = () => {
    optimizer.dispose();
    model.dispose();
  };
  return { model, variables, optimizer, lossForTask, dispose };
}

/** Mean entropy of the encoder's predictions on the first 128 test examples of every task. */
async function meanEntropy(encoder: ToyEncoder): Promise<number> {
  let sum = 0;
  for (const task of tasks) {
    for await (const batch of world.batches(task, 'test', { batchSize: 128, limit: 128, unlabelled: true })) {
      const loss = entropyLoss(world.head(task).forward(encoder.forward(batch.inputs)) as tf.Tensor);
      sum += loss.dataSync()[0];
      tf.dispose([loss, batch.inputs]);
    }
  }
  return sum / tasks.length;
}

function weightsOf(model: Module): Record<string, number[]> {
  return Object.fromEntries([...model.namedParameters()].map(([k, v]) => [k, Array.from(v.dataSync())]));
}

describe('runAdaptation', () => {
  it('lowers the entropy of every task, recording each step', async () => {
    const { model: encoder, variables, optimizer, lossForTask, dispose } = setUpEncoder();
    const before = await meanEntropy(encoder);
    const { history, resumedFrom } = await runAdaptation({
      tasks,
      data: world,
      variables,
      optimizer,
      schedule: cosine(0.01, 15, { minFactor: 0.1 }),
      steps: 15,
      batchSize: 16,
      seed: 1,
      lossForTask,
      progress: false,
    });
    const after = await meanEntropy(encoder);
    expect(after).toBeLessThan(0.6 * before);
    expect(resumedFrom).toBe(0);
    expect(history.map((r) => r.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(history[0].lr).toBe(0.01);
    expect(history[14].lr).toBeCloseTo(cosine(0.01, 15, { minFactor: 0.1 })(14), 15);
    for (const record of history) {
      expect(Object.keys(record.taskLosses)).toEqual([...tasks]);
      expect(record.loss).toBeCloseTo(
        Object.values(record.taskLosses).reduce((a, b) => a + b, 0),
        12,
      );
    }
    expect(history.at(-1)!.loss).toBeLessThan(history[0].loss);
    dispose();
  });

  it('split into micro-batches, takes the same steps as with whole batches', async () => {
    const common = { tasks, data: world, steps: 3, batchSize: 16, seed: 2, progress: false };
    const whole = setUpProbe();
    const reference = await runAdaptation({ ...common, ...whole });
    const split = setUpProbe();
    // 16 = 5 + 5 + 5 + 1: unequal passes, so each must be weighted by its share.
    const history = (await runAdaptation({ ...common, ...split, microBatchSize: 5 })).history;
    history.forEach((record, i) => {
      for (const task of tasks) {
        expect(record.taskLosses[task]).toBeCloseTo(reference.history[i].taskLosses[task], 5);
      }
    });
    const expected = weightsOf(whole.model);
    for (const [key, values] of Object.entries(weightsOf(split.model))) {
      values.forEach((v, j) => {
        expect(v).toBeCloseTo(expected[key][j], 5);
      });
    }
    await expect(runAdaptation({ ...common, ...split, microBatchSize: 0 })).rejects.toThrow(
      'adaptation: microBatchSize 0 must be an integer ≥ 1',
    );
    whole.dispose();
    split.dispose();
  });

  it('resumed from its saved training state after an interruption, ends exactly where an uninterrupted run does', async () => {
    const common = {
      tasks,
      data: world,
      schedule: cosine(0.02, 10, { minFactor: 0.1 }),
      steps: 10,
      batchSize: 64, // 4 batches per epoch: the run crosses epochs, and the resume starts mid-epoch
      seed: 7,
      progress: false,
    };
    const extraOf = (probe: Linear) => () => ({ 'bias.0': probe.bias!.dataSync()[0] });

    const straight = setUpProbe();
    const reference = await runAdaptation({ ...common, ...straight, recordExtra: extraOf(straight.model) });
    const expectedWeights = weightsOf(straight.model);
    straight.dispose();

    const dir = await tempDir();
    const first = setUpProbe();
    await expect(
      runAdaptation({
        ...common,
        ...first,
        recordExtra: extraOf(first.model),
        trainingState: { dir, every: 5 },
        onStep: (record) => {
          if (record.step === 7) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    first.dispose();
    expect(await readdir(dir)).toEqual(['step-00000005']);

    // Other initial weights: everything must come from the saved state.
    const second = setUpProbe(99);
    const resumed = await runAdaptation({
      ...common,
      ...second,
      recordExtra: extraOf(second.model),
      trainingState: { dir, every: 5, resume: true },
    });
    expect(resumed.resumedFrom).toBe(5);
    expect(resumed.history).toEqual(reference.history);
    expect(weightsOf(second.model)).toEqual(expectedWeights);
    second.dispose();
    expect(await readdir(dir)).toEqual(['step-00000010']);
    const state = JSON.parse(await readFile(join(dir, 'step-00000010', 'state.json'), 'utf8'));
    expect(state.history).toEqual(reference.history);
    expect(state.history[9].extra).toEqual(reference.history[9].extra);
  });

  it('stops on a NaN loss with the step, the task and the last good training state', async () => {
    const dir = await tempDir();
    const { model, variables, optimizer, lossForTask, dispose } = setUpProbe();
    let calls = 0;
    const poisoned = (task: string, inputs: tf.Tensor) => {
      calls += 1;
      const loss = lossForTask(task, inputs);
      // The second task of step 3.
      return calls === 2 * tasks.length + 2 ? (tf.mul(loss, Number.NaN) as tf.Scalar) : loss;
    };
    let weightsAtStep2: Record<string, number[]> = {};
    const run = (trainingState?: { dir: string; every: number }) =>
      runAdaptation({
        tasks,
        data: world,
        variables,
        optimizer,
        steps: 5,
        batchSize: 16,
        seed: 0,
        lossForTask: poisoned,
        trainingState,
        progress: false,
        onStep: (record) => {
          if (record.step === 2) weightsAtStep2 = weightsOf(model);
        },
      });
    const before = tf.memory().numTensors;
    const error = await run({ dir, every: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MergebenchError);
    expect((error as Error).message).toBe(
      `adaptation stopped at step 3: the loss of task '${tasks[1]}' is NaN; last good training state: ${join(dir, 'step-00000002')}`,
    );
    expect(weightsOf(model)).toEqual(weightsAtStep2);
    expect(tf.memory().numTensors).toBe(before);

    calls = 0;
    await expect(run()).rejects.toThrow(
      /^adaptation stopped at step 3: .* is NaN; no training state was saved$/,
    );
    dispose();
  });

  it('stops on a non-finite gradient, naming the variable', async () => {
    const w = tf.variable(tf.ones([3]));
    // A loss that is finite but whose gradient is NaN.
    const nanGrad = tf.customGrad((...args) => {
      const x = args[0] as tf.Tensor;
      return { value: tf.sum(x), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.fill(x.shape, Number.NaN)) };
    });
    const optimizer = new Adam([w]);
    await expect(
      runAdaptation({
        tasks: [tasks[0]],
        data: world,
        variables: new Map([['w', w]]),
        optimizer,
        steps: 2,
        batchSize: 8,
        seed: 0,
        lossForTask: () => nanGrad(w) as tf.Scalar,
        progress: false,
      }),
    ).rejects.toThrow(
      /^adaptation stopped at step 1: the gradient of variable 'w' is not finite; no training state was saved$/,
    );
    expect(Array.from(w.dataSync())).toEqual([1, 1, 1]);
    optimizer.dispose();
    w.dispose();
  });

  it('keeps the tensor count flat from step to step, saved training states included', async () => {
    const dir = await tempDir();
    const { variables, optimizer, lossForTask, dispose } = setUpEncoder();
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await runAdaptation({
      tasks,
      data: world,
      variables,
      optimizer,
      steps: 8,
      batchSize: 16,
      seed: 0,
      lossForTask,
      trainingState: { dir, every: 3 },
      progress: false,
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toEqual(Array.from({ length: 8 }, () => counts[0]));
    expect(tf.memory().numTensors).toBe(before);
    dispose();
  });

  it('reports progress, and refuses a folder of saved training states or a mismatched resume', async () => {
    const dir = await tempDir();
    const { variables, optimizer, lossForTask, dispose } = setUpProbe();
    const updates: number[] = [];
    let finished = 0;
    const progress: ProgressReporter = {
      update: (step) => updates.push(step),
      finish: () => (finished += 1),
    };
    const options = {
      tasks,
      data: world,
      variables,
      optimizer,
      steps: 2,
      batchSize: 16,
      seed: 0,
      lossForTask,
      progress,
      trainingState: { dir, every: 2 },
    };
    const { history } = await runAdaptation(options);
    expect(updates).toEqual([1, 2]);
    expect(finished).toBe(1);

    await expect(runAdaptation(options)).rejects.toThrow(
      `adaptation: ${dir} already holds a saved training state (${join(dir, 'step-00000002')}); resume from it, choose a new run_name, or pass --fresh to start over`,
    );
    const resume = { ...options, trainingState: { dir, every: 2, resume: true } };
    await expect(runAdaptation({ ...resume, batchSize: 32 })).rejects.toThrow(
      `${join(dir, 'step-00000002', 'state.json')}: the saved training state's batchSize is 16 but this run's is 32`,
    );
    await expect(runAdaptation({ ...resume, steps: 1 })).rejects.toThrow(
      /is at step 2, past this run's 1 steps/,
    );
    const done = await runAdaptation(resume);
    expect(done.history).toEqual(history as StepRecord[]);
    dispose();
  });

  it("still saves its state under the option's former name, checkpoint, and refuses both names", async () => {
    const dir = await tempDir();
    const { variables, optimizer, lossForTask, dispose } = setUpProbe();
    const options = {
      tasks,
      data: world,
      variables,
      optimizer,
      steps: 2,
      batchSize: 16,
      seed: 0,
      lossForTask,
    };
    await runAdaptation({ ...options, progress: false, checkpoint: { dir, every: 2 } });
    expect(await readdir(dir)).toEqual(['step-00000002']);
    await expect(
      runAdaptation({
        ...options,
        progress: false,
        checkpoint: { dir, every: 2 },
        trainingState: { dir, every: 2 },
      }),
    ).rejects.toThrow('adaptation: give trainingState only (checkpoint is its former name)');
    dispose();
  });

  it('checks the tasks, and that the optimizer manages exactly the loop variables', async () => {
    const { variables, lossForTask, dispose } = setUpProbe();
    const [first] = variables.values();
    const partial = new Adam([first]);
    await expect(
      runAdaptation({
        tasks,
        data: world,
        variables,
        optimizer: partial,
        steps: 1,
        batchSize: 4,
        seed: 0,
        lossForTask,
        progress: false,
      }),
    ).rejects.toThrow(/pass the same variables to both/);
    await expect(
      runAdaptation({
        tasks: ['nope'],
        data: world,
        variables,
        optimizer: partial,
        steps: 1,
        batchSize: 4,
        seed: 0,
        lossForTask,
        progress: false,
      }),
    ).rejects.toThrow(`adaptation: unknown task 'nope'; the data has ${tasks.join(', ')}`);
    partial.dispose();
    dispose();
  });
});
