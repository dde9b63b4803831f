import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComponentRegistry,
  createRunContainer,
  type Module,
  memoryLogger,
  registerPlugin,
  runProgram,
  type TaskData,
  WeightsPool,
} from '@mergebench/core';
import {
  checkPluginConformance,
  FixturePool,
  FixtureWorld,
  readCase,
  readSafetensors,
  relativeToScale,
  toyWorld,
} from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import plugin, { captureGramMatrices, mergeRegMean, type RegMeanReport, regmeanMethod } from './index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface RegMeanResult {
  readonly params: { readonly reduce_non_diagonal_ratio: number };
  readonly expected: string;
  readonly fallback_layers: string[];
}

const cases = readdirSync(FIXTURES).map((name) => {
  const dir = path.join(FIXTURES, name);
  return { dir, ...readCase<RegMeanResult>(dir) };
});
const caseNamed = (name: string) => cases.find((c) => c.name === name)!;

function fixture(c = caseNamed('three-tasks')) {
  return {
    data: new FixtureWorld(c.dir),
    pool: new FixturePool(c.dir, c.config, c.tasks),
    options: { numExamples: c.num_examples, batchSize: c.batch_size },
  };
}

describe('parity with the PyTorch reference (tools/reference/fisher_regmean_fixtures.py)', () => {
  const runs = cases.flatMap((c) =>
    c.results.map((result, i) => ({ name: `${c.name} #${i} ${JSON.stringify(result.params)}`, c, result })),
  );
  it.each(runs)('$name', async ({ c, result }) => {
    const { data, pool, options } = fixture(c);
    const logger = memoryLogger();
    const before = tf.memory().numTensors;
    const { model, report } = await mergeRegMean(pool, data, {
      ...options,
      reduceNonDiagonalRatio: result.params.reduce_non_diagonal_ratio,
      logger,
    });
    const expected = await readSafetensors(path.join(c.dir, result.expected));
    expect(relativeToScale(model.stateDict(), expected)).toBeLessThanOrEqual(1e-5);
    expect(report.examples).toEqual(Object.fromEntries(c.tasks.map((t) => [t, c.num_examples])));
    expect(report.regmeanLayers).toBe(1 + 2 * c.config.layers);
    expect(report.regularised.map((r) => r.layer)).toEqual(result.fallback_layers);
    expect(logger.lines.filter((line) => line.startsWith('warning:'))).toHaveLength(
      result.fallback_layers.length,
    );
    model.dispose();
    tf.dispose([...expected.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });

  const grams = cases.flatMap((c) => c.tasks.map((task) => ({ c, task })));
  it.each(grams)('Gram matrices of $c.name/$task', async ({ c, task }) => {
    const { data, pool, options } = fixture(c);
    const model = await pool.loadModel(task);
    const batches = data.batches(task, 'train', { batchSize: options.batchSize, limit: options.numExamples });
    const captured = await captureGramMatrices(model, batches);
    const expected = await readSafetensors(path.join(c.dir, 'grams', `${task}.safetensors`));
    expect([...captured.grams.keys()]).toEqual([...expected.keys()]);
    expect(relativeToScale(captured.grams, expected)).toBeLessThanOrEqual(1e-5);
    expect(captured.examples).toBe(c.num_examples);
    expect([...captured.rows.values()].every((rows) => rows === c.num_examples * c.config.tokens)).toBe(true);
    // The layers have their own forward again.
    for (const module of model.namedModules().values()) expect(Object.hasOwn(module, 'forward')).toBe(false);
    tf.dispose([...captured.grams.values(), ...expected.values()]);
    model.dispose();
  });

  it('gives an input feature no example activates the plain average of its weights', async () => {
    const c = caseNamed('dead-feature');
    const { data, pool, options } = fixture(c);
    const { model, report } = await mergeRegMean(pool, data, options);
    expect(report.regularised).toEqual([{ layer: 'embed', ridge: expect.any(Number), singularColumn: 2 }]);
    const models = await Promise.all(c.tasks.map((t) => pool.loadModel(t)));
    const column = (w: tf.Tensor) => (w.arraySync() as number[][]).map((row) => row[2]);
    const mean = tf.tidy(() =>
      tf.div(tf.addN(models.map((m) => m.stateDict().get('embed.weight')!)), models.length),
    );
    const average = column(mean);
    const merged = column(model.stateDict().get('embed.weight')!);
    for (let i = 0; i < merged.length; i++) expect(merged[i]).toBeCloseTo(average[i], 6);
    tf.dispose(mean);
    for (const m of models) m.dispose();
    model.dispose();
  });
});

describe('errors a user can cause', () => {
  it('needs training data for every model, named after its task', async () => {
    const { data, pool, options } = fixture();
    await expect(mergeRegMean(pool, toyWorld(), options)).rejects.toThrow(
      "method regmean: the task pool has no data for model 'task_a' (models are named after their tasks; its tasks: toy0, toy1, toy2)",
    );
    const empty: TaskData = {
      taskNames: data.taskNames,
      size: (task) => (task === 'task_c' ? 0 : 12),
      batches: data.batches.bind(data),
    };
    await expect(mergeRegMean(pool, empty, options)).rejects.toThrow(
      "method regmean: task 'task_c' has no training examples",
    );
  });

  it('needs the task pool to provide data', async () => {
    const { pool } = fixture();
    const container = createRunContainer();
    const method = await regmeanMethod.create({ params: {}, container, baseDir: '.' });
    await expect(
      method.run(pool, { container, logger: memoryLogger(), runDir: '.', seed: 0 }),
    ).rejects.toThrow(
      'method regmean needs taskData, which nothing in this run provides (is a task pool that provides it configured?)',
    );
  });

  it('needs models with the same keys, and Linear layers in them', async () => {
    const { data, options } = fixture();
    const c = caseNamed('three-tasks');
    class OddPool extends FixturePool {
      override async openWeights(name: string) {
        const source = await super.openWeights(name);
        if (name !== 'task_b') return source;
        return {
          origin: name,
          keys: () => source.keys().slice(1),
          info: (key: string) => source.info(key),
          read: (key: string) => source.read(key),
          close: () => source.close(),
        };
      }
    }
    await expect(mergeRegMean(new OddPool(c.dir, c.config, c.tasks), data, options)).rejects.toThrow(
      "model 'task_b' does not have the keys of",
    );
    const bare = WeightsPool.fromStateDicts(
      new Map(c.tasks.map((task) => [task, new Map([['w', tf.ones([2])]])])),
    );
    await expect(mergeRegMean(bare, data, options)).rejects.toThrow(
      "method regmean: model 'task_a' has no Linear layers, which is what RegMean merges",
    );
  });

  it('says which layer sees non-finite inputs', async () => {
    const { data, options } = fixture();
    const c = caseNamed('three-tasks');
    class BrokenPool extends FixturePool {
      override async loadModel(name: string): Promise<Module> {
        const model = await super.loadModel(name);
        if (name === 'task_b')
          model.loadStateDict(new Map([['embed.bias', tf.fill([c.config.hidden], Number.NaN)]]), {
            strict: false,
          });
        return model;
      }
    }
    await expect(mergeRegMean(new BrokenPool(c.dir, c.config, c.tasks), data, options)).rejects.toThrow(
      "method regmean: the Gram matrix of layer 'layers.0.mlp.fc1' is not finite (NaN or infinite inputs in the forward pass)",
    );
  });

  it('rejects settings a TypeScript caller can get wrong', async () => {
    const { data, pool } = fixture();
    await expect(mergeRegMean(pool, data, { numExamples: 2.5 })).rejects.toThrow(
      'method regmean: num_examples must be a positive integer, got 2.5',
    );
    await expect(mergeRegMean(pool, data, { reduceNonDiagonalRatio: -0.1 })).rejects.toThrow(
      'method regmean: reduce_non_diagonal_ratio must be a number in [0, 1], got -0.1',
    );
  });
});

function runProgramWith(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  const cwd = mkdtempSync(path.join(tmpdir(), 'mb-regmean-'));
  return runProgram({
    cwd,
    registry,
    overrides: ['method=regmean', 'modelpool=toy', 'taskpool=toy', 'backend=cpu', ...overrides],
  });
}

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin, { methodParams: { regmean: { num_examples: 32 } } });
  });

  it('runs end to end on the toy pools from its preset', async () => {
    const { report } = await runProgramWith(['method.num_examples=64']);
    expect(report.method).toMatchObject({
      name: 'regmean',
      params: { num_examples: 64, batch_size: 32, reduce_non_diagonal_ratio: 0.95 },
    });
    const regmean = (report.artifacts as { regmean: RegMeanReport }).regmean;
    expect(regmean).toMatchObject({
      examples: { toy0: 64, toy1: 64, toy2: 64 },
      regmeanLayers: 5,
      regularised: [],
    });
    expect(report.results!.average.accuracy).toBeGreaterThan(0.25);
    expect(report.results!.average.accuracy).toBeLessThanOrEqual(1);
  });

  it("defaults to FusionBench's CLIP settings (config/method/regmean/clip_regmean.yaml at 54c9e8c)", () => {
    const defaults = Object.fromEntries(regmeanMethod.info.params!.map((p) => [p.name, p.default]));
    expect(defaults).toMatchObject({ num_examples: 256, batch_size: 32, reduce_non_diagonal_ratio: 0.95 });
  });

  it('rejects a ratio outside [0, 1]', async () => {
    await expect(runProgramWith(['method.reduce_non_diagonal_ratio=1.5'])).rejects.toThrow(
      'method.reduce_non_diagonal_ratio: expected a number in [0, 1], got 1.5',
    );
  });
});
