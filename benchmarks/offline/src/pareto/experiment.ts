import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ComponentRegistry, type Logger, type RunReport, runProgram } from '@mergebench/core';
import { parse, stringify } from 'yaml';
import { frontOf, type ParetoFile } from './front.js';

/** A built zoo folder: its mergebench.config.yaml names the pretrained model, every fine-tuned one and the heads. */
export interface ZooFolder {
  readonly dir: string;
  readonly config: string;
}

/** One method whose family of models forms a front. */
export interface FrontMethod {
  /** How the front is named in the results, e.g. `pwemoe-ls`. */
  readonly label: string;
  /** `method=…` and `method.…=…` overrides. */
  readonly overrides: readonly string[];
}

/**
 * A config for `tasks` only: the zoo's config with the model pool cut to the pretrained model and
 * those tasks' fine-tuned models, and the task pool to those tasks. Written next to the zoo's own
 * config, whose relative paths it keeps.
 */
function subsetConfig(
  zoo: ZooFolder,
  name: string,
  tasks: readonly string[],
): { file: string; ordered: string[] } {
  const config = parse(readFileSync(zoo.config, 'utf8')) as Record<string, any>;
  const models = config.modelpool.models as Record<string, string>;
  const missing = tasks.filter((t) => !(t in models));
  if (missing.length > 0)
    throw new Error(`${zoo.config}: the zoo has no fine-tuned model for ${missing.join(', ')}`);
  config.modelpool.models = Object.fromEntries(
    Object.entries(models).filter(([model]) => model === '_pretrained_' || tasks.includes(model)),
  );
  // Preference vectors follow the model pool's order, which is the zoo config's.
  const ordered = Object.keys(config.modelpool.models).filter((model) => model !== '_pretrained_');
  config.taskpool.tasks = ordered;
  const file = path.join(zoo.dir, `pareto-${name}.config.yaml`);
  writeFileSync(file, stringify(config));
  return { file, ordered };
}

/**
 * Runs every method on the zoo restricted to `tasks`, each returning a family over the same
 * preference grid (so every front costs the same number of evaluations), and collects the fronts.
 * The file's tasks are in the model pool's order, the order of every preference vector.
 * Finished runs (their report.json exists) are reused.
 */
export async function paretoExperiment(
  zoo: ZooFolder,
  name: string,
  tasks: readonly string[],
  methods: readonly FrontMethod[],
  registry: ComponentRegistry,
  logger: Logger,
): Promise<ParetoFile> {
  const { file: configPath, ordered } = subsetConfig(zoo, name, tasks);
  const fronts = [];
  for (const method of methods) {
    // The settings are part of the name, so a run with other settings is not mistaken for this one.
    const key = createHash('sha256')
      .update(JSON.stringify([tasks, method.overrides]))
      .digest('hex')
      .slice(0, 10);
    const runName = `pareto-${name}-${method.label}-${key}`;
    const reportPath = path.join(zoo.dir, 'runs', runName, 'report.json');
    let report: RunReport;
    if (existsSync(reportPath)) {
      report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
      logger.info(`pareto ${name}: ${method.label} already run (${reportPath})`);
    } else {
      logger.info(`pareto ${name}: ${method.label} (${method.overrides.join(' ')})`);
      ({ report } = await runProgram({
        cwd: zoo.dir,
        configPath,
        logger,
        registry,
        overrides: [...method.overrides, `run_name=${runName}`],
      }));
    }
    const front = frontOf(method.label, report, ordered);
    logger.info(
      `pareto ${name}: ${method.label} hypervolume ${front.hypervolume.toFixed(4)} (method ${report.timings.method?.toFixed(0)} s, evaluation ${report.timings.evaluate?.toFixed(0)} s)`,
    );
    fronts.push(front);
  }
  return { schema: 'mergebench.pareto/1', tasks: ordered, fronts };
}
