import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** The tfjs-core kernel-test runner the backend packages share, and this package's suite for it. */
const RUNNER = fileURLToPath(new URL('../../../tools/tfjs-suite/run.mjs', import.meta.url));
const SUITE = fileURLToPath(new URL('./tfjs-suite/suite.mjs', import.meta.url));

it("passes tfjs-core's own tests of the kernels the methods use on the webgpu backend", () => {
  const run = spawnSync(process.execPath, [RUNNER, SUITE], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const summary = run.stdout.split('\n').find((line) => /\d+ specs?, \d+ failures?/.test(line));
  expect(summary, `${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`).toMatch(
    /^\d{3,} specs, 0 failures/,
  );
  expect(run.status).toBe(0);
}, 600_000);
