import { join } from 'node:path';
import {
  Adam,
  check,
  cosine,
  deriveSeed,
  type FamilyMember,
  listNames,
  type Method,
  type MethodContext,
  type MethodResult,
  type ModelPool,
  type Module,
  methodLoopOptions,
  PRETRAINED,
  resolveService,
  runSupervised,
  type StepRecord,
  type TaskData,
  type TaskHeads,
  TOKENS,
  type TrainingResult,
  writeHistoryCsv,
} from '@mergebench/core';
import { ROUTERS_FILE, readRouterFile, routerVariables, writeRouterFile } from '@mergebench/moe';
import { writeWeightedTaskVectors } from '@mergebench/task-vectors';
import type * as tf from '@tensorflow/tfjs';
import { collapseInto, paretoModules, setPreference } from './collapse.js';
import { type EpoMove, epoWeights, gramMatrix } from './epo-lp.js';
import type { PwemoeSettings } from './params.js';
import { checkPreference, preferenceGrid, preferenceLabel, sampleDirichlet } from './preference.js';
import type { PreferenceRemainder } from './preference-remainder.js';
import { upscaleParetoModel } from './upscale.js';

/** The file a run writes its loss history to, in the run's folder. */
export const HISTORY_FILE = 'history.csv';

/** The floor of the cosine learning-rate decay, as a fraction of lr (the reference's eta_min = 0.1·lr). */
const LR_FLOOR = 0.1;

interface TaskServices {
  readonly data: TaskData;
  readonly heads: TaskHeads;
}

/** What EPO did over a run. */
interface EpoCounts {
  fallbacks: number;
  balance: number;
  descent: number;
}

function summarize(history: readonly StepRecord[], resumedFrom: number) {
  return {
    file: HISTORY_FILE,
    resumedFrom,
    firstLoss: history[0]?.loss ?? null,
    finalLoss: history.at(-1)?.loss ?? null,
    finalTaskLosses: history.at(-1)?.taskLosses ?? null,
  };
}

/** Concatenates one task's gradients in the order of `variables` into one vector. */
async function flatten(grads: ReadonlyMap<tf.Variable, tf.Tensor>, variables: readonly tf.Variable[]) {
  const parts: Float32Array[] = [];
  for (const variable of variables) {
    const grad = grads.get(variable);
    parts.push(grad === undefined ? new Float32Array(variable.size) : ((await grad.data()) as Float32Array));
  }
  const flat = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    flat.set(part, offset);
    offset += part.length;
  }
  return flat;
}

/**
 * PWEMoE (Tang et al., 2024, "Towards Efficient Pareto Set Approximation via Mixture of Experts
 * Based Model Fusion"): upscales the MLPs (and attention blocks) into Pareto weight-ensembling
 * blocks whose routers read a preference vector, trains the routers on labelled training data
 * with one Dirichlet-sampled preference per step, and returns the family of plain models over a
 * grid of preference vectors (or the one model for a given preference).
 */
export class PwemoeMethod implements Method {
  constructor(
    /** The component's name: prefixes messages and names the folder of its saved training state. */
    readonly name: string,
    readonly settings: PwemoeSettings,
  ) {}

  async run(modelpool: ModelPool, ctx: MethodContext): Promise<MethodResult> {
    const { name, settings } = this;
    const what = `method ${name}`;
    const tasks = modelpool.modelNames;
    check(
      settings.loss !== 'epo' || tasks.length >= 2,
      () => `${what}: EPO needs at least 2 tasks, the model pool has ${tasks.length}; use pwemoe-ls`,
    );
    const preference =
      settings.preference === null
        ? null
        : checkPreference(settings.preference, tasks.length, `${what}.preference`);
    const services = settings.routersFile === null ? this.taskServices(tasks, ctx) : undefined;
    const { model, summary, remainder } = await upscaleParetoModel(modelpool, {
      initLambda: settings.initLambda,
      kinds: settings.upscaleAttention ? ['mlp', 'attention'] : ['mlp'],
      seed: deriveSeed(ctx.seed, `${name}/routers`),
      what,
      preferenceRemainder: settings.preferenceRemainder,
      routerInit: settings.routerInit,
      logger: ctx.logger,
    });
    const prefer = (ray: readonly number[]) => {
      setPreference(model, ray);
      remainder?.set(ray);
    };
    try {
      const routers = routerVariables(model);
      const routerParameters = [...routers.values()].reduce((n, v) => n + v.size, 0);
      ctx.logger.info(
        `${name}: ${summary.sites.length} blocks upscaled with ${tasks.length} task vectors, ${routerParameters} router parameters`,
      );
      let training: TrainingResult | undefined;
      const epo: EpoCounts = { fallbacks: 0, balance: 0, descent: 0 };
      if (services) {
        training = await this.train(model, prefer, routers, tasks, services, epo, ctx);
      } else {
        await readRouterFile(settings.routersFile!, routers);
        ctx.logger.info(`${name}: evaluating with the routers of ${settings.routersFile}`);
      }
      await writeRouterFile(join(ctx.runDir, ROUTERS_FILE), routers);
      if (training) await writeHistoryCsv(join(ctx.runDir, HISTORY_FILE), training.history);
      if (settings.loss === 'epo' && epo.fallbacks > 0) {
        ctx.logger.warn(
          `${name}: the EPO linear program had no solution at ${epo.fallbacks} steps; those used ray/Σray`,
        );
      }
      const artifacts = {
        loss: settings.loss,
        upscaledSites: summary.sites.length,
        preferenceRemainder: settings.preferenceRemainder,
        routerInit: settings.routerInit,
        mergedParameters: summary.mergedParameters,
        routerParameters,
        steps: training?.history.length ?? 0,
        history: training ? summarize(training.history, training.resumedFrom) : null,
        ...(settings.loss === 'epo' && training
          ? { epo: { fallbacks: epo.fallbacks, balanceSteps: epo.balance, descentSteps: epo.descent } }
          : {}),
        routersFile: ROUTERS_FILE,
        routersFrom: settings.routersFile,
      };
      model.eval();
      if (preference !== null) {
        prefer(preference);
        const plain = collapseInto(model, await modelpool.loadModel(PRETRAINED));
        return { kind: 'model', model: plain, artifacts: { ...artifacts, preference } };
      }
      const grid = preferenceGrid(tasks.length, settings.gridPoints);
      return {
        kind: 'family',
        members: this.family(model, modelpool, grid, remainder),
        artifacts: { ...artifacts, grid },
      };
    } finally {
      remainder?.dispose();
      model.dispose();
    }
  }

  /**
   * One member per preference vector. The routing weights of every block are computed for the
   * whole grid up front and the upscaled model is released; a member is built by writing
   * θ₀ + Σᵢ rᵢτᵢ into each upscaled block's parameters (and elsewhere θ₀ + λ·Στᵢ, or the
   * remainder's weights for the ray, as in the upscaled model) of a freshly loaded pretrained
   * model, reading the pool key by key.
   */
  private family(
    upscaled: Module,
    modelpool: ModelPool,
    grid: readonly number[][],
    remainder: PreferenceRemainder | null,
  ): FamilyMember[] {
    const blocks = [...paretoModules(upscaled)];
    const fixed = modelpool.modelNames.map(() => this.settings.initLambda);
    const routing = grid.map((ray) => {
      setPreference(upscaled, ray);
      return blocks.map(([path, block]) => {
        const r = block.routingWeights();
        const values = Array.from(r.dataSync());
        r.dispose();
        return { prefix: `${path}.`, weights: values };
      });
    });
    return grid.map((ray, i) => ({
      label: preferenceLabel(ray),
      preference: ray,
      model: async () => {
        const target = await modelpool.loadModel(PRETRAINED);
        const outside = remainder ? remainder.weights(ray) : fixed;
        try {
          await writeWeightedTaskVectors(
            modelpool,
            target,
            (key) => routing[i].find((block) => key.startsWith(block.prefix))?.weights ?? outside,
          );
        } catch (error) {
          target.dispose();
          throw error;
        }
        return target;
      },
    }));
  }

  /** The task pool's data and heads, checked to cover every task before anything heavy is loaded. */
  private taskServices(tasks: readonly string[], ctx: MethodContext): TaskServices {
    const who = `method ${this.name}`;
    const data = resolveService(ctx.container, TOKENS.taskData, who);
    const heads = resolveService(ctx.container, TOKENS.taskHeads, who);
    for (const task of tasks) {
      check(
        data.taskNames.includes(task),
        () =>
          `${who}: the task pool has no data for model '${task}' (its tasks: ${listNames(data.taskNames)})`,
      );
      check(
        heads.taskNames.includes(task),
        () =>
          `${who}: the task pool has no head for model '${task}' (its heads: ${listNames(heads.taskNames)})`,
      );
      check(data.size(task, 'train') > 0, () => `${who}: task '${task}' has no labelled training data`);
    }
    return { data, heads };
  }

  private async train(
    model: Module,
    prefer: (ray: readonly number[]) => void,
    routers: ReadonlyMap<string, tf.Variable>,
    tasks: readonly string[],
    { data, heads }: TaskServices,
    epo: EpoCounts,
    ctx: MethodContext,
  ): Promise<TrainingResult> {
    const { name, settings } = this;
    const variables = [...routers.values()];
    const optimizer = new Adam(variables, { lr: settings.lr });
    const schedule =
      settings.maxSteps > 0 ? cosine(settings.lr, settings.maxSteps, { minFactor: LR_FLOOR }) : undefined;
    const byTask = new Map<string, Module>(tasks.map((task) => [task, heads.head(task)]));
    const raySeed = deriveSeed(ctx.seed, `${name}/rays`);
    const rayOf = (step: number) =>
      sampleDirichlet(settings.alpha, tasks.length, deriveSeed(raySeed, String(step)));
    let ray: number[] = [];
    let fellBack = false;
    let move: EpoMove | undefined;
    model.train();
    try {
      return await runSupervised({
        tasks,
        data,
        variables: routers,
        optimizer,
        schedule,
        ...methodLoopOptions(ctx, name, settings),
        beforeStep: (step) => {
          ray = rayOf(step);
          prefer(ray);
        },
        weighTasks: async (_step, losses, gradients) => {
          if (settings.loss === 'ls') return ray;
          const flat = await Promise.all(gradients.map((grads) => flatten(grads, variables)));
          const solution = await epoWeights(losses, gramMatrix(flat), ray);
          fellBack = solution.fellBack;
          move = solution.move;
          if (solution.fellBack) epo.fallbacks++;
          epo[solution.move]++;
          // The reference scales α by T, so that equal weights give the plain sum of the losses.
          return solution.alpha.map((a) => a * tasks.length);
        },
        recordExtra: () => ({
          ...Object.fromEntries(ray.map((r, i) => [`ray_${i}`, r])),
          ...(settings.loss === 'epo'
            ? { epo_fallback: fellBack ? 1 : 0, epo_balance: move === 'balance' ? 1 : 0 }
            : {}),
        }),
        logitsForTask: (task, inputs) => byTask.get(task)!.forward(model.forward(inputs) as tf.Tensor),
      });
    } finally {
      model.eval();
      optimizer.dispose();
    }
  }
}
