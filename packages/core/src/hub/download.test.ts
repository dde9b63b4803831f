import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { cachedSnapshot, hubCacheDir, resolveLocation } from './cache.js';
import { downloadRepos } from './download.js';
import {
  bytes,
  gitOid,
  type HubFile,
  randomCommit,
  sha256,
  startTestHub,
  type TestHub,
} from './hub-server.test.helpers.js';

const MODEL_COMMIT = randomCommit();
const modelFiles: HubFile[] = [
  { path: 'config.json', content: Buffer.from('{"hidden_size": 8}\n') },
  { path: 'model.safetensors', content: bytes(300_000, 1), lfs: true },
  { path: 'pytorch_model.bin', content: bytes(1000, 2), lfs: true },
  { path: 'flax_model.msgpack', content: bytes(1000, 3), lfs: true },
  { path: 'onnx/model.onnx', content: bytes(1000, 4), lfs: true },
  { path: 'tokenizer/vocab.txt', content: bytes(200_000, 5) },
  { path: 'README.md', content: Buffer.from('# tiny\n') },
];
const datasetFiles: HubFile[] = [
  { path: 'README.md', content: Buffer.from('# digits\n') },
  { path: 'data/train-00000-of-00001.parquet', content: bytes(5000, 6), lfs: true },
  { path: 'data/test-00000-of-00001.parquet', content: bytes(4000, 7), lfs: true },
  { path: 'raw/images.zip', content: bytes(3000, 8), lfs: true },
];
const PRIVATE_TOKEN = 'hf_secret_test_token';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub([
    { type: 'model', id: 'acme/tiny-clip', commit: MODEL_COMMIT, files: modelFiles },
    { type: 'dataset', id: 'acme/digits', commit: randomCommit(), files: datasetFiles },
    {
      type: 'model',
      id: 'acme/private',
      commit: randomCommit(),
      files: [{ path: 'config.json', content: Buffer.from('{}') }],
      token: PRIVATE_TOKEN,
    },
  ]);
});
afterAll(() => hub.close());

/** A fresh HF_HOME pointing at the test hub, with no token anywhere. */
function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HF_HOME: mkdtempSync(path.join(tmpdir(), 'mb-hf-')), HF_ENDPOINT: hub.endpoint, ...extra };
}

const model = { repo: { id: 'acme/tiny-clip', type: 'model' as const } };
const content = (p: string) => modelFiles.find((f) => f.path === p)!.content;

/** Requests for file bodies (resolve URLs and LFS blobs), not the info and tree APIs. */
const fileRequests = (from: number) =>
  hub.requests.slice(from).filter((r) => r.url.includes('/resolve/') || r.url.startsWith('/lfs-blobs/'));

describe('downloadRepos', () => {
  it("fetches a model's safetensors, json and txt files into huggingface_hub's cache layout", async () => {
    const env = freshEnv();
    const [done] = await downloadRepos([model], { env });
    const folder = path.join(env.HF_HOME!, 'hub', 'models--acme--tiny-clip');
    expect(hubCacheDir(env)).toBe(path.join(env.HF_HOME!, 'hub'));
    expect(readFileSync(path.join(folder, 'refs', 'main'), 'utf8')).toBe(MODEL_COMMIT);
    const snapshot = path.join(folder, 'snapshots', MODEL_COMMIT);
    expect(done.snapshot).toBe(snapshot);
    expect([...done.files].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer/vocab.txt']);
    expect(done.fetched).toBe(3);
    expect(done.bytesFetched).toBe(done.files.reduce((sum, f) => sum + content(f).length, 0));
    // Pointers are relative symlinks to blobs named by sha256 (LFS) or git blob id, as in Python.
    expect(readlinkSync(path.join(snapshot, 'config.json'))).toBe(
      `../../blobs/${gitOid(content('config.json'))}`,
    );
    expect(readlinkSync(path.join(snapshot, 'model.safetensors'))).toBe(
      `../../blobs/${sha256(content('model.safetensors'))}`,
    );
    expect(readlinkSync(path.join(snapshot, 'tokenizer', 'vocab.txt'))).toBe(
      `../../../blobs/${gitOid(content('tokenizer/vocab.txt'))}`,
    );
    for (const f of done.files) expect(readFileSync(path.join(snapshot, f)).equals(content(f))).toBe(true);
    expect(readdirSync(path.join(folder, 'blobs')).sort()).toEqual(
      [
        gitOid(content('config.json')),
        sha256(content('model.safetensors')),
        gitOid(content('tokenizer/vocab.txt')),
      ].sort(),
    );
    expect(existsSync(path.join(snapshot, 'pytorch_model.bin'))).toBe(false);

    // Found by the resolvers runs use, by id and by id@commit.
    const cache = hubCacheDir(env);
    expect(cachedSnapshot(model.repo, cache)).toBe(snapshot);
    expect(resolveLocation('acme/tiny-clip', 'model', tmpdir(), 'modelpool.models', cache)).toBe(snapshot);
    expect(resolveLocation(`acme/tiny-clip@${MODEL_COMMIT}`, 'model', tmpdir(), 'x', cache)).toBe(snapshot);

    // A second run asks for the info and the tree only: complete files are not fetched again.
    const before = hub.requests.length;
    const [again] = await downloadRepos([model], { env });
    expect(again.fetched).toBe(0);
    expect(fileRequests(before)).toEqual([]);
  });

  it('fetches a data set: README.md and parquet by default, narrowed by include globs', async () => {
    const env = freshEnv();
    const dataset = { repo: { id: 'acme/digits', type: 'dataset' as const } };
    const [all] = await downloadRepos([dataset], { env });
    expect([...all.files].sort()).toEqual([
      'README.md',
      'data/test-00000-of-00001.parquet',
      'data/train-00000-of-00001.parquet',
    ]);
    expect(all.snapshot).toContain(path.join('hub', 'datasets--acme--digits', 'snapshots'));

    const other = freshEnv();
    const [test] = await downloadRepos([{ ...dataset, include: ['data/test-*'] }], { env: other });
    expect(test.files).toEqual(['data/test-00000-of-00001.parquet']);
    expect(readdirSync(path.join(test.snapshot, 'data'))).toEqual(['test-00000-of-00001.parquet']);

    await expect(downloadRepos([{ ...dataset, include: ['*.csv'] }], { env: other })).rejects.toThrow(
      /^dataset 'acme\/digits': no file matches \*\.csv at commit [0-9a-f]{40}; the repo has README\.md/,
    );
  });

  it('resumes an interrupted download with a Range request, and shows no half-written file', async () => {
    const env = freshEnv();
    const file = content('model.safetensors');
    const folder = path.join(env.HF_HOME!, 'hub', 'models--acme--tiny-clip');
    const partial = path.join(folder, 'blobs', `${sha256(file)}.incomplete`);
    hub.dropOnce.add('acme/tiny-clip/model.safetensors');
    const first = downloadRepos([model], { env, attempts: 1 });
    await expect(first).rejects.toThrow(MergebenchError);
    await expect(first).rejects.toThrow(
      /^model\.safetensors of model 'acme\/tiny-clip' at [0-9a-f]{40}: the download from http:\/\/127\.0\.0\.1:\d+ was interrupted \(other side closed\) at 150000 of 300000 bytes; run the command again to resume$/,
    );
    // Every byte that arrived before the drop is kept.
    expect(statSync(partial).size).toBe(150_000);
    expect(existsSync(path.join(folder, 'snapshots', MODEL_COMMIT, 'model.safetensors'))).toBe(false);
    expect(existsSync(path.join(folder, 'refs', 'main'))).toBe(false);
    expect(cachedSnapshot(model.repo, hubCacheDir(env))).toBeUndefined();

    const before = hub.requests.length;
    const [done] = await downloadRepos([model], { env, attempts: 1 });
    const ranges = fileRequests(before).map((r) => r.range);
    expect(ranges).toContain(`bytes=150000-${file.length - 1}`);
    expect(readFileSync(path.join(done.snapshot, 'model.safetensors')).equals(file)).toBe(true);
    expect(existsSync(partial)).toBe(false);
    // The other files were complete after the first run: only the missing half travels.
    expect(done.fetched).toBe(1);
    expect(done.bytesFetched).toBe(150_000);
  });

  it('retries a dropped connection within one run, resuming from the bytes on disk', async () => {
    const env = freshEnv();
    const vocab = content('tokenizer/vocab.txt');
    hub.dropOnce.add('acme/tiny-clip/tokenizer/vocab.txt');
    const before = hub.requests.length;
    const [done] = await downloadRepos([model], { env });
    expect(fileRequests(before).map((r) => r.range)).toContain(`bytes=100000-${vocab.length - 1}`);
    expect(readFileSync(path.join(done.snapshot, 'tokenizer', 'vocab.txt')).equals(vocab)).toBe(true);
  });

  it('asks for a token on 401 and sends HF_TOKEN or the token file', async () => {
    const repo = { repo: { id: 'acme/private', type: 'model' as const } };
    await expect(downloadRepos([repo], { env: freshEnv() })).rejects.toThrow(
      /^model 'acme\/private': http:\/\/127\.0\.0\.1:\d+ refused access \(HTTP 401\); the repo is private or gated \(or does not exist\) and needs a token: set HF_TOKEN$/,
    );
    await expect(downloadRepos([repo], { env: freshEnv({ HF_TOKEN: 'hf_wrong' }) })).rejects.toThrow(
      /^model 'acme\/private': .* refused the token from HF_TOKEN \(HTTP 401\)/,
    );
    const before = hub.requests.length;
    const [done] = await downloadRepos([repo], { env: freshEnv({ HF_TOKEN: PRIVATE_TOKEN }) });
    expect(readFileSync(path.join(done.snapshot, 'config.json'), 'utf8')).toBe('{}');
    expect(hub.requests.slice(before).every((r) => r.authorization === `Bearer ${PRIVATE_TOKEN}`)).toBe(true);

    const withFile = freshEnv();
    writeFileSync(path.join(withFile.HF_HOME!, 'token'), `${PRIVATE_TOKEN}\n`);
    await expect(downloadRepos([repo], { env: withFile })).resolves.toHaveLength(1);
    await expect(downloadRepos([repo], { env: freshEnv({ HF_TOKEN: 'not-a-token' }) })).rejects.toThrow(
      /^HF_TOKEN: expected a Hugging Face access token starting with hf_$/,
    );
  });

  it('names the repo and revision on 404 and the endpoint when it cannot connect', async () => {
    await expect(
      downloadRepos([{ repo: { id: 'acme/nothing', type: 'model' } }], { env: freshEnv() }),
    ).rejects.toThrow(/^model 'acme\/nothing': not found on http:\/\/127\.0\.0\.1:\d+; check the repo id/);
    await expect(
      downloadRepos([{ repo: { id: 'acme/tiny-clip', type: 'model', revision: 'v9' } }], { env: freshEnv() }),
    ).rejects.toThrow(/^model 'acme\/tiny-clip' at v9: not found on .*--revision \(v9\)$/);
    await expect(
      downloadRepos([{ repo: { id: 'acme/digits', type: 'model' } }], { env: freshEnv() }),
    ).rejects.toThrow(/^model 'acme\/digits': not found .*--repo-type \(model or dataset\)/);

    const closed = await startTestHub([]);
    await closed.close();
    await expect(downloadRepos([model], { env: freshEnv({ HF_ENDPOINT: closed.endpoint }) })).rejects.toThrow(
      new RegExp(`^model 'acme/tiny-clip': cannot reach the Hub at ${closed.endpoint} \\(ECONNREFUSED\\)`),
    );
  });

  it('with HF_HUB_OFFLINE requests nothing: cached repos resolve, missing ones are named', async () => {
    const env = freshEnv();
    const [online] = await downloadRepos([model], { env });
    const offline = { ...env, HF_HUB_OFFLINE: '1' };
    const before = hub.requests.length;
    const [cached] = await downloadRepos([model], { env: offline });
    expect(cached.snapshot).toBe(online.snapshot);
    expect(cached.commit).toBe(MODEL_COMMIT);
    expect([...cached.files].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer/vocab.txt']);
    const both = [model, { repo: { id: 'acme/digits', type: 'dataset' as const } }];
    await expect(downloadRepos(both, { env: offline })).rejects.toThrow(
      /^HF_HUB_OFFLINE is set and the Hugging Face cache \S+ lacks dataset 'acme\/digits' \(mergebench download acme\/digits --repo-type dataset\); unset HF_HUB_OFFLINE to download$/,
    );
    expect(hub.requests.length).toBe(before);
  });
});
