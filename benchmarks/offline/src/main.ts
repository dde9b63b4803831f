#!/usr/bin/env node
// The offline 8-task benchmark, end to end: build (or reuse) the model zoo, run every method on
// it, print the leaderboard and write it to results/leaderboard.md.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinPlugin,
  ComponentRegistry,
  type DataNeeds,
  ensureComponent,
  MergebenchError,
  registerPlugin,
  selectBackend,
  stderrLogger,
  writeFileAtomic,
} from '@mergebench/core';
import { formatLeaderboard, leaderboardRows, publishedTable } from './leaderboard.js';
import { runSuite, type SuiteEntry } from './suite.js';
import { buildZoo } from './zoo/build-zoo.js';
import { DEFAULT_ZOO_SPEC, type ZooSpec } from './zoo/zoo-spec.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The leaderboard's rows: baselines first, then the merge methods with the reference defaults. */
export const OFFLINE_SUITE: readonly SuiteEntry[] = [
  { label: 'pretrained', overrides: ['method=dummy'] },
  {
    label: 'individual',
    overrides: ['method=dummy'],
    perTask: (task) => [`method.model=${task}`, `taskpool.tasks=[${task}]`],
  },
  { label: 'simple-average', overrides: ['method=simple-average'] },
  // With no weights given every model weighs the same: the row shows the method runs and equals simple averaging.
  { label: 'weighted-average', overrides: ['method=weighted-average'] },
  { label: 'task-arithmetic', overrides: ['method=task-arithmetic'] },
  { label: 'ties', overrides: ['method=ties'] },
  { label: 'fisher', overrides: ['method=fisher'] },
  { label: 'regmean', overrides: ['method=regmean'] },
  { label: 'adamerging-layer-wise', overrides: ['method=adamerging-layer-wise', 'method.progress=false'] },
  // Eight coefficients converge long before the reference's 1000 steps; 300 keeps the suite short.
  {
    label: 'adamerging-task-wise',
    overrides: ['method=adamerging-task-wise', 'method.max_steps=300', 'method.progress=false'],
  },
];

/** The default spec, or one with some fields replaced from a JSON file (`--spec`), to try other zoo sizes. */
function zooSpec(file: string | undefined): ZooSpec {
  if (!file) return DEFAULT_ZOO_SPEC;
  let changes: Partial<ZooSpec>;
  try {
    changes = JSON.parse(readFileSync(file, 'utf8')) as Partial<ZooSpec>;
  } catch (e) {
    throw new MergebenchError(
      `--spec ${file}: expected a JSON object of zoo settings (${(e as Error).message})`,
    );
  }
  return { ...DEFAULT_ZOO_SPEC, ...changes };
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = path.resolve(flag('root') ?? path.join(packageDir, '.cache'));
  const logger = stderrLogger({ verbose: argv.includes('--verbose') });
  const backend = await selectBackend(flag('backend') ?? process.env.MERGEBENCH_BACKEND ?? 'auto', logger);
  logger.info(`offline benchmark: backend ${backend.name}, cache ${root}`);

  const zoo = await buildZoo(root, zooSpec(flag('spec')), logger);
  if (argv.includes('--zoo-only')) return;

  const outcomes = await runSuite(zoo, OFFLINE_SUITE, logger);
  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  const needs = new Map<string, DataNeeds | undefined>();
  for (const o of outcomes) {
    if (!o.ok) continue;
    const name = o.reports[0].method.name;
    needs.set(name, (await ensureComponent(registry, 'method', name, packageDir)).component.info.needs);
  }
  const rows = leaderboardRows(outcomes, zoo.spec.tasks, (m) => needs.get(m));
  const { text, markdown } = formatLeaderboard(rows, zoo.spec.tasks);
  console.log(text);
  for (const o of outcomes) if (!o.ok) console.log(`${o.label}: failed: ${o.error}`);

  const results = path.join(packageDir, 'results');
  mkdirSync(results, { recursive: true });
  await writeFileAtomic(
    path.join(results, 'leaderboard.md'),
    [
      '# Offline 8-task leaderboard',
      '',
      `Measured on this project's offline zoo (zoo-${path.basename(zoo.dir).replace('zoo-', '')}, backend ${backend.name});`,
      'accuracy in % on each task\'s test split; "method s" is the time spent merging or adapting.',
      '',
      markdown,
      '',
      '## Published numbers, for orientation (not measured here)',
      '',
      publishedTable(),
      '',
    ].join('\n'),
  );
  console.log(`leaderboard: ${path.join(results, 'leaderboard.md')}`);
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(
    e instanceof MergebenchError ? `offline benchmark: error: ${e.message}\n` : `${(e as Error).stack}\n`,
  );
  process.exitCode = 1;
}
