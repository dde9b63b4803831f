import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendInfo, WEBGPU_ADAPTER, WEBGPU_BACKEND_NAME } from './index.js';

describe('the webgpu backend', () => {
  it('registers on an adapter and says what it is', async () => {
    expect(WEBGPU_BACKEND_NAME).toBe('webgpu');
    expect(tf.findBackendFactory('webgpu')).not.toBeNull();
    expect(WEBGPU_ADAPTER.label).not.toBe('');
    expect(backendInfo.device).toBe(WEBGPU_ADAPTER.label);
    // CI's adapter is Mesa's llvmpipe: correct, slower than the CPU backends, so `auto` passes it over.
    expect(backendInfo.autoSkip !== undefined).toBe(WEBGPU_ADAPTER.software);
  });

  it('is chosen when forced, with its device recorded; auto passes over a software adapter saying why', async () => {
    const forced = await selectBackend('webgpu');
    expect(forced).toEqual({ name: 'webgpu', device: WEBGPU_ADAPTER.label });
    expect(tf.getBackend()).toBe('webgpu');
    // `auto` in a fresh process, as a run starts: it loads every backend package it tries.
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { selectBackend } from '@mergebench/core'; console.log(JSON.stringify(await selectBackend('auto')));",
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000 },
    );
    const auto = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
      name: string;
      note?: string;
    };
    if (WEBGPU_ADAPTER.software) {
      expect(auto.name).not.toBe('webgpu');
      expect(auto.note).toContain(`webgpu: only a software adapter, ${WEBGPU_ADAPTER.label}`);
    } else {
      expect(auto).toMatchObject({ name: 'webgpu', device: WEBGPU_ADAPTER.label });
    }
  });

  it('reads values back synchronously and gives the cpu backend’s products and gradients', async () => {
    const a = [...Array(24 * 40)].map((_, i) => Math.sin(i));
    const b = [...Array(40 * 12)].map((_, i) => Math.cos(i));
    const compute = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor2d(a, [24, 40]);
        const w = tf.tensor2d(b, [12, 40]);
        const f = (u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.softmax(tf.matMul(u, v, false, true)).square());
        const [gx, gw] = tf.grads(f)([x, w]);
        return [tf.matMul(x, w, false, true).dataSync(), gx.dataSync(), gw.dataSync()].map((t) =>
          Array.from(t),
        );
      });
    };
    const cpu = await compute('cpu');
    const gpu = await compute('webgpu');
    for (const [i, expected] of cpu.entries()) {
      const worst = Math.max(...expected.map((e, j) => Math.abs(gpu[i][j] - e)));
      expect(worst).toBeLessThanOrEqual(1e-4 * Math.max(1, ...expected.map(Math.abs)));
    }
  });

  it('sums more tensors than one shader may bind (AddN in chunks), leaking none', async () => {
    await tf.setBackend('webgpu');
    // More inputs than the device's storage-buffer limit (16 on llvmpipe, 8 by WebGPU's default).
    const count = 40;
    const before = tf.memory().numTensors;
    // 2,000 values each: past tfjs's hand-off of small CPU-resident inputs to the cpu kernels.
    const sum = tf.tidy(() =>
      tf.addN(Array.from({ length: count }, (_, i) => tf.fill([2000], i))).dataSync(),
    );
    expect(new Set(sum)).toEqual(new Set([(count * (count - 1)) / 2]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not leak tensors through a gradient', async () => {
    await tf.setBackend('webgpu');
    const x = tf.randomNormal([8, 16]);
    const before = tf.memory().numTensors;
    tf.tidy(() =>
      tf
        .grad((v: tf.Tensor) => tf.sum(tf.relu(tf.matMul(v, v, true, false))))(x)
        .dataSync(),
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
