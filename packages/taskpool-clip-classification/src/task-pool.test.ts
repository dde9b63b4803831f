import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRunContainer, provide, resolveService, TOKENS, validateParams } from '@mergebench/core';
import { loadClipVisionModel } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clipClassificationTaskPool } from './component.js';
import {
  addToHubCache,
  copyFixture,
  EUROSAT,
  FER,
  FIXTURES,
  PCAM,
  SVHN,
  TINY_CLIP,
  tempDir,
  writeShard,
} from './fixtures.test.helpers.js';
import { type ClipClassificationOptions, ClipClassificationTaskPool } from './task-pool.js';

const run = (extra: Partial<ClipClassificationOptions>) => ClipClassificationTaskPool.create(options(extra));

function options(extra: Partial<ClipClassificationOptions> = {}): ClipClassificationOptions {
  const dir = tempDir();
  return {
    tasks: ['eurosat', 'svhn'],
    data: { eurosat: EUROSAT, svhn: SVHN },
    clipModel: TINY_CLIP,
    headsCache: join(dir, 'heads'),
    hubCache: join(dir, 'hub'),
    batchSize: 5,
    ...extra,
  };
}

describe('ClipClassificationTaskPool', () => {
  it('evaluates the tiny CLIP on two tasks read from plain folders, and provides data and heads', async () => {
    const pool = await ClipClassificationTaskPool.create(options());
    const vision = await loadClipVisionModel(TINY_CLIP);
    const result = await pool.evaluate(vision);
    expect(Object.keys(result.tasks)).toEqual(['eurosat', 'svhn']);
    expect(result.tasks.eurosat.count).toBe(12);
    expect(result.tasks.svhn.count).toBe(6);
    for (const metrics of Object.values(result.tasks)) {
      expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(metrics.accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(metrics.loss) && metrics.loss > 0).toBe(true);
    }
    expect(result.average.accuracy).toBeCloseTo(
      (result.tasks.eurosat.accuracy + result.tasks.svhn.accuracy) / 2,
      10,
    );

    const container = createRunContainer();
    pool.registerServices(container);
    const data = resolveService(container, TOKENS.taskData);
    const heads = resolveService(container, TOKENS.taskHeads);
    expect(data.size('svhn', 'train')).toBe(5);
    expect(heads.numClasses('eurosat')).toBe(10);
    const batch = (
      await data.batches('svhn', 'train', { batchSize: 8, shuffleSeed: 1 })[Symbol.asyncIterator]().next()
    ).value;
    expect(batch.inputs.shape).toEqual([5, 3, 32, 32]);
    const logits = heads.head('svhn').forward(vision.forward(batch.inputs));
    expect(logits.shape).toEqual([5, 10]);
    tf.dispose([batch.inputs, batch.labels, logits]);
    vision.dispose();
    pool.dispose();
  });

  it('finds data sets and the CLIP model by Hub id in the Hugging Face cache', async () => {
    const opts = options({
      data: {},
      tasks: ['eurosat', 'svhn', 'pcam', 'fer2013'],
      clipModel: 'openai/clip-vit-base-patch32',
      testLimit: 3,
    });
    const hub = opts.hubCache as string;
    addToHubCache(hub, 'dataset', 'tanganke/eurosat', EUROSAT);
    addToHubCache(hub, 'dataset', 'ufldl-stanford/svhn', SVHN);
    addToHubCache(hub, 'dataset', '1aurent/PatchCamelyon', PCAM);
    addToHubCache(hub, 'dataset', 'clip-benchmark/wds_fer2013', FER);
    addToHubCache(hub, 'model', 'openai/clip-vit-base-patch32', TINY_CLIP);
    const pool = await ClipClassificationTaskPool.create(opts);
    expect(pool.taskNames).toEqual(['eurosat', 'svhn', 'pcam', 'fer2013']);
    expect(pool.taskNames.map((t) => pool.size(t, 'test'))).toEqual([3, 3, 3, 3]);
    expect(pool.size('fer2013', 'train')).toBe(3);
    expect(() => pool.size('pcam', 'train')).toThrow(
      'taskpool.data.pcam: 1aurent/PatchCamelyon (' +
        join(hub, 'datasets--1aurent--PatchCamelyon/snapshots') +
        '/',
    );
    const vision = await loadClipVisionModel(TINY_CLIP);
    const result = await pool.evaluate(vision);
    expect(Object.values(result.tasks).map((m) => m.count)).toEqual([3, 3, 3, 3]);
    vision.dispose();
    pool.dispose();
  });

  it('caches heads in files keyed by model, classes and templates, and reuses them', async () => {
    const opts = options({ tasks: ['eurosat'], data: { eurosat: EUROSAT } });
    const first = await ClipClassificationTaskPool.create(opts);
    const files = readdirSync(opts.headsCache as string);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^eurosat-[0-9a-f]{16}\.safetensors$/);
    const second = await ClipClassificationTaskPool.create(opts);
    const a = first.heads.head('eurosat').weight;
    const b = second.heads.head('eurosat').weight;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    expect(readdirSync(opts.headsCache as string)).toEqual(files);
    // Another model (a copy whose config differs) gets a head file of its own.
    const other = copyFixture(TINY_CLIP);
    const config = JSON.parse(readFileSync(join(TINY_CLIP, 'config.json'), 'utf8'));
    writeFileSync(join(other, 'config.json'), JSON.stringify({ ...config, note: 'another model' }));
    const third = await ClipClassificationTaskPool.create({ ...opts, clipModel: other });
    expect(readdirSync(opts.headsCache as string)).toHaveLength(2);
    for (const pool of [first, second, third]) pool.dispose();
  });

  it('takes the CLIP model from the model pool when clip_model is null', async () => {
    const container = createRunContainer();
    const config = { modelpool: { name: 'clip-vit', models: { _pretrained_: TINY_CLIP } } };
    provide(container, TOKENS.config, config as never);
    const pool = await ClipClassificationTaskPool.create(
      options({ clipModel: null, container, tasks: ['svhn'], data: { svhn: SVHN } }),
    );
    expect(pool.data.imageSize).toBe(32);
    pool.dispose();
    await expect(
      ClipClassificationTaskPool.create(options({ clipModel: null, container: createRunContainer() })),
    ).rejects.toThrow(/^taskpool.clip_model: not set, and the model pool has no models._pretrained_/);
    await expect(
      ClipClassificationTaskPool.create(options({ clipModel: join(TINY_CLIP, '..', 'tiny-clip-vision') })),
    ).rejects.toThrow(
      /config.json has model_type "clip_vision_model"; zero-shot heads need a whole CLIPModel/,
    );
  });

  it('refuses bad input with one line each, before building any head', async () => {
    await expect(run({ tasks: ['eurosat', 'imagenet'] })).rejects.toThrow(
      "taskpool.tasks: unknown task 'imagenet'; available: sun397, stanford-cars",
    );
    await expect(run({ tasks: ['eurosat', 'eurosat'] })).rejects.toThrow(
      "taskpool.tasks: 'eurosat' is listed twice",
    );
    await expect(run({ data: { eurosat: EUROSAT, dtd: EUROSAT } })).rejects.toThrow(
      'taskpool.data.dtd: not one of the tasks (eurosat, svhn)',
    );
    await expect(run({ testSplit: 'validation' })).rejects.toThrow(
      /^taskpool.data.eurosat: tanganke\/eurosat \(.*\) has no 'validation' split \(looked for data\/validation-\*, .*\); splits there: test, train$/,
    );
    await expect(
      run({ data: { eurosat: EUROSAT, svhn: { path: SVHN, config: 'full_numbers' } } }),
    ).rejects.toThrow(
      "full_numbers/test-00000-of-00001.parquet: no column 'label' (the label column); columns there: image, digits",
    );
    const missing = options({ data: {} });
    await expect(ClipClassificationTaskPool.create(missing)).rejects.toThrow(
      `taskpool.data.eurosat: dataset 'tanganke/eurosat' is not in the Hugging Face cache (${join(missing.hubCache as string, 'datasets--tanganke--eurosat')}); fetch it with \`mergebench download tanganke/eurosat --repo-type dataset\``,
    );
    // The card names 9 classes: not the 10 of eurosat's head.
    const nine = copyFixture(EUROSAT);
    const card = join(nine, 'README.md');
    writeFileSync(card, readFileSync(card, 'utf8').replace(/\n {10}'9': SeaLake/, ''));
    await expect(run({ data: { eurosat: nine, svhn: SVHN } })).rejects.toThrow(
      `task 'eurosat': the dataset card ${card} names 9 classes for column 'label', its zero-shot head has 10`,
    );
    const headsCache = join(tempDir(), 'heads');
    await expect(
      run({ headsCache, data: { eurosat: { path: EUROSAT, label_column: 'labels' }, svhn: SVHN } }),
    ).rejects.toThrow(
      "data/test-00000-of-00002.parquet: no column 'labels' (the label column); columns there: image, label",
    );
    expect(() => readdirSync(headsCache)).toThrow();
  });

  it('names the shard and row of a label beyond the classes, and of an image that does not decode', async () => {
    const eurosat = copyFixture(EUROSAT);
    const jpeg = new Uint8Array(readFileSync(join(FIXTURES, 'parity', 'image0.jpg')));
    const shard = join(eurosat, 'data/test-00001-of-00002.parquet');
    writeShard(
      shard,
      [
        { bytes: jpeg, path: 'a.jpg' },
        { bytes: jpeg, path: 'b.jpg' },
      ],
      [3n, 10n],
    );
    await expect(run({ tasks: ['eurosat'], data: { eurosat } })).rejects.toThrow(
      "data/test-00001-of-00002.parquet row 1: label 10 of task 'eurosat' is not one of its 10 classes (0..9)",
    );
    writeShard(
      shard,
      [
        { bytes: jpeg, path: 'a.jpg' },
        { bytes: jpeg.subarray(0, 300), path: 'b.jpg' },
      ],
      [3n, 4n],
    );
    const pool = await ClipClassificationTaskPool.create(options({ tasks: ['eurosat'], data: { eurosat } }));
    const vision = await loadClipVisionModel(TINY_CLIP);
    await expect(pool.evaluate(vision)).rejects.toThrow(
      /^data\/test-00001-of-00002.parquet row 1: cannot decode the image \(/,
    );
    vision.dispose();
    pool.dispose();
  });
});

describe('the clip-classification component', () => {
  it('declares the Hub files a run reads', () => {
    const params = validateParams(
      'taskpool',
      {
        tasks: ['svhn', 'fer2013', 'food101', 'dtd'],
        data: { dtd: './local/dtd' },
        clip_model: 'openai/clip-vit-base-patch16',
        download_train: true,
      },
      clipClassificationTaskPool.info.params,
    );
    expect(clipClassificationTaskPool.info.downloads?.(params)).toEqual([
      {
        repo: { id: 'ufldl-stanford/svhn', type: 'dataset' },
        include: ['README.md', 'cropped_digits/test-*.parquet', 'cropped_digits/train-*.parquet'],
      },
      {
        repo: { id: 'clip-benchmark/wds_fer2013', type: 'dataset' },
        include: ['README.md', 'classnames.txt', 'test/*.tar', 'train/*.tar'],
      },
      {
        repo: { id: 'ethz/food101', type: 'dataset' },
        include: ['README.md', 'data/validation-*.parquet', 'data/train-*.parquet'],
      },
      {
        repo: { id: 'openai/clip-vit-base-patch16', type: 'model' },
        include: ['config.json', '*.json', 'vocab.json', 'merges.txt', 'model.safetensors'],
      },
    ]);
    const defaults = validateParams(
      'taskpool',
      { data: { sun397: 'someone/sun397@v2' } },
      clipClassificationTaskPool.info.params,
    );
    const downloads = clipClassificationTaskPool.info.downloads?.(defaults) ?? [];
    expect(downloads.map((d) => d.repo.id)).toEqual([
      'someone/sun397',
      'tanganke/stanford_cars',
      'tanganke/resisc45',
      'tanganke/eurosat',
      'ufldl-stanford/svhn',
      'tanganke/gtsrb',
      'ylecun/mnist',
      'tanganke/dtd',
    ]);
    expect(downloads[0]).toEqual({
      repo: { id: 'someone/sun397', type: 'dataset', revision: 'v2' },
      include: ['README.md', 'data/test-*.parquet'],
    });
  });

  it('creates the pool from config values relative to the config folder', async () => {
    const params = validateParams(
      'taskpool',
      {
        tasks: ['eurosat'],
        data: { eurosat: 'tanganke-eurosat' },
        clip_model: TINY_CLIP,
        test_limit: 4,
        heads_cache: join(tempDir(), 'h'),
      },
      clipClassificationTaskPool.info.params,
    );
    const pool = (await clipClassificationTaskPool.create({
      params,
      container: createRunContainer(),
      baseDir: join(EUROSAT, '..'),
    })) as ClipClassificationTaskPool;
    expect(pool.size('eurosat', 'test')).toBe(4);
    pool.dispose();
  });
});
