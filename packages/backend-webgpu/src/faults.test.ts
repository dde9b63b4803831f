// Faults on the GPU end a run with one line (MergebenchError), never with wrong numbers. Each case
// runs in a child process: a fault leaves its device unusable for the rest of the process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../core/dist/cli/main.js', import.meta.url));

function errorLines(stderr: string): string[] {
  // Dawn and Mesa write their own diagnostics to stderr natively; mergebench's lines are its own.
  return stderr.split('\n').filter((line) => /^(mergebench: error:|MergebenchError)/.test(line));
}

describe('GPU faults', () => {
  it('out of memory names the batch size and micro_batch_size as the remedy', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import '@mergebench/backend-webgpu';
      await tf.setBackend('webgpu');
      // 160 MB in one tensor: past the binding limit of the software adapter (128 MiB), and of
      // the default WebGPU limit, so the same error on any GPU that keeps the defaults.
      const big = tf.ones([40_000_000]);
      try { tf.add(big, 1).dataSync(); console.log('no error'); }
      catch (e) { console.log(e.name + ': ' + e.message); }
      try { tf.add(tf.ones([4]), 1).dataSync(); console.log('no error'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PACKAGE,
      encoding: 'utf8',
      timeout: 120_000,
    });
    // Dawn prints its own validation report to stdout natively; the script's lines are the rest.
    const lines = run.stdout.split('\n').filter((line) => /^(MergebenchError|Error|no error)/.test(line));
    expect(lines, run.stdout + run.stderr.slice(-2000)).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^MergebenchError: webgpu: out of GPU memory: a tensor of 160\.0 MB is larger than this GPU allows in one binding \(134\.2 MB\); lower the batch size \(batch_size\) or set micro_batch_size/,
    );
    // Every later kernel throws the same: nothing runs on after the fault.
    expect(lines[1]).toBe(lines[0]);
  });

  it('a read pending when the device is lost fails with the device-lost line, not a bare AbortError', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import '@mergebench/backend-webgpu';
      await tf.setBackend('webgpu');
      const pending = tf.add(tf.ones([1024, 1024]), 1).data();
      tf.engine().backendInstance.device.destroy();
      try { await pending; console.log('no error'); }
      catch (e) { console.log('read: ' + e.name + ': ' + e.message); }`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PACKAGE,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const lines = run.stdout.split('\n').filter((line) => line.startsWith('read: '));
    expect(lines, run.stdout + run.stderr.slice(-2000)).toEqual([
      expect.stringMatching(
        /^read: MergebenchError: webgpu: the GPU device was lost \(.*\); the run stopped, its last saved training state is kept$/,
      ),
    ]);
  });

  it('a device lost mid-run stops the run with one line and keeps the last saved training state', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'webgpu-lost-'));
    try {
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          fileURLToPath(new URL('./test-support/lose-device.mjs', import.meta.url)),
          CLI,
          'run',
          'method=adamerging-task-wise',
          'modelpool=toy',
          'taskpool=toy',
          'backend=webgpu',
          'run_name=lost',
          'method.max_steps=50',
          'method.save_state_every=1',
        ],
        { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } },
      );
      expect(run.status, run.stdout + run.stderr).toBe(1);
      expect(errorLines(run.stderr)).toEqual([
        expect.stringMatching(
          /^mergebench: error: webgpu: the GPU device was lost \(.*\); the run stopped, its last saved training state is kept$/,
        ),
      ]);
      const saved = join(cwd, 'runs', 'lost', 'training-state', 'adamerging-task-wise');
      expect(existsSync(saved)).toBe(true);
      const kept = readdirSync(saved).filter((name) => name.startsWith('step-'));
      // The state saved before the loss, not a later one saved from a lost device.
      expect(kept.length).toBe(1);
      expect(Number(kept[0].slice(5))).toBeGreaterThanOrEqual(2);
      expect(Number(kept[0].slice(5))).toBeLessThan(50);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
