import { describe, expect, it } from 'vitest';
import { loadImageTasks } from './load-tasks.js';

const OPTIONS = { tasks: ['synthetic-shapes', 'synthetic-colors'], trainSize: 4, testSize: 6, imageSize: 16 };

async function testPixels(options: Parameters<typeof loadImageTasks>[0]) {
  const data = await loadImageTasks(options);
  return (task: string, split: 'train' | 'test' = 'test') => data.task(task).splits[split].pixels;
}

describe('corrupted test images', () => {
  it('corrupts the test split only, the same way for the same seed', async () => {
    const clean = await testPixels(OPTIONS);
    const setting = { name: 'gaussian_noise', severity: 5, seed: 0 } as const;
    const noisy = await testPixels({ ...OPTIONS, corruption: setting });
    const again = await testPixels({ ...OPTIONS, corruption: setting });
    for (const task of OPTIONS.tasks) {
      expect(noisy(task)).not.toEqual(clean(task));
      expect(again(task)).toEqual(noisy(task));
      expect(noisy(task, 'train')).toEqual(clean(task, 'train'));
    }
    const otherSeed = await testPixels({ ...OPTIONS, corruption: { ...setting, seed: 1 } });
    expect(otherSeed('synthetic-shapes')).not.toEqual(noisy('synthetic-shapes'));
    // The noise of σ 0.38 on [0, 1] intensities is 0.76 after normalisation to [−1, 1].
    const a = clean('synthetic-shapes');
    const b = noisy('synthetic-shapes');
    const meanAbs = a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
    expect(meanAbs).toBeGreaterThan(0.2);
    expect(b.every((v) => v >= -1 - 1e-6 && v <= 1 + 1e-6)).toBe(true);
  });

  it('contrast keeps every channel mean and shrinks the deviations', async () => {
    const clean = (await testPixels(OPTIONS))('synthetic-colors');
    const low = (await testPixels({ ...OPTIONS, corruption: { name: 'contrast', severity: 5, seed: 0 } }))(
      'synthetic-colors',
    );
    const per = 16 * 16;
    const mean = (x: Float32Array, from: number) =>
      x.subarray(from, from + per).reduce((s, v) => s + v, 0) / per;
    expect(mean(low, 0)).toBeCloseTo(mean(clean, 0), 4);
    const spread = (x: Float32Array) => Math.max(...x.subarray(0, per)) - Math.min(...x.subarray(0, per));
    expect(spread(low)).toBeCloseTo(0.05 * spread(clean), 4);
  });
});
