#!/usr/bin/env node
// WEMoE with task routing on the offline zoo: writes one-hot routers files into the zoo (every
// task's inputs routed to its own MLP task vector at weight 1), then hands
// suites/routing-ceiling.yaml to the offline benchmark, which runs it and writes its leaderboard
// to results/routing-ceiling/. A reference for the routing WEMoE learns, not a bound: learned
// routing weights are not one-hot, and may scale or mix the task vectors.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MergebenchError, selectBackend, stderrLogger } from '@mergebench/core';
import { cliFlags, invocationPath, optionalPath } from '../cli-flags.js';
import { suiteRegistry } from '../suite.js';
import { loadSuite } from '../suite-file.js';
import { buildZoo } from '../zoo/build-zoo.js';
import { defaultZooSpecFile, loadZooSpec } from '../zoo/zoo-spec.js';
import { writeOneHotRouters } from './one-hot-routers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '../..');
const SUITE_FILE = path.join(packageDir, 'suites', 'routing-ceiling.yaml');
const USAGE =
  'usage: routing-ceiling [--root cache-dir] [--spec zoo.json] [--out dir] [--backend name] [--verbose]';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const flag = cliFlags(argv, USAGE);
  const logger = stderrLogger({ verbose: argv.includes('--verbose') });
  await selectBackend(flag('backend') ?? process.env.MERGEBENCH_BACKEND ?? 'auto', logger);
  const root = invocationPath(flag('root') ?? path.join(packageDir, '.cache'));
  const zoo = await buildZoo(
    root,
    loadZooSpec(optionalPath(flag('spec')) ?? defaultZooSpecFile(packageDir)),
    logger,
  );
  await writeOneHotRouters(zoo, await suiteRegistry(loadSuite(SUITE_FILE), packageDir), logger);

  // The offline benchmark takes it from here, with the flags it shares with this script.
  const child = spawnSync(
    process.execPath,
    [path.join(here, '../main.js'), '--suite', SUITE_FILE, '--root', root, '--no-landscape', ...argv],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(
    e instanceof MergebenchError ? `routing-ceiling: error: ${e.message}\n` : `${(e as Error).stack}\n`,
  );
  process.exitCode = 1;
}
