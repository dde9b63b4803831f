import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ComponentRegistry,
  MergebenchError,
  registerPlugin,
  resolvePresets,
  validateParams,
} from '@mergebench/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_CLIP_VISION, tempDir } from '../fixtures.test.helpers.js';
import plugin from '../index.js';
import { clipVitModelPool } from './clip-vit-component.js';
import { ClipVitModelPool } from './clip-vit-model-pool.js';
import { CLIP_MODEL_FILES } from './hub-downloads.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

let temp: Awaited<ReturnType<typeof tempDir>>;
let cache: string;
const savedCache = process.env.HF_HUB_CACHE;

/** A repository in the Hugging Face cache layout: refs/main → snapshots/<commit>/, the tiny model inside. */
function cacheModel(id: string): void {
  const folder = join(cache, `models--${id.replace('/', '--')}`);
  mkdirSync(join(folder, 'refs'), { recursive: true });
  writeFileSync(join(folder, 'refs', 'main'), COMMIT);
  cpSync(TINY_CLIP_VISION, join(folder, 'snapshots', COMMIT), { recursive: true });
}

beforeAll(async () => {
  temp = await tempDir();
  cache = join(temp.dir, 'hub');
  process.env.HF_HUB_CACHE = cache;
  cacheModel('openai/clip-vit-base-patch32');
  cacheModel('tanganke/clip-vit-base-patch32_sun397');
});

afterAll(async () => {
  if (savedCache === undefined) delete process.env.HF_HUB_CACHE;
  else process.env.HF_HUB_CACHE = savedCache;
  await temp.remove();
});

describe('clip-vit pool with Hub ids', () => {
  it('reads models from the Hugging Face cache', async () => {
    const pool = await ClipVitModelPool.open({
      models: {
        _pretrained_: 'openai/clip-vit-base-patch32',
        sun397: 'tanganke/clip-vit-base-patch32_sun397',
      },
      baseDir: temp.dir,
    });
    expect(pool.modelNames).toEqual(['sun397']);
    const model = await pool.loadModel('sun397');
    expect(model.countParameters()).toBeGreaterThan(0);
    model.dispose();
  });

  it('takes a folder on disk first, and paths keep working', async () => {
    cpSync(TINY_CLIP_VISION, join(temp.dir, 'tanganke', 'clip-vit-base-patch32_dtd'), { recursive: true });
    const pool = await ClipVitModelPool.open({
      models: { _pretrained_: TINY_CLIP_VISION, dtd: 'tanganke/clip-vit-base-patch32_dtd' },
      baseDir: temp.dir,
    });
    expect(pool.modelNames).toEqual(['dtd']);
  });

  it('names the download command for a model missing from the cache', async () => {
    await expect(
      ClipVitModelPool.open({
        models: {
          _pretrained_: 'openai/clip-vit-base-patch32',
          mnist: 'tanganke/clip-vit-base-patch32_mnist',
        },
        baseDir: temp.dir,
      }),
    ).rejects.toThrow(
      /^clip-vit model pool: models\.mnist: model 'tanganke\/clip-vit-base-patch32_mnist' is not in the Hugging Face cache .*`mergebench download tanganke\/clip-vit-base-patch32_mnist`$/,
    );
  });
});

describe("clip-vit pool's downloads and FusionBench's presets", () => {
  const registry = new ComponentRegistry();
  registerPlugin(registry, plugin);
  const preset = (name: string) =>
    resolvePresets({ modelpool: name }, (kind, n) => registry.findPreset(kind, n), [PACKAGE_ROOT])
      .modelpool as {
      name: string;
      models: Record<string, string>;
    };

  it('ships TA8, TALL14, TALL20 and individual presets for B/32, B/16 and L/14 with FusionBench task names', () => {
    for (const arch of ['base-patch32', 'base-patch16', 'large-patch14']) {
      const counts = { TA8: 8, TALL14: 14, TALL20: 20, individual: 0 };
      for (const [suite, tasks] of Object.entries(counts)) {
        const { name, models } = preset(`CLIPVisionModelPool/clip-vit-${arch}_${suite}`);
        expect(name).toBe('clip-vit');
        expect(models._pretrained_).toBe(`openai/clip-vit-${arch}`);
        expect(Object.keys(models)).toHaveLength(tasks + 1);
        for (const [task, id] of Object.entries(models)) {
          if (task !== '_pretrained_') expect(id).toBe(`tanganke/clip-vit-${arch}_${task}`);
        }
      }
    }
    expect(Object.keys(preset('CLIPVisionModelPool/clip-vit-base-patch32_TALL20').models)).toContain(
      'rendered-sst2',
    );
  });

  it('declares the Hub files of every Hub-id model, leaving paths out', () => {
    const { name, ...values } = preset('CLIPVisionModelPool/clip-vit-base-patch32_TA8');
    const params = validateParams(
      'modelpool',
      { ...values, models: { ...values.models, extra: './local' } },
      clipVitModelPool.info.params,
    );
    const downloads = clipVitModelPool.info.downloads!(params);
    expect(downloads.map((d) => d.repo.id)).toEqual(Object.values(values.models));
    for (const download of downloads) {
      expect(download.repo.type).toBe('model');
      expect(download.include).toEqual(CLIP_MODEL_FILES);
    }
    expect(CLIP_MODEL_FILES).toEqual([
      '*.json',
      '*.txt',
      'model.safetensors',
      'model.safetensors.index.json',
      'model-*.safetensors',
    ]);
    const pinned = clipVitModelPool.info.downloads!({ models: { a: 'owner/name@v1' }, config: null });
    expect(pinned).toEqual([
      { repo: { id: 'owner/name', type: 'model', revision: 'v1' }, include: CLIP_MODEL_FILES },
    ]);
  });

  it("accepts FusionBench's harmless pool keys and refuses its data sets", () => {
    const models = { _pretrained_: 'openai/clip-vit-base-patch32' };
    const params = validateParams(
      'modelpool',
      { models, processor: 'openai/clip-vit-base-patch32', platform: 'hf' },
      clipVitModelPool.info.params,
    );
    expect(params).toEqual({ models, config: null });
    expect(() =>
      validateParams('modelpool', { models, train_datasets: { sun397: {} } }, clipVitModelPool.info.params),
    ).toThrow(
      new MergebenchError(
        'modelpool.train_datasets.sun397: not supported here; data sets belong to the task pool (taskpool=CLIPVisionModelTaskPool/clip-vit-classification_TA8 and friends)',
      ),
    );
    expect(() =>
      validateParams('modelpool', { models, platform: 'timm' }, clipVitModelPool.info.params),
    ).toThrow(/^modelpool\.platform: not supported here; models are Hugging Face folders or Hub ids$/);
  });
});
