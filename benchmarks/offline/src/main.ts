#!/usr/bin/env node
// The offline benchmark, end to end: check the suite file, build (or reuse) the model zoo, run
// every run of the suite on it, compute the loss landscape, then print the leaderboard and write
// it with the HTML report to the suite's results folder.
import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MergebenchError, selectBackend, stderrLogger } from '@mergebench/core';
import { cliFlags, invocationPath, optionalPath } from './cli-flags.js';
import { type LossLandscape, lossLandscape } from './landscape/loss-landscape.js';
import { writeSuiteResults } from './results.js';
import { planSuite, runSuite, suiteRegistry } from './suite.js';
import { checkMethodParams, checkMethodsExist } from './suite-check.js';
import { loadSuite } from './suite-file.js';
import { runSuiteOnQueue } from './suite-queue.js';
import { hasOwnPools, poolsTarget, type SuiteTarget, zooTarget } from './suite-target.js';
import { buildZoo, type ZooBuildTimes } from './zoo/build-zoo.js';
import { defaultZooSpecFile, loadZooSpec } from './zoo/zoo-spec.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: offline [--suite suites/default.yaml] [--out dir] [--root cache-dir] [--spec zoo.json]
                [--backend name] [--landscape taskA,taskB] [--grid 11] [--no-landscape] [--zoo-only] [--verbose]
                [--queue redis://[user:pass@]host:port[/db]]
  --queue: enqueue the runs as jobs for \`mergebench worker\` processes (@mergebench/queue) and wait;
           the leaderboard is written as in process.`;

export async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const flag = cliFlags(argv, USAGE);
  const suiteFile = invocationPath(flag('suite') ?? path.join(packageDir, 'suites', 'default.yaml'));
  const suite = loadSuite(suiteFile);
  const registry = await suiteRegistry(suite, packageDir);
  // Method names and parameters are checked before the zoo is built (minutes to hours), the
  // pools' settings once the zoo's config exists. A suite that names its pools builds nothing.
  await checkMethodsExist(suite, registry, packageDir);
  const root = invocationPath(flag('root') ?? path.join(packageDir, '.cache'));
  const spec = hasOwnPools(suite)
    ? undefined
    : loadZooSpec(optionalPath(flag('spec')) ?? defaultZooSpecFile(packageDir));
  const pools = spec ? undefined : await poolsTarget(suite, root, registry);
  await checkMethodParams(suite, registry, packageDir, spec?.tasks ?? pools?.tasks ?? []);

  const logger = stderrLogger({ verbose: argv.includes('--verbose') });
  const backend = await selectBackend(flag('backend') ?? process.env.MERGEBENCH_BACKEND ?? 'auto', logger);
  logger.info(
    `offline benchmark: suite ${suite.name} (${suite.runs.length} runs), backend ${backend.name}, cache ${root}`,
  );

  // Wall seconds per phase, printed at the end so that the README's timings can be checked anywhere.
  const zooTimes: ZooBuildTimes = { pretrainingSeconds: 0, finetuningSeconds: 0 };
  const phases: [string, number][] = [];
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      phases.push([phase, (performance.now() - start) / 1000]);
    }
  };
  const printPhases = () =>
    console.log(
      `wall time by phase (backend ${backend.name}): ${phases.map(([p, s]) => `${p} ${s.toFixed(1)} s`).join(', ')}`,
    );

  // A suite that names its pools (the CLIP TA8 pools, say) runs on them; the others on the zoo.
  const zoo = spec ? await buildZoo(root, spec, logger, zooTimes) : undefined;
  if (zoo)
    phases.push(
      ['zoo pretraining', zooTimes.pretrainingSeconds],
      ['fine-tuning', zooTimes.finetuningSeconds],
    );
  if (argv.includes('--zoo-only')) {
    printPhases();
    return;
  }
  const target: SuiteTarget = zoo ? zooTarget(zoo) : pools!;

  const plan = await planSuite(target, suite, registry);
  const queueUrl = flag('queue');
  const outcomes = await timed('runs', () =>
    queueUrl
      ? runSuiteOnQueue(target, suite, plan, registry, logger, { url: queueUrl, packageDir })
      : runSuite(target, plan, registry, logger),
  );

  let landscape: LossLandscape | undefined;
  if (zoo && !argv.includes('--no-landscape')) {
    const pair = (flag('landscape') ?? zoo.spec.tasks.slice(0, 2).join(',')).split(',');
    if (pair.length !== 2)
      throw new MergebenchError(`--landscape: expected two tasks as a,b, got '${pair.join(',')}'`);
    const grid = Number(flag('grid') ?? 11);
    try {
      landscape = (await timed('landscape', () => lossLandscape(zoo, [pair[0], pair[1]], grid, logger)))
        .landscape;
    } catch (e) {
      if (e instanceof MergebenchError && e.message.startsWith('--')) throw e;
      // Like a failed run, a failed landscape leaves the rest of the report standing.
      logger.warn(`landscape failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  const out = invocationPath(
    flag('out') ??
      (suite.name === 'default'
        ? path.join(packageDir, 'results')
        : path.join(packageDir, 'results', suite.name)),
  );
  mkdirSync(out, { recursive: true });
  const { text, files } = await writeSuiteResults({
    out,
    suite,
    target,
    backend: backend.name,
    outcomes,
    registry,
    landscape,
    paretoDir: path.join(packageDir, 'results', 'pareto'),
  });
  console.log(text);
  for (const o of outcomes) if (!o.ok) console.log(`${o.label}: failed: ${o.error}`);
  for (const f of files) console.log(`written: ${f}`);
  printPhases();
  if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
}

/** Whether node was started with this file (the tests import it instead). */
function isProgram(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProgram()) {
  try {
    await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(
      e instanceof MergebenchError ? `offline benchmark: error: ${e.message}\n` : `${(e as Error).stack}\n`,
    );
    process.exitCode = 1;
  }
}
