import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger, openSafetensors } from '@mergebench/core';
import {
  ClipVisionModelWithProjection,
  clipVisionConfig,
  saveClipVisionModel,
} from '@mergebench/modelpool-clip-vit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildZoo } from './build-zoo.js';
import { TINY_VISION } from './tiny-vision.test.helpers.js';
import { loadZooSpec, zooKey } from './zoo-spec.js';

const root = mkdtempSync(path.join(tmpdir(), 'mb-checkpoint-zoo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A spec file in `dir` whose encoder is the folder `checkpoint`, relative to it. */
function writeSpec(dir: string, checkpoint: string | undefined, objective = 'checkpoint'): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'zoo.json');
  const spec = {
    vision: TINY_VISION,
    tasks: ['synthetic-colors', 'synthetic-shapes'],
    data: { imageSize: 32, trainSize: 64, testSize: 32, seed: 0 },
    pretrain: { objective, checkpoint, headExamples: 32, steps: 0, batchSize: 0, lr: 0, logitScale: 20 },
    finetune: { steps: 2, batchSize: 8, lr: 1e-3 },
  };
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

async function writeEncoder(dir: string, seed: number): Promise<ClipVisionModelWithProjection> {
  const model = new ClipVisionModelWithProjection(clipVisionConfig(TINY_VISION), { seed });
  await saveClipVisionModel(model, dir, { overwrite: true });
  return model;
}

describe('a zoo on a pretrained checkpoint', () => {
  it('takes the checkpoint path from the spec file and names the folder it expected', async () => {
    const encoder = await writeEncoder(path.join(root, 'weights', 'encoder'), 1);
    encoder.dispose();
    const spec = loadZooSpec(writeSpec(path.join(root, 'specs'), '../weights/encoder'));
    expect(spec.pretrain.checkpoint).toBe(path.join(root, 'weights', 'encoder'));

    const missing = writeSpec(path.join(root, 'specs-missing'), '../nowhere');
    expect(() => loadZooSpec(missing)).toThrow(
      `--spec ${missing}: pretrain.checkpoint ../nowhere: expected a folder with config.json and model.safetensors at ${path.join(root, 'nowhere')}`,
    );
    const stray = writeSpec(path.join(root, 'specs-stray'), '../weights/encoder', 'tasks');
    expect(() => loadZooSpec(stray)).toThrow(
      /pretrain\.checkpoint .* goes with pretrain\.objective "checkpoint"/,
    );
  });

  it('names the zoo by the checkpoint’s content, not its path', async () => {
    const first = path.join(root, 'key', 'a');
    const encoder = await writeEncoder(first, 2);
    encoder.dispose();
    const copy = path.join(root, 'key', 'b');
    cpSync(first, copy, { recursive: true });
    const keyOf = (dir: string) =>
      zooKey(
        loadZooSpec(
          writeSpec(path.join(root, 'key', `spec-${path.basename(dir)}`), `../${path.basename(dir)}`),
        ),
      );
    expect(keyOf(copy)).toBe(keyOf(first));
    const weights = path.join(copy, 'model.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(weights, bytes);
    expect(keyOf(copy)).not.toBe(keyOf(first));
  });

  it('refuses a checkpoint of another shape than the spec’s vision settings', async () => {
    (await writeEncoder(path.join(root, 'shape', 'encoder'), 4)).dispose();
    const spec = loadZooSpec(writeSpec(path.join(root, 'shape', 'spec'), '../encoder'));
    const wider = { ...spec, vision: { ...spec.vision, hidden_size: 32 } };
    await expect(buildZoo(path.join(root, 'shape', 'cache'), wider, memoryLogger())).rejects.toThrow(
      `zoo spec: vision.hidden_size is 32 but pretrain.checkpoint ${spec.pretrain.checkpoint} has 16`,
    );
  });

  it('starts the zoo from the checkpoint’s weights and gives every task a prototype head', async () => {
    (await writeEncoder(path.join(root, 'build', 'encoder'), 3)).dispose();
    const spec = loadZooSpec(writeSpec(path.join(root, 'build', 'spec'), '../encoder'));
    const logger = memoryLogger();
    const zoo = await buildZoo(path.join(root, 'build', 'cache'), spec, logger);
    expect(
      logger.lines.some((line) => line.includes(`the pretrained encoder is ${spec.pretrain.checkpoint}`)),
    ).toBe(true);

    // Loaded and saved again by the same writer: byte for byte the checkpoint.
    const weights = (dir: string) => readFileSync(path.join(dir, 'model.safetensors'));
    expect(weights(zoo.pretrained).equals(weights(spec.pretrain.checkpoint!))).toBe(true);
    const heads = await openSafetensors(zoo.heads);
    for (const task of spec.tasks) expect(heads.keys().some((key) => key.startsWith(`${task}.`))).toBe(true);
    await heads.close();
  }, 60_000);
});
