import { join } from 'node:path';
import type { Linear } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CosineHead } from './cosine-head.js';
import { fixture, tempDir } from './fixtures.test.helpers.js';
import { loadHeads, randomHeads, saveHeads, TaskHeadSet } from './heads.js';

const values = (t: tf.Tensor) => [...t.dataSync()];

describe('heads files', () => {
  it('reads heads written from PyTorch Linear layers (<task>.weight [classes, features], <task>.bias)', async () => {
    const heads = await loadHeads(
      fixture('heads.safetensors'),
      new Map([
        ['a', 3],
        ['b', 2],
      ]),
    );
    expect(heads.taskNames).toEqual(['a', 'b']);
    expect(heads.featureDim).toBe(4);
    expect([heads.numClasses('a'), heads.numClasses('b')]).toEqual([3, 2]);
    const logits = heads.head('a').forward(tf.tensor2d([[1, 0, 0, 1]]));
    // Row c of a.weight is (4c .. 4c+3)/10, so w[c,0] + w[c,3] = (8c + 3)/10; plus a.bias (c + 1)/10.
    expect(values(logits).map((v) => Number(v.toFixed(5)))).toEqual([0.4, 1.3, 2.2]);
    expect(
      heads
        .head('b')
        .parameters()
        .every((p) => !p.trainable),
    ).toBe(true);
    logits.dispose();
    heads.dispose();
  });

  it('round-trips through saveHeads and loadHeads, reading only the tasks asked for', async () => {
    const classes = new Map([
      ['x', 3],
      ['y', 5],
    ]);
    const original = randomHeads(classes, 6, 1);
    const path = join(tempDir(), 'heads.safetensors');
    await saveHeads(path, original);
    const loaded = await loadHeads(path, new Map([['y', 5]]));
    expect(loaded.taskNames).toEqual(['y']);
    expect(values(loaded.head('y').weight)).toEqual(values(original.head('y').weight));
    expect(values((loaded.head('y') as Linear).bias!)).toEqual(values((original.head('y') as Linear).bias!));
    original.dispose();
    loaded.dispose();
  });

  it('reads and writes cosine heads (<task>.weight, <task>.logit_scale): logits = exp(scale) · cosine', async () => {
    const head = new CosineHead(2, 2, { logitScale: Math.log(10) });
    head.loadStateDict(
      new Map([
        [
          'weight',
          tf.tensor2d([
            [3, 4],
            [0, -2],
          ]),
        ],
      ]),
      { strict: false },
    );
    const path = join(tempDir(), 'heads.safetensors');
    await saveHeads(path, new TaskHeadSet(new Map([['c', head]])));
    const loaded = await loadHeads(path, new Map([['c', 2]]));
    expect(loaded.head('c')).toBeInstanceOf(CosineHead);
    // Features (6, 8) and (1, 0): cosines with (3, 4)/5 and (0, -1) are (1, -0.8) and (0.6, 0); scaled by 10.
    const logits = loaded.head('c').forward(
      tf.tensor2d([
        [6, 8],
        [1, 0],
      ]),
    );
    expect(values(logits).map((v) => Number(v.toFixed(4)))).toEqual([10, -8, 6, 0]);
    logits.dispose();
    loaded.dispose();
  });

  it('draws random heads from the seed, each task its own', () => {
    const classes = new Map([
      ['x', 2],
      ['y', 2],
    ]);
    const [a, b, c] = [randomHeads(classes, 4, 1), randomHeads(classes, 4, 1), randomHeads(classes, 4, 2)];
    expect(values(a.head('x').weight)).toEqual(values(b.head('x').weight));
    expect(values(a.head('x').weight)).not.toEqual(values(a.head('y').weight));
    expect(values(a.head('x').weight)).not.toEqual(values(c.head('x').weight));
    for (const h of [a, b, c]) h.dispose();
  });

  it('says which file lacks which head, and what it has', async () => {
    await expect(loadHeads(fixture('heads.safetensors'), new Map([['mnist', 10]]))).rejects.toThrow(
      /heads\.safetensors: no head for task 'mnist' \(expected mnist\.weight and mnist\.bias or mnist\.logit_scale\); it has heads for a, b$/,
    );
  });

  it('rejects a head whose class count is not the task’s', async () => {
    await expect(loadHeads(fixture('heads.safetensors'), new Map([['a', 10]]))).rejects.toThrow(
      /head of task 'a' has weight \[3,4\] and a\.bias \[3\]; the task has 10 classes, so expected \[10, features\] and \[10\]$/,
    );
  });

  it('says how a heads file looks when it is missing', async () => {
    await expect(loadHeads(join(tempDir(), 'heads.safetensors'), new Map([['a', 3]]))).rejects.toThrow(
      /heads\.safetensors: heads file not found; expected a safetensors file with <task>\.weight and <task>\.bias for each task$/,
    );
  });

  it('leaks no tensor when loading fails half way', async () => {
    const before = tf.memory().numTensors;
    await expect(
      loadHeads(
        fixture('heads.safetensors'),
        new Map([
          ['a', 3],
          ['c', 2],
        ]),
      ),
    ).rejects.toThrow(/no head for task 'c'/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
