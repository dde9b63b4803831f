import { findBackend, selectBackend } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NATIVE_BACKEND_NAME, NATIVE_KERNELS, nativeThreads } from './index.js';

describe('the native backend', () => {
  it('registers under its name with every cpu kernel, native ones replacing theirs', async () => {
    expect(NATIVE_BACKEND_NAME).toBe('native');
    expect(await tf.setBackend('native')).toBe(true);
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
    const native = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    expect(cpu.filter((name) => !native.has(name))).toEqual([]);
    for (const name of [
      'BatchMatMul',
      '_FusedMatMul',
      'Add',
      'Multiply',
      'Transpose',
      'Softmax',
      'Sum',
      'Mean',
      'ScatterNd',
    ]) {
      expect(NATIVE_KERNELS).toContain(name);
      expect(tf.getKernel(name, 'native')?.kernelFunc).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
    }
    expect(NATIVE_KERNELS).not.toContain('Conv2D');
    expect(tf.getKernel('Conv2D', 'native')).toBeDefined();
  });

  it("registers with core's backend registry through its mergebench-backend entry, found by its keyword", async () => {
    // Selection loads the installed backend packages: this one is in the workspace root's node_modules.
    expect(await selectBackend('native')).toEqual({ name: 'native' });
    expect(tf.getBackend()).toBe('native');
    expect(findBackend('native')?.priority).toBe(2.5);
  });

  it('recycles output buffers without ever changing values still visible', async () => {
    await tf.setBackend('native');
    const x = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
    const doubled = tf.mul(x, 2);
    const read = doubled.dataSync();
    const view = tf.slice(doubled, [2], [4]); // the cpu kernel's slice views its input's buffer
    doubled.dispose();
    const reshaped = tf.reshape(tf.add(x, 1), [2, 4]);
    for (let i = 0; i < 20; i++) tf.tidy(() => tf.mul(tf.add(x, i), 3)); // reuses freed buffers
    expect(Array.from(read)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(Array.from(view.dataSync())).toEqual([6, 8, 10, 12]);
    expect(Array.from(reshaped.dataSync())).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const again = tf.tidy(() => tf.mul(tf.add(x, 1), 3));
    expect(Array.from(again.dataSync())).toEqual([6, 9, 12, 15, 18, 21, 24, 27]);
    tf.dispose([x, view, reshaped, again]);
  });

  it('returns the memory of outputs disposed within one synchronous pass, past the pool', async () => {
    await tf.setBackend('native');
    const x = tf.ones([1]);
    const start = process.memoryUsage().rss;
    let peak = start;
    // 256 outputs of 16 MB, each of a new length so that the pool cannot recycle them: 4 GB in all,
    // all disposed before the event loop could run a garbage collector's finalizers.
    for (let i = 0; i < 256; i++) {
      tf.tidy(() => {
        tf.add(tf.fill([(4 << 20) + i], 1), x);
      });
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    // The pool keeps 1 GB of freed outputs and what goes past it is freed at once: about 1.5 GB
    // of growth with the garbage of the cpu kernel's fills, against all 4 GB without the release.
    expect((peak - start) / 2 ** 30).toBeLessThan(2.5);
    x.dispose();
  });

  it('uses every core', () => {
    const threads = nativeThreads();
    expect(threads.pool).toBeGreaterThanOrEqual(1);
    expect(threads.blas).toBeGreaterThanOrEqual(1);
  });

  it('does not leak tensors through its kernels', async () => {
    await tf.setBackend('native');
    const a = tf.randomNormal([8, 16]);
    const b = tf.randomNormal([16, 4]);
    const before = tf.memory().numTensors;
    const before_bytes = tf.memory().numBytes;
    tf.tidy(() => {
      tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.softmax(tf.fused.matMul({ a: x, b: y, bias: tf.ones([4]), activation: 'relu' }))),
      )([a, b]);
      tf.mean(tf.transpose(a), 0);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(before_bytes);
    tf.dispose([a, b]);
  });
});
