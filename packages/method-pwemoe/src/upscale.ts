import {
  check,
  deriveSeed,
  findSites,
  type Logger,
  type ModelPool,
  type ModelSite,
  type Module,
  PRETRAINED,
  type SiteKind,
  type TensorSource,
} from '@mergebench/core';
import { blockTaskVectors, checkUpscalable, mergeOutsideSites } from '@mergebench/moe';
import { ParetoWeightEnsemblingModule } from './pareto-module.js';
import { PreferenceRemainder } from './preference-remainder.js';
import { PreferenceRouter, type RouterInit } from './preference-router.js';

export interface ParetoUpscaleOptions {
  /** λ of the task arithmetic outside the upscaled blocks, and every router's initial output. */
  readonly initLambda: number;
  /** The blocks to upscale: `mlp`, and optionally `attention`. */
  readonly kinds: readonly SiteKind[];
  /** Seeds the routers' initial weights (one derived seed per block). */
  readonly seed: number;
  /** Names the caller in errors, e.g. `method pwemoe-ls`. */
  readonly what: string;
  /**
   * Merge the parameters outside the blocks for each preference vector (θ₀ + λ·T·Σᵢ rayᵢτᵢ, see
   * PreferenceRemainder) instead of once (θ₀ + λ·Στᵢ, the reference).
   */
  readonly preferenceRemainder?: boolean;
  /** Where the routers start; default 'constant' (the reference). */
  readonly routerInit?: RouterInit;
  readonly logger?: Logger;
}

export interface ParetoUpscaleSummary {
  /** The upscaled blocks, in model order. */
  readonly sites: readonly string[];
  /** Parameters merged by task arithmetic (everything outside the upscaled blocks). */
  readonly mergedParameters: number;
}

/** The upscaled model, and its per-preference remainder when one was asked for. */
export interface ParetoUpscaled {
  readonly model: Module;
  readonly summary: ParetoUpscaleSummary;
  readonly remainder: PreferenceRemainder | null;
}

/** A Pareto block for the block at `site`, its task vectors read from the sources. */
async function upscaleSite(
  model: Module,
  site: ModelSite,
  sources: readonly TensorSource[],
  options: ParetoUpscaleOptions,
): Promise<ParetoWeightEnsemblingModule> {
  const base = model.getSubmodule(site.path);
  const taskVectors = await blockTaskVectors(base, site.path, sources);
  const router = new PreferenceRouter({
    tasks: sources.length,
    initLambda: options.initLambda,
    seed: deriveSeed(options.seed, `router/${site.path}`),
    init: options.routerInit,
  });
  return new ParetoWeightEnsemblingModule({ base, taskVectors, router });
}

/**
 * Builds PWEMoE's upscaled model from a model pool: the pretrained model with every parameter
 * outside the chosen blocks merged by task arithmetic (θ₀ + λ·Στᵢ), and every chosen block
 * (each MLP, and each attention block if asked) replaced by a ParetoWeightEnsemblingModule
 * holding θ₀ and the block's task vectors, frozen. Only the routers are trainable.
 */
export async function upscaleParetoModel(
  modelpool: ModelPool,
  options: ParetoUpscaleOptions,
): Promise<ParetoUpscaled> {
  const { what } = options;
  const tasks = modelpool.modelNames;
  checkUpscalable(modelpool, what);
  check(options.kinds.length > 0, `${what}: no kind of block to upscale`);
  const model = await modelpool.loadModel(PRETRAINED);
  const sources: TensorSource[] = [];
  let remainder: PreferenceRemainder | null = null;
  try {
    const declared = model.sites();
    for (const kind of options.kinds) {
      check(
        declared.some((site) => site.kind === kind),
        () =>
          `${what}: ${model.constructor.name} declares no '${kind}' blocks to upscale` +
          (kind === 'attention' ? '; set upscale_attention: false' : ''),
      );
    }
    const sites = options.kinds.flatMap((kind) => findSites(model, kind));
    for (const task of tasks) sources.push(await modelpool.openWeights(task));

    let mergedParameters: number;
    if (options.preferenceRemainder) {
      model.requiresGrad(false);
      remainder = await PreferenceRemainder.read(model, sites, sources, options.initLambda);
      remainder.set(tasks.map(() => 1 / tasks.length));
      mergedParameters = remainder.parameters;
    } else {
      ({ mergedParameters } = await mergeOutsideSites(model, sites, sources, options.initLambda, what));
    }

    for (const site of sites) {
      const block = await upscaleSite(model, site, sources, options);
      // The replaced block lives on inside the Pareto block as its θ₀.
      model.setSubmodule(site.path, block);
      options.logger?.debug(`${what}: upscaled ${site.path}`);
    }
    return { model, summary: { sites: sites.map((site) => site.path), mergedParameters }, remainder };
  } catch (error) {
    remainder?.dispose();
    model.dispose();
    throw error;
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}
