import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Adam, memoryLogger, PRETRAINED, runAdaptation } from '@mergebench/core';
import { ToyModelPool } from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamergingLayerWise, adamergingTaskWise } from './components.js';
import { MergedWeights } from './merged-weights.js';
import { context, runMethod, snapshot, world } from './run.test.helpers.js';
import { TaskVectors } from './task-vectors.js';

const TASKS = world.taskNames;

function readCsv(path: string): { header: string[]; rows: number[][] } {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  return { header: header.split(','), rows: rows.map((row) => row.split(',').map(Number)) };
}

describe('adamerging-layer-wise', () => {
  it('lowers the summed entropy and returns θ₀ + Σᵢ λᵢ,ₖτᵢ,ₖ with the learned coefficients', async () => {
    const { model, artifacts, runDir } = await runMethod(adamergingLayerWise, { lr: 0.02, max_steps: 30 });
    const names = artifacts.parameterNames as string[];
    expect(names).toHaveLength(16);
    expect(artifacts).toMatchObject({
      granularity: 'layer-wise',
      steps: 30,
      coefficientsFile: 'coefficients.json',
    });
    expect(artifacts.history.finalLoss).toBeLessThan(artifacts.history.firstLoss - 0.05);
    const coefficients = artifacts.coefficients as Record<string, number[]>;
    expect(Object.keys(coefficients)).toEqual(TASKS);
    for (const row of Object.values(coefficients)) {
      expect(row).toHaveLength(16);
      expect(row.some((c) => Math.abs(c - 0.3) > 0.05)).toBe(true);
    }

    // The model holds θ₀ + Σᵢ λᵢ,ₖ(θᵢ − θ₀) for every merged parameter k.
    const pool = await ToyModelPool.create();
    const weights = await Promise.all([PRETRAINED, ...TASKS].map((name) => pool.loadModel(name)));
    const merged = snapshot(model);
    for (const [k, key] of names.entries()) {
      const [theta0, ...thetas] = weights.map((m) => m.namedParameters().get(key)!);
      const expected = tf.tidy(() =>
        tf.addN([
          theta0,
          ...thetas.map((theta, i) => tf.mul(tf.sub(theta, theta0), coefficients[TASKS[i]][k])),
        ]),
      );
      const worst = Math.max(...merged.get(key)!.map((v, j) => Math.abs(v - expected.dataSync()[j])));
      expect(worst, key).toBeLessThan(1e-5);
      expected.dispose();
    }
    for (const m of weights) m.dispose();

    const file = JSON.parse(readFileSync(join(runDir, 'coefficients.json'), 'utf8'));
    expect(file).toEqual({
      schema: 'mergebench.adamerging-coefficients/1',
      granularity: 'layer-wise',
      parameterNames: names,
      coefficients,
      steps: 30,
    });
    const { header, rows } = readCsv(join(runDir, 'history.csv'));
    expect(header.slice(0, 9)).toEqual([
      'step',
      'loss',
      'loss/toy0',
      'loss/toy1',
      'loss/toy2',
      'lr',
      'lambda/toy0/mean',
      'lambda/toy0/min',
      'lambda/toy0/max',
    ]);
    expect(header.slice(6 + 3 * TASKS.length)).toEqual(TASKS.map((t) => `top_class_share/${t}`));
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const last = rows.at(-1)!;
    expect(last[header.indexOf('lambda/toy1/max')]).toBe(Math.max(...coefficients.toy1));
    // The share of the step's batch given its most predicted class: at least 1/C, at most 1.
    const shares = rows.flatMap((r) => r.slice(6 + 3 * TASKS.length));
    expect(shares.every((s) => s >= 1 / world.numClasses() && s <= 1)).toBe(true);
    model.dispose();
  });

  it('warns when a task collapses to one class as its entropy falls', async () => {
    // The toy pool's heads reward confidence over correctness: at a high lr the merged model soon
    // sends nearly every input of a task to one class (the toy tasks' classes are balanced).
    const logger = memoryLogger();
    const { model, runDir } = await runMethod(
      adamergingLayerWise,
      { lr: 0.2, max_steps: 40, save_state_every: 0 },
      context({ logger }),
    );
    const warnings = logger.lines.filter((line) => line.includes('collapse to a constant prediction'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(
      /task 'toy\d' has sent ≥90% of its inputs to one class for 20 steps \(step \d+\)/,
    );
    const { header, rows } = readCsv(join(runDir, 'history.csv'));
    const task = /task '(toy\d)'/.exec(warnings[0])![1];
    const step = Number(/\(step (\d+)\)/.exec(warnings[0])![1]);
    const shares = rows.map((r) => r[header.indexOf(`top_class_share/${task}`)]);
    expect(shares.slice(step - 20, step).every((s) => s >= 0.9)).toBe(true);
    expect(shares[step - 21] ?? 0).toBeLessThan(0.9); // the first such run of 20 steps
    model.dispose();
  });

  it('warns at the configured share and patience', async () => {
    const logger = memoryLogger();
    const { model, runDir } = await runMethod(
      adamergingLayerWise,
      { lr: 0.2, max_steps: 12, save_state_every: 0, collapse_threshold: 0.6, collapse_patience: 3 },
      context({ logger }),
    );
    const warnings = logger.lines.filter((line) => line.includes('collapse to a constant prediction'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/task 'toy\d' has sent ≥60% of its inputs to one class for 3 steps/);
    const { header, rows } = readCsv(join(runDir, 'history.csv'));
    const task = /task '(toy\d)'/.exec(warnings[0])![1];
    const step = Number(/\(step (\d+)\)/.exec(warnings[0])![1]);
    const shares = rows.map((r) => r[header.indexOf(`top_class_share/${task}`)]);
    expect(shares.slice(step - 3, step).every((s) => s >= 0.6)).toBe(true);
    model.dispose();
  });

  it('resumes from its saved training state to exactly the coefficients of an uninterrupted run', async () => {
    const settings = { lr: 0.01, batch_size: 32, save_state_every: 2 };
    const whole = await runMethod(adamergingLayerWise, { ...settings, max_steps: 6 });
    const ctx = context();
    const first = await runMethod(adamergingLayerWise, { ...settings, max_steps: 3 }, ctx);
    first.model.dispose();
    expect(existsSync(join(ctx.runDir, 'training-state', 'adamerging-layer-wise', 'step-00000002'))).toBe(
      true,
    );
    const resumed = await runMethod(adamergingLayerWise, { ...settings, max_steps: 6 }, ctx);
    expect(resumed.artifacts.history.resumedFrom).toBe(2);
    expect(resumed.artifacts.coefficients).toEqual(whole.artifacts.coefficients);
    expect(snapshot(resumed.model)).toEqual(snapshot(whole.model));
    expect(readCsv(join(ctx.runDir, 'history.csv')).rows).toHaveLength(6);
    whole.model.dispose();
    resumed.model.dispose();
  });

  it('clamps the coefficients to [0, 1] after every step when asked', async () => {
    const settings = { lr: 0.3, init_lambda: 0.9, max_steps: 4 };
    const values = async (clamp: boolean) => {
      const { model, artifacts } = await runMethod(adamergingLayerWise, { ...settings, clamp });
      model.dispose();
      return Object.values(artifacts.coefficients as Record<string, number[]>).flat();
    };
    const free = await values(false);
    expect(free.some((c) => c < 0 || c > 1)).toBe(true);
    const clamped = await values(true);
    expect(clamped.every((c) => c >= 0 && c <= 1)).toBe(true);
  });

  it('leaves parameters matched by exclude_keys at their pretrained values', async () => {
    const logger = memoryLogger();
    const { model, artifacts } = await runMethod(
      adamergingLayerWise,
      { lr: 0.05, max_steps: 3, exclude_keys: ['*norm*', 'nothing.*'] },
      context({ logger }),
    );
    const pool = await ToyModelPool.create();
    const pretrained = snapshot(await pool.loadModel(PRETRAINED));
    const names = artifacts.parameterNames as string[];
    expect(names).toHaveLength(10);
    expect(names.some((n) => n.includes('norm'))).toBe(false);
    const merged = snapshot(model);
    for (const key of ['final_norm.weight', 'layers.1.layer_norm.bias'])
      expect(merged.get(key)).toEqual(pretrained.get(key));
    expect(merged.get('embed.weight')).not.toEqual(pretrained.get('embed.weight'));
    expect(logger.lines).toContain(
      'warning: method adamerging-layer-wise: exclude_keys has patterns that match no parameter: nothing.*',
    );
    model.dispose();
  });
});

describe('adamerging-task-wise', () => {
  it('learns one coefficient per task and records its trajectory', async () => {
    const { model, artifacts, runDir } = await runMethod(adamergingTaskWise, { lr: 0.02, max_steps: 5 });
    const coefficients = artifacts.coefficients as Record<string, number>;
    expect(Object.values(coefficients).every((c) => typeof c === 'number' && c !== 0.3)).toBe(true);
    const { header, rows } = readCsv(join(runDir, 'history.csv'));
    expect(header).toEqual([
      'step',
      'loss',
      'loss/toy0',
      'loss/toy1',
      'loss/toy2',
      'lr',
      'lambda/toy0',
      'lambda/toy1',
      'lambda/toy2',
      'top_class_share/toy0',
      'top_class_share/toy1',
      'top_class_share/toy2',
    ]);
    expect(rows.at(-1)!.slice(6, 9)).toEqual(TASKS.map((t) => coefficients[t]));
    model.dispose();
  });

  it('merges with the coefficients of an earlier run without training or task data', async () => {
    const trained = await runMethod(adamergingTaskWise, { lr: 0.02, max_steps: 3 });
    const again = await runMethod(
      adamergingTaskWise,
      { coefficients: join(trained.runDir, 'coefficients.json') },
      context({ data: null, heads: null }),
    );
    expect(snapshot(again.model)).toEqual(snapshot(trained.model));
    expect(again.artifacts).toMatchObject({
      steps: 0,
      history: null,
      coefficients: trained.artifacts.coefficients,
      coefficientsFrom: join(trained.runDir, 'coefficients.json'),
    });
    expect(existsSync(join(again.runDir, 'history.csv'))).toBe(false);
    expect(existsSync(join(again.runDir, 'coefficients.json'))).toBe(true);
    trained.model.dispose();
    again.model.dispose();
  });
});

describe('memory', () => {
  it('holds the same number of tensors after every adaptation step', async () => {
    const pool = await ToyModelPool.create();
    const model = await pool.loadModel(PRETRAINED);
    const taskVectors = await TaskVectors.fromPool(pool, TASKS, model.namedParameters());
    const weights = new MergedWeights(model, taskVectors, 'layer-wise', 0.3);
    const optimizer = new Adam([weights.coefficients], { lr: 0.01 });
    const counts: number[] = [];
    await runAdaptation({
      tasks: TASKS,
      data: world,
      variables: [weights.coefficients],
      optimizer,
      steps: 8,
      batchSize: 16,
      seed: 0,
      progress: false,
      lossForTask: (task, inputs) => weights.entropy(world.head(task), inputs),
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(new Set(counts).size).toBe(1);
    optimizer.dispose();
    weights.dispose();
    model.dispose();
  });
});
