import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Component } from '../contracts/component.js';
import type { ModelPool } from '../contracts/model-pool.js';
import type { TaskPool } from '../contracts/task-pool.js';
import { ComponentRegistry, registerPlugin } from '../plugins/index.js';
import { cachedSnapshot, hubCacheDir } from './cache.js';
import { downloadRepos } from './download.js';
import { bytes, randomCommit, startTestHub, type TestHub } from './hub-server.test.helpers.js';
import { resolveDownloadTargets } from './targets.js';

const notCreated = () => {
  throw new Error('components are not created when resolving downloads');
};

/** A model pool that reads a base model and one split of a data set from the Hub. */
const hubPool: Component<ModelPool> = {
  info: {
    kind: 'modelpool',
    name: 'hub-test-pool',
    description: 'test pool whose files live on the Hub',
    params: [
      { name: 'model', type: 'string', description: 'repo id of the model' },
      { name: 'dataset', type: 'string', description: 'repo id of the data', default: 'acme/digits' },
      { name: 'split', type: 'string', description: 'split', default: 'test', choices: ['train', 'test'] },
    ],
    downloads: (p) => [
      { repo: { id: String(p.model), type: 'model' }, include: ['*.json', '*.safetensors'] },
      { repo: { id: String(p.dataset), type: 'dataset' }, include: [`data/${p.split}-*`] },
    ],
  },
  create: notCreated,
};

const localPool: Component<TaskPool> = {
  info: { kind: 'taskpool', name: 'local-test-pool', description: 'reads local files only', params: [] },
  create: notCreated,
};

let hub: TestHub;
let cwd: string;
let registry: ComponentRegistry;
beforeAll(async () => {
  hub = await startTestHub([
    {
      type: 'model',
      id: 'acme/tiny-clip',
      commit: randomCommit(),
      files: [
        { path: 'config.json', content: Buffer.from('{}') },
        { path: 'model.safetensors', content: bytes(2000, 1), lfs: true },
        { path: 'merges.txt', content: Buffer.from('a b\n') },
      ],
    },
    {
      type: 'dataset',
      id: 'acme/digits',
      commit: randomCommit(),
      files: [
        { path: 'README.md', content: Buffer.from('# digits') },
        { path: 'data/train-00000.parquet', content: bytes(900, 2), lfs: true },
        { path: 'data/test-00000.parquet', content: bytes(800, 3), lfs: true },
      ],
    },
  ]);
  cwd = mkdtempSync(path.join(tmpdir(), 'mb-targets-'));
  const presets = path.join(cwd, 'plugin-configs');
  mkdirSync(path.join(presets, 'modelpool', 'TinyPool'), { recursive: true });
  mkdirSync(path.join(presets, 'taskpool'), { recursive: true });
  writeFileSync(
    path.join(presets, 'modelpool', 'TinyPool', 'tiny_TA2.yaml'),
    'name: hub-test-pool\nmodel: acme/tiny-clip\nsplit: train\n',
  );
  writeFileSync(
    path.join(presets, 'modelpool', 'bad-split.yaml'),
    'name: hub-test-pool\nmodel: acme/tiny-clip\nsplit: valid\n',
  );
  writeFileSync(path.join(presets, 'taskpool', 'local.yaml'), 'name: local-test-pool\n');
  registry = new ComponentRegistry();
  registerPlugin(registry, {
    name: 'hub-test-plugin',
    register(r) {
      r.modelpool(hubPool);
      r.taskpool(localPool);
      r.presets(presets);
    },
  });
});
afterAll(() => hub.close());

describe('resolveDownloadTargets', () => {
  it("expands a preset through its component's downloads and fetches them", async () => {
    const requests = await resolveDownloadTargets(['TinyPool/tiny_TA2'], { cwd, registry });
    expect(requests).toEqual([
      { repo: { id: 'acme/tiny-clip', type: 'model' }, include: ['*.json', '*.safetensors'] },
      { repo: { id: 'acme/digits', type: 'dataset' }, include: ['data/train-*'] },
    ]);
    const env = { HF_HOME: mkdtempSync(path.join(tmpdir(), 'mb-hf-')), HF_ENDPOINT: hub.endpoint };
    const [model, data] = await downloadRepos(requests, { env });
    expect([...model.files].sort()).toEqual(['config.json', 'model.safetensors']);
    expect(data.files).toEqual(['data/train-00000.parquet']);
    expect(cachedSnapshot({ id: 'acme/digits', type: 'dataset' }, hubCacheDir(env))).toBe(data.snapshot);
  });

  it('applies param=value settings to the named presets that declare the parameter', async () => {
    const requests = await resolveDownloadTargets(['TinyPool/tiny_TA2', 'split=test'], { cwd, registry });
    expect(requests[1]).toEqual({ repo: { id: 'acme/digits', type: 'dataset' }, include: ['data/test-*'] });
    await expect(
      resolveDownloadTargets(['TinyPool/tiny_TA2', 'splt=test'], { cwd, registry }),
    ).rejects.toThrow("download: 'splt': no named preset's component has such a parameter");
    await expect(
      resolveDownloadTargets(['TinyPool/tiny_TA2', 'split=valid'], { cwd, registry }),
    ).rejects.toThrow(/split.*valid/);
  });

  it('narrows a preset with --include and merges a repo named twice', async () => {
    const narrowed = await resolveDownloadTargets(['TinyPool/tiny_TA2'], {
      cwd,
      registry,
      include: ['*.json'],
    });
    expect(narrowed.map((r) => r.only)).toEqual([['*.json'], ['*.json']]);
    const env = { HF_HOME: mkdtempSync(path.join(tmpdir(), 'mb-hf-')), HF_ENDPOINT: hub.endpoint };
    const [model, data] = await downloadRepos(narrowed, { env });
    expect(model.files).toEqual(['config.json']);
    expect(data.files).toEqual([]);

    const twice = await resolveDownloadTargets(['TinyPool/tiny_TA2', 'acme/tiny-clip'], { cwd, registry });
    expect(twice[0]).toEqual({
      repo: { id: 'acme/tiny-clip', type: 'model' },
      include: ['*.json', '*.safetensors', '*.txt'],
    });
    expect(twice).toHaveLength(2);
  });

  it('reads bare repo ids with --repo-type, --revision and owner/name@rev', async () => {
    const requests = await resolveDownloadTargets(['acme/digits', 'acme/other@v2'], {
      cwd,
      registry,
      type: 'dataset',
      revision: 'r1',
      include: ['*.md'],
    });
    expect(requests).toEqual([
      { repo: { id: 'acme/digits', type: 'dataset', revision: 'r1' }, include: ['*.md'] },
      { repo: { id: 'acme/other', type: 'dataset', revision: 'v2' }, include: ['*.md'] },
    ]);
  });

  it('fails in one line on invalid preset values, presets without downloads and unknown names', async () => {
    await expect(resolveDownloadTargets(['bad-split'], { cwd, registry })).rejects.toThrow(
      /^preset \S+bad-split\.yaml: modelpool\.split: .*valid/,
    );
    await expect(resolveDownloadTargets(['local'], { cwd, registry })).rejects.toThrow(
      /^local: the taskpool preset's component declares no Hub downloads; nothing to fetch/,
    );
    await expect(resolveDownloadTargets(['no-such-thing'], { cwd, registry })).rejects.toThrow(
      /^'no-such-thing': neither a preset of an installed plugin \(configs\/<method\|modelpool\|taskpool>\/no-such-thing\.yaml\) nor a Hub repo id owner\/name$/,
    );
  });
});
