import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ComponentRegistry,
  type Logger,
  MergebenchError,
  ProgressBar,
  type RunReport,
  registerPlugin,
  runProgram,
  writeFileAtomic,
} from '@mergebench/core';
import { parse, stringify } from 'yaml';
import type { Zoo } from '../zoo/build-zoo.js';
import { landscapePlugin } from './task-plane-method.js';

/** Joint test loss over the plane θ0 + λ1τ1 + λ2τ2 of one task pair. */
export interface LossLandscape {
  readonly schema: 'mergebench.loss-landscape/1';
  readonly tasks: readonly [string, string];
  /** The grid's coordinates, the same for λ1 and λ2. */
  readonly lambdas: readonly number[];
  /** loss[i][j]: summed test loss of both tasks at λ1 = lambdas[i], λ2 = lambdas[j]. */
  readonly loss: readonly (readonly number[])[];
  /** Mean test accuracy of both tasks on the same grid. */
  readonly accuracy: readonly (readonly number[])[];
}

export const LANDSCAPE_FILE = 'landscape.json';

export function gridLambdas(size: number): number[] {
  return Array.from({ length: size }, (_, i) => Number((-1 + (2 * i) / (size - 1)).toFixed(6)));
}

/**
 * Computes (or reads back) the loss landscape of a task pair: one `mergebench run` per grid
 * point on a pool of θ0, θ1 and θ2, in a folder keyed by the zoo, the pair and the grid. Every
 * point's report stays, so an interrupted landscape resumes where it stopped.
 */
export async function lossLandscape(
  zoo: Zoo,
  tasks: readonly [string, string],
  size: number,
  logger: Logger,
): Promise<{ landscape: LossLandscape; dir: string }> {
  for (const t of tasks) {
    if (!zoo.spec.tasks.includes(t)) {
      throw new MergebenchError(`--landscape: task '${t}' is not in the zoo (${zoo.spec.tasks.join(', ')})`);
    }
  }
  if (!Number.isInteger(size) || size < 2)
    throw new MergebenchError(`--grid: expected an integer ≥ 2, got ${size}`);
  const key = createHash('sha256')
    .update(JSON.stringify([path.basename(zoo.dir), tasks, size]))
    .digest('hex')
    .slice(0, 10);
  const dir = path.join(zoo.dir, 'runs', `landscape-${tasks[0]}-${tasks[1]}-${key}`);
  const file = path.join(dir, LANDSCAPE_FILE);
  if (existsSync(file)) return { landscape: JSON.parse(readFileSync(file, 'utf8')) as LossLandscape, dir };

  mkdirSync(dir, { recursive: true });
  const zooConfig = parse(readFileSync(zoo.config, 'utf8')) as Record<string, Record<string, unknown>>;
  const config = path.join(dir, 'landscape.config.yaml');
  await writeFileAtomic(
    config,
    stringify({
      ...zooConfig,
      modelpool: {
        ...zooConfig.modelpool,
        models: {
          _pretrained_: zoo.pretrained,
          [tasks[0]]: zoo.finetuned(tasks[0]),
          [tasks[1]]: zoo.finetuned(tasks[1]),
        },
      },
      taskpool: { ...zooConfig.taskpool, tasks: [...tasks], heads: zoo.heads },
      output_dir: './points',
    }),
  );

  const registry = new ComponentRegistry();
  registerPlugin(registry, landscapePlugin);
  const lambdas = gridLambdas(size);
  const loss = lambdas.map(() => lambdas.map(() => Number.NaN));
  const accuracy = lambdas.map(() => lambdas.map(() => Number.NaN));
  logger.info(`landscape: ${tasks[0]} × ${tasks[1]}, ${size}×${size} points in ${dir}`);
  const bar = new ProgressBar({ total: size * size, label: 'landscape', logger });
  for (const [i, l1] of lambdas.entries()) {
    for (const [j, l2] of lambdas.entries()) {
      const name = `p${i}-${j}`;
      const reportFile = path.join(dir, 'points', name, 'report.json');
      const report = existsSync(reportFile)
        ? (JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport)
        : (
            await runProgram({
              cwd: dir,
              configPath: config,
              registry,
              overrides: ['method=task-plane', `method.lambdas=[${l1},${l2}]`, `run_name=${name}`],
            })
          ).report;
      const results = report.results!.tasks;
      loss[i][j] = results[tasks[0]].loss + results[tasks[1]].loss;
      accuracy[i][j] = (results[tasks[0]].accuracy + results[tasks[1]].accuracy) / 2;
      bar.update(i * size + j + 1, loss[i][j]);
    }
  }
  bar.finish();
  const landscape: LossLandscape = { schema: 'mergebench.loss-landscape/1', tasks, lambdas, loss, accuracy };
  await writeFileAtomic(file, `${JSON.stringify(landscape)}\n`);
  return { landscape, dir };
}
