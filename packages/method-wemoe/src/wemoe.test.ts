import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MergebenchError, memoryLogger } from '@mergebench/core';
import { ROUTERS_FILE } from '@mergebench/moe';
import { describe, expect, it } from 'vitest';
import { wemoe } from './components.js';
import { context, features, meanEntropy, runMethod, toyInputs } from './run.test.helpers.js';

function readCsv(path: string): { header: string[]; rows: number[][] } {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  return { header: header.split(','), rows: rows.map((row) => row.split(',').map(Number)) };
}

const routerValues = (model: { trainableVariables(): { dataSync(): ArrayLike<number> }[] }) =>
  model.trainableVariables().map((v) => Array.from(v.dataSync()));

describe('wemoe', () => {
  it('trains the routers by entropy minimisation and keeps them, the history and the counts', async () => {
    const untrained = await runMethod(wemoe, { max_steps: 0 });
    const { model, artifacts, runDir } = await runMethod(wemoe, { lr: 0.01, max_steps: 12 });
    expect(artifacts).toMatchObject({
      routerDepth: 2,
      batchReduce: false,
      upscaledSites: 2,
      activations: ['gelu'],
      steps: 12,
      routersFile: ROUTERS_FILE,
      routersFrom: null,
      routerParameters: 2 * (16 * 16 + 16 + 3 * 16 + 3),
    });
    expect(await meanEntropy(model)).toBeLessThan((await meanEntropy(untrained.model)) - 0.05);
    untrained.model.dispose();
    expect(model.countParameters({ trainableOnly: true })).toBe(artifacts.routerParameters);
    expect(model.training).toBe(false);
    const { header, rows } = readCsv(join(runDir, 'history.csv'));
    expect(header).toEqual([
      'step',
      'loss',
      'loss/toy0',
      'loss/toy1',
      'loss/toy2',
      'lr',
      'top_class_share/toy0',
      'top_class_share/toy1',
      'top_class_share/toy2',
    ]);
    expect(rows).toHaveLength(12);
    expect(existsSync(join(runDir, ROUTERS_FILE))).toBe(true);
    model.dispose();
  });

  it('evaluates with the routers of an earlier run, without training', async () => {
    const trained = await runMethod(wemoe, { lr: 0.01, max_steps: 5, save_state_every: 0 });
    const logger = memoryLogger();
    const loaded = await runMethod(
      wemoe,
      { checkpoint: join(trained.runDir, ROUTERS_FILE) },
      context({ services: false, logger }),
    );
    expect(loaded.artifacts).toMatchObject({
      steps: 0,
      history: null,
      routersFrom: join(trained.runDir, ROUTERS_FILE),
    });
    expect(routerValues(loaded.model)).toEqual(routerValues(trained.model));
    const inputs = toyInputs();
    expect(features(loaded.model, inputs)).toEqual(features(trained.model, inputs));
    expect(existsSync(join(loaded.runDir, 'history.csv'))).toBe(false);
    inputs.dispose();
    trained.model.dispose();
    loaded.model.dispose();
  });

  it('refuses a routers file of another router depth, in one line naming the file', async () => {
    const trained = await runMethod(wemoe, { router_hidden_layers: 1, max_steps: 1, save_state_every: 0 });
    trained.model.dispose();
    const file = join(trained.runDir, ROUTERS_FILE);
    const attempt = runMethod(wemoe, { checkpoint: file }, context({ services: false }));
    await expect(attempt).rejects.toThrow(MergebenchError);
    await expect(attempt).rejects.toThrow(`${file}: the routers do not fit this model (missing: `);
  });

  it('resumes from its saved training state to exactly the routers of an uninterrupted run', async () => {
    const settings = { lr: 0.01, save_state_every: 2 };
    const whole = await runMethod(wemoe, { ...settings, max_steps: 5 });
    const ctx = context();
    (await runMethod(wemoe, { ...settings, max_steps: 3 }, ctx)).model.dispose();
    expect(existsSync(join(ctx.runDir, 'training-state', 'wemoe', 'step-00000002'))).toBe(true);
    const resumed = await runMethod(wemoe, { ...settings, max_steps: 5 }, ctx);
    expect(resumed.artifacts.history.resumedFrom).toBe(2);
    expect(routerValues(resumed.model)).toEqual(routerValues(whole.model));
    whole.model.dispose();
    resumed.model.dispose();
  });

  it('decays the learning rate to zero with the cosine scheduler', async () => {
    const { model, runDir } = await runMethod(wemoe, { lr: 0.01, max_steps: 4, lr_scheduler: 'cosine' });
    const { header, rows } = readCsv(join(runDir, 'history.csv'));
    const lr = rows.map((row) => row[header.indexOf('lr')]);
    expect(lr[0]).toBe(0.01);
    expect(lr.map((v) => v.toFixed(6))).toEqual(
      [0, 1, 2, 3].map((t) => ((0.01 * (1 + Math.cos((Math.PI * t) / 4))) / 2).toFixed(6)),
    );
    model.dispose();
  });

  it('warns of collapse at the configured share and patience', async () => {
    // Every batch gives at least 1/16 of its inputs to its top class: a threshold under that
    // with a patience of 2 must warn at step 2, for every task, and only then.
    const logger = memoryLogger();
    const { model } = await runMethod(
      wemoe,
      { max_steps: 3, save_state_every: 0, collapse_threshold: 0.05, collapse_patience: 2 },
      context({ logger }),
    );
    const warnings = logger.lines.filter((line) => line.includes('collapse to a constant prediction'));
    expect(warnings.length).toBeGreaterThan(1);
    for (const line of warnings)
      expect(line).toMatch(/has sent ≥5% of its inputs to one class for 2 steps \(step 2\)/);
    model.dispose();
  });

  it('trains a depth-0 router and a batch-reduced depth-2 router', async () => {
    for (const values of [
      { router_hidden_layers: 0, lr: 0.05 },
      { batch_reduce: true, lr: 0.01 },
    ]) {
      const untrained = await runMethod(wemoe, { ...values, max_steps: 0 });
      const { model } = await runMethod(wemoe, { ...values, max_steps: 12 });
      expect(await meanEntropy(model)).toBeLessThan((await meanEntropy(untrained.model)) - 0.05);
      for (const m of [model, untrained.model]) m.dispose();
    }
  });

  it('says what it needs when the task pool provides no data', async () => {
    await expect(runMethod(wemoe, {}, context({ services: false }))).rejects.toThrow(
      'method wemoe needs taskData, which nothing in this run provides',
    );
  });
});
