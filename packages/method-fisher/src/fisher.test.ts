import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComponentRegistry,
  createRunContainer,
  Module,
  memoryLogger,
  provide,
  registerPlugin,
  runProgram,
  stateDictSource,
  type TaskData,
  type TaskHeads,
  type TensorSource,
  TOKENS,
} from '@mergebench/core';
import {
  checkPluginConformance,
  FixturePool,
  FixtureWorld,
  readCase,
  readSafetensors,
  relativeToScale,
  type ToyEncoder,
  toyWorld,
} from '@mergebench/core/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import plugin, {
  excludedByRegex,
  type FisherEstimate,
  type FisherMergingReport,
  fisherDiagonal,
  fisherMethod,
  mergeFisher,
} from './index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface FisherResult {
  readonly params: {
    readonly fisher_estimate: FisherEstimate;
    readonly normalize_fisher_weight: boolean;
    readonly minimal_fisher_weight: number;
  };
  readonly expected: string;
}

const cases = readdirSync(FIXTURES).map((name) => {
  const dir = path.join(FIXTURES, name);
  return { dir, ...readCase<FisherResult>(dir) };
});
const threeTasks = cases.find((c) => c.name === 'three-tasks')!;

async function fixture(c = threeTasks) {
  const world = await FixtureWorld.read(c.dir);
  return {
    world,
    pool: new FixturePool(c.dir, c.config, c.tasks),
    options: { numExamples: c.num_examples, batchSize: c.batch_size },
  };
}

describe('parity with the PyTorch reference (tools/reference/fisher_regmean_fixtures.py)', () => {
  const runs = cases.flatMap((c) =>
    c.results.map((result, i) => ({ name: `${c.name} #${i} ${JSON.stringify(result.params)}`, c, result })),
  );
  it.each(runs)('$name', async ({ c, result }) => {
    const { world, pool, options } = await fixture(c);
    const before = tf.memory().numTensors;
    const { model, report } = await mergeFisher(
      pool,
      { data: world, heads: world },
      {
        ...options,
        estimate: result.params.fisher_estimate,
        normalizeFisherWeight: result.params.normalize_fisher_weight,
        minimalFisherWeight: result.params.minimal_fisher_weight,
      },
    );
    const expected = await readSafetensors(path.join(c.dir, result.expected));
    expect(relativeToScale(model.stateDict(), expected)).toBeLessThanOrEqual(1e-5);
    expect(report.examples).toEqual(Object.fromEntries(c.tasks.map((t) => [t, c.num_examples])));
    expect(report.averagedKeys).toEqual([]);
    const coefficients = Object.values(report.modelCoefficients);
    expect(coefficients.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    if (!result.params.normalize_fisher_weight)
      for (const x of coefficients) expect(x).toBeCloseTo(1 / c.tasks.length, 12);
    model.dispose();
    tf.dispose([...expected.values()]);
    expect(tf.memory().numTensors).toBe(before);
    world.dispose();
  });

  const diagonals = cases.flatMap((c) =>
    c.tasks.flatMap((task) => (['batched', 'exact'] as const).map((estimate) => ({ c, task, estimate }))),
  );
  it.each(diagonals)('Fisher diagonal of $c.name/$task ($estimate)', async ({ c, task, estimate }) => {
    const { world, pool, options } = await fixture(c);
    const model = await pool.loadModel(task);
    const batches = world.batches(task, 'train', {
      batchSize: options.batchSize,
      limit: options.numExamples,
    });
    const fisher = await fisherDiagonal(model, world.head(task), batches, estimate);
    const expected = await readSafetensors(path.join(c.dir, 'fisher', estimate, `${task}.safetensors`));
    expect(fisher.examples).toBe(c.num_examples);
    expect(relativeToScale(fisher.values, expected)).toBeLessThanOrEqual(1e-5);
    // The estimate differentiates frozen parameters too, and leaves them frozen.
    expect(model.trainableVariables()).toHaveLength(model.parameters().length);
    tf.dispose([...fisher.values.values(), ...expected.values()]);
    model.dispose();
    world.dispose();
  });
});

/** The fixture's encoder plus a parameter no forward pass reads and an integer buffer. */
class EncoderWithExtras extends Module {
  readonly encoder: ToyEncoder;
  constructor(encoder: ToyEncoder, index: number) {
    super();
    this.encoder = this.registerModule('encoder', encoder);
    this.registerParameter('unused', tf.fill([2], index));
    this.registerBuffer('steps', tf.tensor1d([10 + index, 20 + index], 'int32'));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.encoder.forward(x);
  }
}

class ExtrasPool extends FixturePool {
  readonly #held: Module[] = [];
  override async loadModel(name: string): Promise<Module> {
    return new EncoderWithExtras((await super.loadModel(name)) as ToyEncoder, this.modelNames.indexOf(name));
  }
  override async openWeights(name: string): Promise<TensorSource> {
    const model = await this.loadModel(name);
    this.#held.push(model);
    return stateDictSource(model.stateDict(), name);
  }
  dispose(): void {
    for (const model of this.#held) model.dispose();
  }
}

describe('what has no Fisher', () => {
  it('averages parameters the objective does not reach, and copies integer buffers from the first model', async () => {
    const { world, options } = await fixture();
    const pool = new ExtrasPool(threeTasks.dir, threeTasks.config, threeTasks.tasks);
    const { model, report } = await mergeFisher(pool, { data: world, heads: world }, options);
    expect(report.averagedKeys).toEqual(['unused', 'steps']);
    expect(report.fisherWeightedKeys).toBe(model.parameters().length - 1);
    expect(model.stateDict().get('unused')!.arraySync()).toEqual([1, 1]);
    expect(model.stateDict().get('steps')!.arraySync()).toEqual([10, 20]);
    model.dispose();
    pool.dispose();
    world.dispose();
  });
});

describe('exclude_param_names_regex (FusionBench)', () => {
  it('matches at the start of a name only, as re.match', () => {
    expect(excludedByRegex(['mlp'])('layers.0.mlp.fc1.weight')).toBe(false);
    expect(excludedByRegex(['layers\\.\\d+\\.mlp'])('layers.0.mlp.fc1.weight')).toBe(true);
    expect(excludedByRegex(['visual_projection'])('visual_projection.weight')).toBe(true);
    expect(() => excludedByRegex(['(unclosed'])).toThrow(
      /^method\.exclude_param_names_regex: '\(unclosed' is not a valid regular expression/,
    );
  });

  it('keeps excluded parameters out of the Fisher norms and averages them', async () => {
    const { world, pool, options } = await fixture();
    const tasks = threeTasks.tasks;
    const minimal = 1e-6;
    const { model, report } = await mergeFisher(
      pool,
      { data: world, heads: world },
      { ...options, excludeParamNamesRegex: ['final_norm'] },
    );
    expect(report.excludedKeys).toEqual(['final_norm.weight', 'final_norm.bias']);
    expect(report.averagedKeys).toEqual(['final_norm.weight', 'final_norm.bias']);
    // Expected, in float64 from the PyTorch fixture's Fisher diagonals and the models' weights.
    const fishers = await Promise.all(
      tasks.map((t) => readSafetensors(path.join(threeTasks.dir, 'fisher', 'batched', `${t}.safetensors`))),
    );
    const thetas = await Promise.all(
      tasks.map((t) => readSafetensors(path.join(threeTasks.dir, 'models', `${t}.safetensors`))),
    );
    const values = (t: tf.Tensor) => Array.from(t.dataSync());
    const kept = [...fishers[0].keys()].filter((key) => !key.startsWith('final_norm'));
    const norms = fishers.map((f) =>
      Math.sqrt(kept.reduce((acc, key) => acc + values(f.get(key)!).reduce((a, x) => a + x * x, 0), 0)),
    );
    const inverse = norms.map((n) => 1 / (n + minimal));
    const total = inverse.reduce((a, b) => a + b, 0);
    tasks.forEach((task, i) => {
      expect(report.fisherNorms[task]).toBeCloseTo(norms[i], 5);
      expect(report.modelCoefficients[task]).toBeCloseTo(inverse[i] / total, 6);
    });
    const merged = model.stateDict();
    let worst = 0;
    for (const key of [...thetas[0].keys()]) {
      const theta = thetas.map((m) => values(m.get(key)!));
      const expected = key.startsWith('final_norm')
        ? theta[0].map((_, j) => theta.reduce((a, th) => a + th[j], 0) / tasks.length)
        : theta[0].map((_, j) => {
            const w = fishers.map((f, i) => (inverse[i] / total) * (values(f.get(key)!)[j] + minimal));
            return w.reduce((a, wi, i) => a + wi * theta[i][j], 0) / w.reduce((a, b) => a + b, 0);
          });
      const actual = values(merged.get(key)!);
      for (let j = 0; j < actual.length; j++) worst = Math.max(worst, Math.abs(actual[j] - expected[j]));
    }
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
    tf.dispose([...fishers, ...thetas].flatMap((m) => [...m.values()]));
    world.dispose();
  });
});

describe('errors a user can cause', () => {
  it('needs training data for every model, named after its task', async () => {
    const { world, pool, options } = await fixture();
    await expect(mergeFisher(pool, { data: toyWorld(), heads: world }, options)).rejects.toThrow(
      "method fisher: the task pool has no data for model 'task_a' (models are named after their tasks; its tasks: toy0, toy1, toy2)",
    );
    const empty: TaskData = {
      ...world,
      taskNames: world.taskNames,
      size: (task) => (task === 'task_b' ? 0 : 12),
      batches: world.batches.bind(world),
    };
    await expect(mergeFisher(pool, { data: empty, heads: world }, options)).rejects.toThrow(
      "method fisher: task 'task_b' has no training examples",
    );
    const headless: TaskHeads = { taskNames: ['task_a'], head: world.head.bind(world), numClasses: () => 3 };
    await expect(mergeFisher(pool, { data: world, heads: headless }, options)).rejects.toThrow(
      "method fisher: the task pool has no head for model 'task_b' (its heads: task_a)",
    );
    world.dispose();
  });

  it('says when a task has fewer examples than asked for, and uses them all', async () => {
    const { world, pool } = await fixture(cases.find((c) => c.name === 'single-model')!);
    const logger = memoryLogger();
    const { model, report } = await mergeFisher(
      pool,
      { data: world, heads: world },
      { numExamples: 100, logger },
    );
    expect(report.examples).toEqual({ task_a: 12 });
    expect(logger.lines[0]).toBe(
      "warning: method fisher: task 'task_a' has 12 training examples, fewer than num_examples = 100; using all of them",
    );
    model.dispose();
    world.dispose();
  });

  it('needs the task pool to provide heads', async () => {
    const { world, pool } = await fixture();
    const container = createRunContainer();
    provide(container, TOKENS.taskData, world);
    const method = await fisherMethod.create({ params: {}, container, baseDir: '.' });
    await expect(
      method.run(pool, { container, logger: memoryLogger(), runDir: '.', seed: 0 }),
    ).rejects.toThrow(
      'method fisher needs taskHeads, which nothing in this run provides (is a task pool that provides it configured?)',
    );
    world.dispose();
  });

  it('needs models with the same keys', async () => {
    const { world, options } = await fixture();
    class OddPool extends ExtrasPool {
      override async loadModel(name: string): Promise<Module> {
        const model = await super.loadModel(name);
        if (name === 'task_c') model.registerParameter('extra', tf.zeros([1]));
        return model;
      }
    }
    const pool = new OddPool(threeTasks.dir, threeTasks.config, threeTasks.tasks);
    await expect(mergeFisher(pool, { data: world, heads: world }, options)).rejects.toThrow(
      "model 'task_c' does not have the keys of 'task_a': unexpected keys extra",
    );
    pool.dispose();
    world.dispose();
  });

  it('rejects settings a TypeScript caller can get wrong', async () => {
    const { world, pool } = await fixture();
    await expect(mergeFisher(pool, { data: world, heads: world }, { batchSize: 0 })).rejects.toThrow(
      'method fisher: batch_size must be a positive integer, got 0',
    );
    await expect(
      mergeFisher(pool, { data: world, heads: world }, { minimalFisherWeight: 0 }),
    ).rejects.toThrow('method fisher: minimal_fisher_weight must be a positive number, got 0');
    world.dispose();
  });
});

function runProgramWith(overrides: string[]) {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  const cwd = mkdtempSync(path.join(tmpdir(), 'mb-fisher-'));
  return runProgram({
    cwd,
    registry,
    overrides: ['method=fisher', 'modelpool=toy', 'taskpool=toy', 'backend=cpu', ...overrides],
  });
}

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin, { methodParams: { fisher: { num_examples: 32 } } });
  });

  it('runs end to end on the toy pools from its preset', async () => {
    const { report } = await runProgramWith(['method.num_examples=64']);
    expect(report.method).toMatchObject({
      name: 'fisher',
      params: {
        num_examples: 64,
        batch_size: 32,
        fisher_estimate: 'batched',
        normalize_fisher_weight: true,
        minimal_fisher_weight: 1e-6,
      },
    });
    const fisher = (report.artifacts as { fisher: FisherMergingReport }).fisher;
    expect(fisher.examples).toEqual({ toy0: 64, toy1: 64, toy2: 64 });
    expect(report.results!.average.accuracy).toBeGreaterThan(0.25);
    expect(report.results!.average.accuracy).toBeLessThanOrEqual(1);
  });

  it('has a CLIP preset that keeps visual_projection out of the norms, as FusionBench', async () => {
    const { report } = await runProgramWith(['method=fisher-clip', 'method.num_examples=32']);
    expect(report.method).toMatchObject({
      name: 'fisher',
      params: { exclude_param_names_regex: ['visual_projection'], normalize_fisher_weight: true },
    });
    // The toy encoder has no projection: nothing is excluded.
    expect((report.artifacts as { fisher: FisherMergingReport }).fisher.excludedKeys).toEqual([]);
  });

  it('rejects an unknown estimate', async () => {
    await expect(runProgramWith(['method.fisher_estimate=sampled'])).rejects.toThrow(
      'method.fisher_estimate: expected "batched" or "exact", got "sampled"',
    );
  });
});
