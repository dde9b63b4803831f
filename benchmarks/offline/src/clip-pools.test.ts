// The papers' experiment end to end on files in the Hub's exact formats: a Hugging Face cache
// holding a tiny random CLIP (vision and text) as `openai/clip-vit-base-patch32`, two fine-tuned
// vision towers as `tanganke/clip-vit-base-patch32_<task>`, and the EuroSAT and SVHN parquet
// fixtures as their data set repos; a suite that names those pools runs task arithmetic, TIES
// (by FusionBench's name), AdaMerging and WEMoE on them and writes the leaderboard.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, memoryLogger, openSafetensors, writeSafetensors } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSuiteResults } from './results.js';
import { planSuite, runSuite, suiteRegistry } from './suite.js';
import { loadSuite } from './suite-file.js';
import { poolsTarget } from './suite-target.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packages = path.resolve(packageDir, '../../packages');
const TINY_CLIP = path.join(packages, 'modelpool-clip-vit/fixtures/tiny-clip');
const DATASETS = {
  'tanganke/eurosat': path.join(packages, 'taskpool-clip-classification/fixtures/tanganke-eurosat'),
  'ufldl-stanford/svhn': path.join(packages, 'taskpool-clip-classification/fixtures/ufldl-stanford-svhn'),
};
const TASKS = ['eurosat', 'svhn'];

let root: string;
const savedHome = process.env.HF_HOME;
const savedCache = process.env.HF_HUB_CACHE;

/** A repo in the cache layout huggingface_hub writes: refs/main → snapshots/<commit>/ → files. */
function cacheRepo(type: 'model' | 'dataset', id: string, fill: (snapshot: string) => void): void {
  const repo = path.join(root, 'hf', 'hub', `${type}s--${id.replace('/', '--')}`);
  const commit = createHash('sha1').update(id).digest('hex');
  const snapshot = path.join(repo, 'snapshots', commit);
  mkdirSync(snapshot, { recursive: true });
  fill(snapshot);
  mkdirSync(path.join(repo, 'refs'), { recursive: true });
  writeFileSync(path.join(repo, 'refs', 'main'), commit);
}

/** A CLIPVisionModel folder (no projection, as on the Hub) fine-tuned by a seeded nudge of CLIP's tower. */
async function fineTunedTower(snapshot: string, seed: number): Promise<void> {
  const config = JSON.parse(readFileSync(path.join(TINY_CLIP, 'config.json'), 'utf8'));
  const file = await openSafetensors(path.join(TINY_CLIP, 'model.safetensors'));
  const rng = createRng(seed);
  const tensors = new Map<string, tf.Tensor>();
  for (const key of file.keys().filter((k) => k.startsWith('vision_model.'))) {
    const value = await file.read(key);
    const noise = Float32Array.from({ length: value.size }, () => 0.05 * rng.normal());
    tensors.set(
      key,
      tf.tidy(() => value.add(tf.tensor(noise, value.shape))),
    );
    value.dispose();
  }
  await file.close();
  await writeSafetensors(path.join(snapshot, 'model.safetensors'), tensors);
  tf.dispose([...tensors.values()]);
  const vision = {
    ...config.vision_config,
    model_type: 'clip_vision_model',
    architectures: ['CLIPVisionModel'],
  };
  writeFileSync(path.join(snapshot, 'config.json'), JSON.stringify(vision));
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'mb-clip-pools-'));
  process.env.HF_HOME = path.join(root, 'hf');
  delete process.env.HF_HUB_CACHE;
  cacheRepo('model', 'openai/clip-vit-base-patch32', (s) => cpSync(TINY_CLIP, s, { recursive: true }));
  for (const [i, task] of TASKS.entries()) {
    const id = `tanganke/clip-vit-base-patch32_${task}`;
    const repo = path.join(root, 'hf', 'hub', `models--${id.replace('/', '--')}`);
    cacheRepo('model', id, () => {});
    const snapshot = path.join(repo, 'snapshots', createHash('sha1').update(id).digest('hex'));
    await fineTunedTower(snapshot, i + 1);
  }
  for (const [id, source] of Object.entries(DATASETS))
    cacheRepo('dataset', id, (s) => cpSync(source, s, { recursive: true }));
});

afterAll(() => {
  if (savedHome === undefined) delete process.env.HF_HOME;
  else process.env.HF_HOME = savedHome;
  if (savedCache !== undefined) process.env.HF_HUB_CACHE = savedCache;
  rmSync(root, { recursive: true, force: true });
});

const SUITE = `
name: two-tasks
modelpool: ./modelpool.yaml
taskpool: ./taskpool.yaml
plugins:
  - "@mergebench/modelpool-clip-vit"
  - "@mergebench/taskpool-clip-classification"
  - "@mergebench/method-task-arithmetic"
  - "@mergebench/method-ties"
  - "@mergebench/method-adamerging"
  - "@mergebench/method-wemoe"
runs:
  - label: pretrained
    method: dummy
  - label: individual
    method: dummy
    per_task: true
    overrides: { method.model: "{task}" }
  - label: task-arithmetic
    method: task-arithmetic
  - label: ties
    method: ties_merging
  - label: adamerging-layer-wise
    method: adamerging-layer-wise
    overrides: { method.max_steps: 2, method.batch_size: 4 }
  - label: wemoe
    method: wemoe/weight_ensembling_moe
    overrides: { method.max_steps: 2, method.batch_size: 4 }
`;

describe('a suite on CLIP pools read from the Hugging Face cache', () => {
  it('runs task arithmetic, TIES, AdaMerging and WEMoE on Hub ids and writes the leaderboard', async () => {
    const suiteDir = path.join(root, 'suite');
    mkdirSync(suiteDir);
    writeFileSync(path.join(suiteDir, 'two-tasks.yaml'), SUITE);
    writeFileSync(
      path.join(suiteDir, 'modelpool.yaml'),
      [
        'name: clip-vit',
        'models:',
        '  _pretrained_: openai/clip-vit-base-patch32',
        ...TASKS.map((t) => `  ${t}: tanganke/clip-vit-base-patch32_${t}`),
      ].join('\n'),
    );
    // The data sets are found by the task table's Hub ids; the heads come from the model pool's
    // _pretrained_ CLIP, through its text tower.
    writeFileSync(
      path.join(suiteDir, 'taskpool.yaml'),
      `name: clip-classification\ntasks: [${TASKS.join(', ')}]\nbatch_size: 8\ntest_limit: 8\n`,
    );

    const logger = memoryLogger();
    const suite = loadSuite(path.join(suiteDir, 'two-tasks.yaml'));
    const registry = await suiteRegistry(suite, packageDir);
    const target = await poolsTarget(suite, path.join(root, 'cache'), registry);
    expect(target.tasks).toEqual(TASKS);
    const plan = await planSuite(target, suite, registry);
    expect(plan).toHaveLength(7);
    const outcomes = await runSuite(target, plan, registry, logger);
    expect(outcomes.map((o) => [o.label, o.ok ? 'ok' : o.error])).toEqual(
      suite.runs.map((r) => [r.label, 'ok']),
    );
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      for (const report of outcome.reports) {
        for (const [task, metrics] of Object.entries(report.results!.tasks)) {
          expect(TASKS).toContain(task);
          expect(metrics.count).toBeGreaterThan(0);
          expect(metrics.count).toBeLessThanOrEqual(8); // test_limit
          expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(metrics.loss)).toBe(true);
        }
      }
    }
    const ties = outcomes.find((o) => o.label === 'ties');
    expect(ties?.ok && ties.reports[0].method.name).toBe('ties');
    const wemoe = outcomes.find((o) => o.label === 'wemoe');
    expect(wemoe?.ok && wemoe.reports[0].method.name).toBe('wemoe');

    const out = path.join(root, 'results');
    mkdirSync(out);
    const { text } = await writeSuiteResults({
      out,
      suite,
      target,
      backend: 'test',
      outcomes,
      registry,
      paretoDir: path.join(out, 'pareto'),
    });
    expect(text).toMatch(/task-arithmetic/);
    const markdown = readFileSync(path.join(out, 'leaderboard.md'), 'utf8');
    expect(markdown).toContain('model pool ./modelpool.yaml, task pool ./taskpool.yaml');
    expect(markdown).toMatch(/^\| method \| eurosat \| svhn \| average \|/m);
  });

  it('plans the TA8 suite (clip-ta8.yaml) on FusionBench-named pools without reading a file', async () => {
    const suite = loadSuite(path.join(packageDir, 'suites', 'clip-ta8.yaml'));
    const registry = await suiteRegistry(suite, packageDir);
    const target = await poolsTarget(suite, path.join(root, 'cache'), registry);
    expect(target.tasks).toEqual([
      'sun397',
      'stanford-cars',
      'resisc45',
      'eurosat',
      'svhn',
      'gtsrb',
      'mnist',
      'dtd',
    ]);
    const plan = await planSuite(target, suite, registry);
    expect(plan).toHaveLength(suite.runs.length + target.tasks.length - 1);
  });

  it('names the download command when a model is not in the cache', async () => {
    const suiteDir = path.join(root, 'missing');
    mkdirSync(suiteDir);
    writeFileSync(
      path.join(suiteDir, 'suite.yaml'),
      'modelpool: CLIPVisionModelPool/clip-vit-base-patch16_TA8\ntaskpool: clip-vit-classification_TA8\nruns:\n  - label: ta\n    method: task-arithmetic\n',
    );
    const suite = loadSuite(path.join(suiteDir, 'suite.yaml'));
    const registry = await suiteRegistry(suite, packageDir);
    const target = await poolsTarget(suite, path.join(root, 'cache'), registry);
    const outcomes = await runSuite(
      target,
      await planSuite(target, suite, registry),
      registry,
      memoryLogger(),
    );
    expect(outcomes[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /openai\/clip-vit-base-patch16.*mergebench download openai\/clip-vit-base-patch16/,
      ),
    });
  });
});
