#!/usr/bin/env node
// The Pareto-front experiment: on the offline zoo, for task pairs and for all tasks, PWEMoE (LS and
// EPO) against task arithmetic swept over the same preference grid; writes
// results/pareto/<name>.json and prints the hypervolumes side by side.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinPlugin,
  ComponentRegistry,
  formatTable,
  MergebenchError,
  registerPlugin,
  selectBackend,
  stderrLogger,
  writeFileAtomic,
} from '@mergebench/core';
import pwemoe from '@mergebench/method-pwemoe';
import clipVit from '@mergebench/modelpool-clip-vit';
import imageClassification from '@mergebench/taskpool-image-classification';
import { cliFlags, invocationPath } from '../cli-flags.js';
import { buildZoo } from '../zoo/build-zoo.js';
import { QUICK_ZOO_SPEC } from '../zoo/zoo-spec.js';
import { type FrontMethod, paretoExperiment, type ZooFolder } from './experiment.js';
import { coveredPoints } from './front.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * How each PWEMoE front departs from the reference: '-remainder' merges the rest per preference;
 * '-from-ta' also starts the routers at task arithmetic's weights, so the untrained family is
 * task arithmetic's.
 */
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  '': [],
  '-remainder': ['method.preference_remainder=true'],
  '-from-ta': ['method.preference_remainder=true', 'method.router_init=task-arithmetic'],
};
const FRONTS = ['pwemoe-ls', 'pwemoe-epo'].flatMap((method) =>
  Object.keys(VARIANTS).map((variant) => method + variant),
);

const USAGE = `usage: pareto [--zoo built-zoo-dir | --root cache-dir] [--pairs a,b;c,d] [--steps 300] [--steps-all 200]
              [--lr 0.01] [--batch-size 16] [--alpha 1] [--fronts ${FRONTS.join(',')}]
              [--no-all] [--out dir] [--backend name] [--verbose]`;

const DEFAULT_PAIRS = 'mnist,fashion-mnist;sklearn-digits,synthetic-colors';

interface Training {
  readonly steps: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly alpha: number;
}

function methods(fronts: readonly string[], { steps, lr, batchSize, alpha }: Training): FrontMethod[] {
  const pwemoe = (label: string): FrontMethod => {
    const method = label.startsWith('pwemoe-ls') ? 'pwemoe-ls' : 'pwemoe-epo';
    return {
      label,
      overrides: [
        `method=${method}`,
        `method.max_steps=${steps}`,
        `method.lr=${lr}`,
        `method.batch_size=${batchSize}`,
        `method.alpha=${alpha}`,
        'method.save_state_every=0',
        ...VARIANTS[label.slice(method.length)],
      ],
    };
  };
  return [...fronts.map(pwemoe), { label: 'task-arithmetic', overrides: ['method=task-arithmetic-family'] }];
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const flag = cliFlags(argv, USAGE);
  const number = (name: string, fallback: number) => {
    const value = Number(flag(name) ?? fallback);
    if (!(value > 0)) throw new MergebenchError(`--${name}: expected a number > 0; ${USAGE}`);
    return value;
  };
  const logger = stderrLogger({ verbose: argv.includes('--verbose') });
  const backend = await selectBackend(flag('backend') ?? process.env.MERGEBENCH_BACKEND ?? 'auto', logger);

  const given = flag('zoo');
  let zoo: ZooFolder & { tasks: readonly string[] };
  if (given) {
    const dir = invocationPath(given);
    const spec = JSON.parse(readFileSync(path.join(dir, 'zoo-spec.json'), 'utf8')) as { tasks: string[] };
    zoo = { dir, config: path.join(dir, 'mergebench.config.yaml'), tasks: spec.tasks };
  } else {
    const built = await buildZoo(
      invocationPath(flag('root') ?? path.join(packageDir, '.cache')),
      QUICK_ZOO_SPEC,
      logger,
    );
    zoo = { dir: built.dir, config: built.config, tasks: built.spec.tasks };
  }
  const pairs = (flag('pairs') ?? DEFAULT_PAIRS).split(';').map((pair) => pair.split(','));
  for (const pair of pairs) {
    const unknown = pair.filter((t) => !zoo.tasks.includes(t));
    if (pair.length !== 2 || unknown.length > 0) {
      throw new MergebenchError(
        `--pairs: '${pair.join(',')}' is not two of the zoo's tasks (${zoo.tasks.join(', ')})`,
      );
    }
  }
  const fronts = (flag('fronts') ?? FRONTS.join(',')).split(',');
  const unknownFront = fronts.find((front) => !FRONTS.includes(front));
  if (unknownFront !== undefined) {
    throw new MergebenchError(
      `--fronts: unknown front '${unknownFront}'; expected some of ${FRONTS.join(',')}`,
    );
  }
  const lr = number('lr', 0.01);
  const batchSize = number('batch-size', 16);
  const alpha = number('alpha', 1);
  const experiments = [
    ...pairs.map((pair) => ({ name: pair.join('+'), tasks: pair, steps: number('steps', 300) })),
    ...(argv.includes('--no-all')
      ? []
      : [{ name: 'all-tasks', tasks: zoo.tasks, steps: number('steps-all', 200) }]),
  ];

  const registry = new ComponentRegistry();
  registerPlugin(registry, builtinPlugin, 'builtin');
  registerPlugin(registry, clipVit);
  registerPlugin(registry, imageClassification);
  registerPlugin(registry, pwemoe);

  const out = invocationPath(flag('out') ?? path.join(packageDir, 'results', 'pareto'));
  mkdirSync(out, { recursive: true });
  logger.info(
    `pareto: zoo ${zoo.dir}, backend ${backend.name}, lr ${lr}, batch ${batchSize}, alpha ${alpha}`,
  );
  const rows: string[][] = [];
  for (const experiment of experiments) {
    const file = await paretoExperiment(
      zoo,
      experiment.name,
      experiment.tasks,
      methods(fronts, { steps: experiment.steps, lr, batchSize, alpha }),
      registry,
      logger,
    );
    await writeFileAtomic(path.join(out, `${experiment.name}.json`), `${JSON.stringify(file, null, 2)}\n`);
    const byName = new Map(file.fronts.map((f) => [f.method, f]));
    const baseline = byName.get('task-arithmetic')!;
    rows.push([
      experiment.name,
      String(baseline.points.length),
      String(experiment.steps),
      baseline.hypervolume.toFixed(4),
      ...fronts.map((front) => {
        const f = byName.get(front)!;
        return `${f.hypervolume.toFixed(4)} (${coveredPoints(baseline, f, file.tasks)}/${baseline.points.length})`;
      }),
    ]);
  }
  // Hypervolumes, and (in brackets) how many of task arithmetic's points each PWEMoE front covers.
  console.log(
    formatTable(['tasks', 'points', 'steps', 'HV task arithmetic', ...fronts.map((f) => `HV ${f}`)], rows),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof MergebenchError ? error.message : error);
  process.exitCode = 1;
});
