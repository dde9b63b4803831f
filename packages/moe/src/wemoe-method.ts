import { join } from 'node:path';
import {
  Adam,
  type AdaptationServices,
  adaptationServices,
  constant,
  cosine,
  deriveSeed,
  HISTORY_FILE,
  type Method,
  type MethodContext,
  type MethodResult,
  type ModelPool,
  type Module,
  methodLoopOptions,
  runAdaptation,
  summarizeHistory,
  type TrainingResult,
  writeHistoryCsv,
} from '@mergebench/core';
import { CollapseWatch } from '@mergebench/task-vectors';
import * as tf from '@tensorflow/tfjs';
import type { MoeDesign } from './moe-design.js';
import type { WemoeSettings } from './params.js';
import { ROUTERS_FILE, readRouterFile, routerVariables, writeRouterFile } from './router-file.js';
import { upscaleModel } from './upscale.js';

/** Makes the design of a run: `experts` task vectors per MLP, random numbers from `seed`. */
export type MoeDesignFactory = (experts: number, seed: number) => MoeDesign;

/** 1234567 → "1.2 MiB", 5000 → "4.9 KiB". */
function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

/**
 * Weight-ensembling MoE (Tang et al., ICML 2024): upscales the pretrained model's MLPs into
 * WeightEnsemblingMoE blocks (everything else merged by task arithmetic), then trains only the
 * routers by minimising the prediction entropy of every task's frozen head on unlabelled test
 * batches, one batch of each task per step. With a routers file it evaluates those routers
 * instead of training. The design (dense or sparse task vectors, one router per layer or one
 * shared) comes from the component.
 */
export class WemoeMethod implements Method {
  constructor(
    /** The component's name: prefixes messages and names the folder of its saved training state. */
    readonly name: string,
    readonly settings: WemoeSettings,
    readonly makeDesign: MoeDesignFactory,
  ) {}

  async run(modelpool: ModelPool, ctx: MethodContext): Promise<MethodResult> {
    const { name, settings } = this;
    const what = `method ${name}`;
    const tasks = modelpool.modelNames;
    const services =
      settings.routersFile === null ? adaptationServices(ctx.container, tasks, what) : undefined;
    const design = this.makeDesign(tasks.length, deriveSeed(ctx.seed, `${name}/routers`));
    const { model, summary } = await upscaleModel(modelpool, {
      design,
      targets: settings.targets,
      initLambda: settings.initLambda,
      activation: settings.activation,
      batchReduce: settings.batchReduce,
      seed: deriveSeed(ctx.seed, `${name}/probe`),
      what,
      logger: ctx.logger,
    });
    try {
      const routers = routerVariables(model);
      const routerParameters = [...routers.values()].reduce((n, v) => n + v.size, 0);
      ctx.logger.info(
        `${name}: ${summary.sites.length} sites (${Object.entries(summary.sitesByKind)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}) upscaled with ${tasks.length} task vectors ` +
          `(${formatBytes(summary.expertBytes)} of frozen experts), ${routerParameters} router parameters`,
      );
      let training: TrainingResult | undefined;
      if (services) {
        training = await this.adapt(model, routers, tasks, services, ctx);
      } else {
        await readRouterFile(settings.routersFile!, routers);
        ctx.logger.info(`${name}: evaluating with the routers of ${settings.routersFile}`);
      }
      await writeRouterFile(join(ctx.runDir, ROUTERS_FILE), routers);
      if (training) await writeHistoryCsv(join(ctx.runDir, HISTORY_FILE), training.history);
      return {
        kind: 'upscaled',
        model: model.eval(),
        artifacts: {
          routerDepth: settings.routerDepth,
          batchReduce: settings.batchReduce,
          upscaleTarget: settings.upscaleTarget,
          upscaledSites: summary.sites.length,
          upscaledSitesByKind: summary.sitesByKind,
          expertParameters: summary.expertParameters,
          activations: [...new Set(summary.activations)],
          expertBytes: summary.expertBytes,
          mergedParameters: summary.mergedParameters,
          routerParameters,
          steps: training?.history.length ?? 0,
          history: training ? summarizeHistory(training.history, training.resumedFrom) : null,
          routersFile: ROUTERS_FILE,
          routersFrom: settings.routersFile,
          ...design.artifacts?.(),
        },
      };
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  private async adapt(
    model: Module,
    routers: ReadonlyMap<string, tf.Variable>,
    tasks: readonly string[],
    { data, heads }: AdaptationServices,
    ctx: MethodContext,
  ): Promise<TrainingResult> {
    const { name, settings } = this;
    const optimizer = new Adam([...routers.values()], { lr: settings.lr });
    const schedule =
      settings.lrScheduler === 'cosine' && settings.maxSteps > 0
        ? cosine(settings.lr, settings.maxSteps)
        : constant(settings.lr);
    const byTask = new Map<string, Module>(tasks.map((task) => [task, heads.head(task)]));
    const watch = new CollapseWatch(tasks, { name, logger: ctx.logger, ...settings.collapse });
    model.train();
    try {
      return await runAdaptation({
        tasks,
        data,
        variables: routers,
        optimizer,
        schedule,
        ...methodLoopOptions(ctx, name, settings),
        lossForTask: (task, inputs) =>
          tf.tidy(() => watch.entropy(task, byTask.get(task)!.forward(model.forward(inputs)))),
        recordExtra: (step) => watch.endStep(step),
      });
    } finally {
      model.eval();
      optimizer.dispose();
    }
  }
}
