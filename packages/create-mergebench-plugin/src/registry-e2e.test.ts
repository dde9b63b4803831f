import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

// Publishing proven on a real registry (a local Verdaccio), with the guide's own commands; see
// the script for the steps. It needs the npm registry (Verdaccio proxies it) and the repository
// built, as CI has after scripts/setup.sh. About 3-5 minutes, mostly downloads; the limit leaves
// room for a machine busy with the other packages' tests.
const script = path.resolve(import.meta.dirname, '../test/registry-e2e.sh');

it(
  'publishes every public package to a local registry; a scaffolded plugin installs, tests, publishes and runs from it',
  () => {
    const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 13 * 60_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output.slice(-6000)).toBe(0);
    expect(result.stdout).toContain('registry e2e passed');
  },
  14 * 60_000,
);
