import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLogger, openSafetensors } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { lossLandscape } from './landscape/loss-landscape.js';
import { checkPage } from './report/browser.test.helpers.js';
import { writeSuiteResults } from './results.js';
import { routersFile, writeOneHotRouters } from './routing-ceiling/one-hot-routers.js';
import { planSuite, runSuite, suiteRegistry } from './suite.js';
import { checkMethodsExist } from './suite-check.js';
import { loadSuite, parseSuite } from './suite-file.js';
import { zooTarget } from './suite-target.js';
import { buildZoo } from './zoo/build-zoo.js';
import { TINY_VISION } from './zoo/tiny-vision.test.helpers.js';
import { QUICK_ZOO_SPEC, type ZooSpec } from './zoo/zoo-spec.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A zoo of the real shape (CLIP ViT, pretraining, per-task fine-tuning runs) built in seconds. */
const TINY: ZooSpec = {
  ...QUICK_ZOO_SPEC,
  vision: TINY_VISION,
  tasks: ['synthetic-colors', 'synthetic-textures'],
  data: { imageSize: 32, trainSize: 64, testSize: 32, seed: 0 },
  pretrain: { ...QUICK_ZOO_SPEC.pretrain, steps: 3, batchSize: 16, lr: 1e-3 },
  finetune: { ...QUICK_ZOO_SPEC.finetune, steps: 4, batchSize: 16, lr: 1e-3 },
};

const SUITE_YAML = `
name: tiny
plugins: ['@mergebench/example-method-median']
runs:
  - label: pretrained
    method: dummy
  - label: individual
    method: dummy
    per_task: true
    overrides: { method.model: '{task}' }
  - label: broken
    method: dummy
    overrides: { method.model: nope }
  - label: median
    method: median
  - label: task-arithmetic
    method: task-arithmetic
    sweep: { method.scaling_factor: [0.1, 0.3] }
  - label: adamerging-layer-wise
    method: adamerging-layer-wise
    overrides: { method.batch_size: 4, method.progress: false }
    sweep: { method.max_steps: [1, 2] }
`;

const PARETO = {
  schema: 'mergebench.pareto/1',
  tasks: TINY.tasks,
  fronts: [
    {
      method: 'pwemoe-ls',
      hypervolume: 0.4,
      points: [
        {
          preference: [1, 0],
          accuracy: { 'synthetic-colors': 0.9, 'synthetic-textures': 0.2 },
          loss: { 'synthetic-colors': 0.2, 'synthetic-textures': 2 },
        },
        {
          preference: [0, 1],
          accuracy: { 'synthetic-colors': 0.3, 'synthetic-textures': 0.8 },
          loss: { 'synthetic-colors': 1.5, 'synthetic-textures': 0.4 },
        },
      ],
    },
  ],
};

const runsIn = (dir: string) => readdirSync(path.join(dir, 'runs')).sort();
const mtimes = (dir: string) =>
  Object.fromEntries(runsIn(dir).map((d) => [d, statSync(path.join(dir, 'runs', d)).mtimeMs]));

describe('offline benchmark', () => {
  it('runs a suite file end to end: plugin by package name, resume, failures, landscape, leaderboard, HTML report', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-offline-'));
    const logger = memoryLogger();
    const times = { pretrainingSeconds: 0, finetuningSeconds: 0 };
    const zoo = await buildZoo(root, TINY, logger, times);
    expect(readdirSync(path.join(zoo.dir, 'finetuned')).sort()).toEqual([...TINY.tasks].sort());
    // The main job prints these per phase.
    expect(times.pretrainingSeconds).toBeGreaterThan(0);
    expect(times.finetuningSeconds).toBeGreaterThan(0);

    const suite = parseSuite(path.join(packageDir, 'suites', 'tiny.yaml'), SUITE_YAML);
    expect(suite.runs.map((r) => r.label)).toEqual([
      'pretrained',
      'individual',
      'broken',
      'median',
      'task-arithmetic (scaling_factor=0.1)',
      'task-arithmetic (scaling_factor=0.3)',
      'adamerging-layer-wise (max_steps=1)',
      'adamerging-layer-wise (max_steps=2)',
    ]);
    const registry = await suiteRegistry(suite, packageDir);
    await checkMethodsExist(suite, registry, packageDir);
    const plan = await planSuite(zooTarget(zoo), suite, registry);
    expect(plan).toHaveLength(9); // the per-task run is one run per task
    const outcomes = await runSuite(zooTarget(zoo), plan, registry, logger);

    // The crashing run is recorded with its error; every other run has its report.
    expect(outcomes.map((o) => [o.label, o.ok])).toEqual(
      suite.runs.map((r) => [r.label, r.label !== 'broken']),
    );
    expect(outcomes[2]).toMatchObject({ ok: false, error: expect.stringContaining("unknown model 'nope'") });
    const median = outcomes.find((o) => o.label === 'median');
    expect(median?.ok && median.reports[0].method).toMatchObject({
      name: 'median',
      package: '@mergebench/example-method-median',
    });
    expect(logger.lines.some((l) => /^suite \[\d+\/9\] median/.test(l))).toBe(true);

    // A rerun does nothing new; an interrupted suite (one report missing) redoes only that run.
    const before = mtimes(zoo.dir);
    await runSuite(zooTarget(zoo), plan, registry, logger);
    expect(mtimes(zoo.dir)).toEqual(before);
    const medianDir = plan.find((p) => p.run.label === 'median')!.dir;
    rmSync(path.join(medianDir, 'report.json'));
    const again = await runSuite(zooTarget(zoo), plan, registry, logger);
    expect(again.filter((o) => o.ok)).toHaveLength(7);
    const after = mtimes(zoo.dir);
    expect(Object.keys(after).filter((d) => after[d] !== before[d])).toEqual([path.basename(medianDir)]);

    // The loss landscape: a 3×3 grid computed once, then read back.
    const { landscape, dir } = await lossLandscape(zoo, [TINY.tasks[0], TINY.tasks[1]], 3, logger);
    expect(landscape.lambdas).toEqual([-1, 0, 1]);
    expect(landscape.loss.flat().every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    // λ = (0, 0) is the pretrained model itself.
    const first = outcomes[0];
    if (!first.ok) throw new Error(first.error);
    const base = first.reports[0].results!.tasks;
    expect(landscape.loss[1][1]).toBeCloseTo(base[TINY.tasks[0]].loss + base[TINY.tasks[1]].loss, 4);
    const stamp = statSync(path.join(dir, 'landscape.json')).mtimeMs;
    await lossLandscape(zoo, [TINY.tasks[0], TINY.tasks[1]], 3, logger);
    expect(statSync(path.join(dir, 'landscape.json')).mtimeMs).toBe(stamp);

    // Leaderboard and report.
    const out = mkdtempSync(path.join(tmpdir(), 'mb-results-'));
    const paretoDir = path.join(out, 'pareto');
    mkdirSync(paretoDir);
    writeFileSync(path.join(paretoDir, 'tiny-pair.json'), JSON.stringify(PARETO));
    const { text, files } = await writeSuiteResults({
      out,
      suite,
      target: zooTarget(zoo),
      backend: 'test',
      outcomes: again,
      registry,
      landscape,
      paretoDir,
    });
    expect(text).toMatch(/median .* weights only/);
    expect(text).toMatch(/adamerging-layer-wise \(max_steps=2\) .* unlabelled test/);
    expect(text).toContain('NOT measured here');
    const markdown = readFileSync(path.join(out, 'leaderboard.md'), 'utf8');
    expect(markdown).toMatch(
      /^\| method \| synthetic-colors \| synthetic-textures \| average \| params \| trainable \|/m,
    );
    expect(markdown).toContain('- broken: ');
    expect(files.map((f) => path.basename(f))).toEqual(['leaderboard.md', 'report.html', 'failures.json']);

    const page = await checkPage(path.join(out, 'report.html'));
    expect(page.errors).toEqual([]);
    expect(page.charts.map((c) => c.caption)).toEqual([
      'Test accuracy per task (%)',
      'Average accuracy vs total parameters',
      'Adaptation loss per step (summed over tasks)',
      'Learned coefficients per parameter tensor: adamerging-layer-wise (max_steps=1)',
      'Learned coefficients per parameter tensor: adamerging-layer-wise (max_steps=2)',
      'Average accuracy vs adaptation steps',
      'Average accuracy vs λ (scaling factor, init_lambda)',
      'tiny-pair: accuracy on synthetic-colors vs synthetic-textures (%)',
      `Joint test loss of ${TINY.tasks[0]} + ${TINY.tasks[1]} over θ0 + λ1τ1 + λ2τ2`,
    ]);
    expect(page.drawn).toBe(page.charts.length);
    // One bar series per leaderboard row, each with both tasks and the average.
    expect(page.charts[0].points).toEqual([3, 3, 3, 3, 3, 3, 3]);
    for (const chart of page.charts) {
      expect(chart.inked, chart.caption).toBeGreaterThan(500);
      // A series the chart library could not draw is dropped from its option: none may be missing.
      expect(chart.points.length, chart.caption).toBeGreaterThan(0);
      for (const n of chart.points) expect(n, chart.caption).toBeGreaterThan(0);
    }
  }, 300_000); // a whole suite, a landscape and a browser: minutes on a loaded 2-core machine

  it('stops a bad suite before any run starts, naming the run and the key', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-offline-bad-'));
    const zoo = await buildZoo(root, TINY, memoryLogger());
    const file = path.join(root, 'bad.yaml');
    const suiteOf = (run: string) =>
      parseSuite(file, `runs:\n  - label: pretrained\n    method: dummy\n${run}`);

    const unknownMethod = suiteOf('  - label: mine\n    method: no-such-method\n');
    const registry = await suiteRegistry(unknownMethod, packageDir);
    await expect(checkMethodsExist(unknownMethod, registry, packageDir)).rejects.toThrow(
      `${file}: run 'mine': method: unknown method 'no-such-method'`,
    );

    const before = runsIn(zoo.dir);
    const badKey = suiteOf(
      '  - label: ta\n    method: task-arithmetic\n    sweep: { method.scaling_factr: [0.1, 0.2] }\n',
    );
    await expect(planSuite(zooTarget(zoo), badKey, registry)).rejects.toThrow(
      new RegExp(`^${file}: run 'ta \\(scaling_factr=0.1\\)': .*scaling_factr`),
    );
    const badValue = suiteOf(
      '  - label: ta\n    method: task-arithmetic\n    overrides: { method.scaling_factor: high }\n',
    );
    await expect(planSuite(zooTarget(zoo), badValue, registry)).rejects.toThrow(
      `${file}: run 'ta': method.scaling_factor: expected a number`,
    );
    expect(runsIn(zoo.dir)).toEqual(before);

    // The default suite (what `pnpm bench` runs) validates completely.
    const defaults = loadSuite(path.join(packageDir, 'suites', 'default.yaml'));
    const defaultRegistry = await suiteRegistry(defaults, packageDir);
    await checkMethodsExist(defaults, defaultRegistry, packageDir);
    const plan = await planSuite(zooTarget(zoo), defaults, defaultRegistry);
    expect(plan.length).toBe(defaults.runs.length + TINY.tasks.length - 1);
    expect(new Set(plan.map((p) => p.dir)).size).toBe(plan.length);

    expect(() => suiteOf('  - label: x\n    method: ties\n    lamda: 0.3\n')).toThrow(
      `${file}: run 'x': unknown key 'lamda'; expected label, method, modelpool, taskpool, per_task, overrides, sweep`,
    );
    const missingPlugin = parseSuite(
      file,
      "plugins: ['@nowhere/method-x']\nruns:\n  - label: a\n    method: dummy\n",
    );
    await expect(suiteRegistry(missingPlugin, packageDir)).rejects.toThrow(
      `${file}: plugins: package '@nowhere/method-x' is not installed`,
    );
    expect(() => suiteOf('  - label: pretrained\n    method: ties\n')).toThrow(
      `${file}: run 'pretrained' is listed twice`,
    );
  });
  it('evaluates WEMoE with task routing: one-hot routers per task, the routing-ceiling suite', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mb-ceiling-'));
    const logger = memoryLogger();
    const zoo = await buildZoo(root, TINY, logger);
    const suite = loadSuite(path.join(packageDir, 'suites', 'routing-ceiling.yaml'));
    const registry = await suiteRegistry(suite, packageDir);
    const dir = await writeOneHotRouters(zoo, registry, logger);
    for (const [t, task] of TINY.tasks.entries()) {
      const file = await openSafetensors(routersFile(dir, task));
      expect(file.keys()).toEqual(['vision_model.encoder.layers.0.mlp.router.bias']);
      const routing = await file.read(file.keys()[0]);
      expect(Array.from(routing.dataSync())).toEqual(TINY.tasks.map((_, i) => (i === t ? 1 : 0)));
      routing.dispose();
      await file.close();
    }
    const plan = await planSuite(zooTarget(zoo), suite, registry);
    const outcomes = await runSuite(
      zooTarget(zoo),
      plan.filter((p) => !p.overrides.includes('method.init_lambda=0.3')),
      registry,
      logger,
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    // Each task's run evaluates that task with that task's routers, read rather than trained.
    const routed = outcomes.find((o) => o.label === 'wemoe-task-routing (init_lambda=0)');
    expect(routed?.ok && routed.reports.map((r) => [r.artifacts.routersFrom, r.artifacts.steps])).toEqual(
      TINY.tasks.map((task) => [routersFile(dir, task), 0]),
    );
    rmSync(root, { recursive: true, force: true });
  });
});
