#!/usr/bin/env node
// WEMoE's ceiling on the offline zoo: writes one-hot routers files into the zoo (every task's
// inputs routed to its own MLP task vector), then runs suites/routing-ceiling.yaml and writes its
// leaderboard to results/routing-ceiling/. No router can beat the right expert for every input.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MergebenchError, selectBackend, stderrLogger } from '@mergebench/core';
import { cliFlags } from '../cli-flags.js';
import { writeSuiteResults } from '../results.js';
import { planSuite, runSuite, suiteRegistry } from '../suite.js';
import { checkMethodsExist } from '../suite-check.js';
import { loadSuite } from '../suite-file.js';
import { buildZoo } from '../zoo/build-zoo.js';
import { DEFAULT_ZOO_SPEC } from '../zoo/zoo-spec.js';
import { writeOneHotRouters } from './one-hot-routers.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE = 'usage: routing-ceiling [--root cache-dir] [--out dir] [--backend name] [--verbose]';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const flag = cliFlags(argv, USAGE);
  const logger = stderrLogger({ verbose: argv.includes('--verbose') });
  const backend = await selectBackend(flag('backend') ?? process.env.MERGEBENCH_BACKEND ?? 'auto', logger);
  const suite = loadSuite(path.join(packageDir, 'suites', 'routing-ceiling.yaml'));
  const registry = await suiteRegistry(suite, packageDir);
  await checkMethodsExist(suite, registry, packageDir);

  const zoo = await buildZoo(
    path.resolve(flag('root') ?? path.join(packageDir, '.cache')),
    DEFAULT_ZOO_SPEC,
    logger,
  );
  await writeOneHotRouters(zoo, registry, logger);
  const outcomes = await runSuite(zoo, await planSuite(zoo, suite, registry), registry, logger);

  const out = path.resolve(flag('out') ?? path.join(packageDir, 'results', suite.name));
  mkdirSync(out, { recursive: true });
  const { text, files } = await writeSuiteResults({
    out,
    suite,
    zoo,
    backend: backend.name,
    outcomes,
    registry,
  });
  console.log(text);
  for (const f of files) console.log(`written: ${f}`);
  if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(
    e instanceof MergebenchError ? `routing-ceiling: error: ${e.message}\n` : `${(e as Error).stack}\n`,
  );
  process.exitCode = 1;
}
