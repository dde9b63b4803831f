import {
  check,
  findSites,
  float32Values,
  type Logger,
  type ModelPool,
  type ModelSite,
  type Module,
  modelWriter,
  PRETRAINED,
  type SiteKind,
  stateDictSource,
  type TensorSource,
} from '@mergebench/core';
import { mergeTaskVectors, taskArithmeticRules, taskVectorsOf } from '@mergebench/task-vectors';
import { BlockWeightEnsemblingMoE } from './block-we-moe.js';
import { LinearTaskVectors, type LinearValues } from './linear-task-vectors.js';
import {
  MLP_LINEARS,
  type MlpLinearName,
  type MlpSiteModule,
  mlpShape,
  resolveActivation,
} from './mlp-site.js';
import type { MoeDesign } from './moe-design.js';
import { WeightEnsemblingMoE } from './we-moe.js';

export interface UpscaleOptions {
  readonly design: MoeDesign;
  /** The kinds of sites that become experts (see upscale-target.ts); default: the MLPs. */
  readonly targets?: readonly SiteKind[];
  /** λ of the task arithmetic that merges every parameter outside the MLPs. */
  readonly initLambda: number;
  /** `auto` or an activation name (see mlp-site.ts). */
  readonly activation: string;
  readonly batchReduce: boolean;
  /** Seeds the activation probe. */
  readonly seed: number;
  /** Names the caller in errors, e.g. `method wemoe`. */
  readonly what: string;
  readonly logger?: Logger;
}

export interface UpscaleSummary {
  /** The upscaled sites, in model order. */
  readonly sites: readonly string[];
  /** How many sites of each kind were upscaled. */
  readonly sitesByKind: Readonly<Record<string, number>>;
  /** 4-byte entries of θ₀ and of the task vectors (and sparse positions) the upscaled sites hold frozen. */
  readonly expertParameters: number;
  /** The activation of each site's MLP, as identified. */
  readonly activations: readonly string[];
  /** Bytes of θ₀ and task vectors the upscaled Linears hold at rest. */
  readonly expertBytes: number;
  /** Parameters merged by task arithmetic (everything outside the MLPs). */
  readonly mergedParameters: number;
}

/** θ₀ and the task vectors of one Linear (fc1 or fc2) of the MLP at `site`. */
async function linearTaskVectors(
  mlp: Module,
  site: ModelSite,
  fc: MlpLinearName,
  sources: readonly TensorSource[],
): Promise<LinearTaskVectors> {
  const params = mlp.namedParameters();
  const weight = params.get(`${fc}.weight`)!;
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  const read = async (name: 'weight' | 'bias', size: number): Promise<[Float32Array, Float32Array[]]> => {
    const own = params.get(`${fc}.${name}`);
    if (own === undefined) return [new Float32Array(size), sources.map(() => new Float32Array(size))];
    // A copy: on the cpu backend float32Values is the variable's own buffer.
    const theta0 = float32Values(own).slice();
    return [theta0, await taskVectorsOf(sources, `${site.path}.${fc}.${name}`, theta0, own.shape)];
  };
  const [w0, wTaus] = await read('weight', outFeatures * inFeatures);
  const [b0, bTaus] = await read('bias', outFeatures);
  const taskVectors: LinearValues[] = wTaus.map((w, i) => ({ weight: w, bias: bTaus[i] }));
  return new LinearTaskVectors(inFeatures, outFeatures, { weight: w0, bias: b0 }, taskVectors);
}

async function upscaleSite(
  model: Module,
  site: ModelSite,
  sources: readonly TensorSource[],
  options: UpscaleOptions,
): Promise<{ moe: WeightEnsemblingMoE; activation: string }> {
  const mlp = model.getSubmodule(site.path) as MlpSiteModule;
  const shape = mlpShape(mlp, site.path);
  const activation = resolveActivation(mlp, site.path, options.activation, options.seed);
  const linears = [];
  for (const fc of MLP_LINEARS) {
    const weights = await linearTaskVectors(mlp, site, fc, sources);
    linears.push(options.design.linear(weights));
  }
  const [fc1, fc2] = linears;
  const moe = new WeightEnsemblingMoE({
    router: options.design.router(site, shape.inFeatures),
    fc1,
    fc2,
    activation: activation.fn,
    batchReduce: options.batchReduce,
    layerEncoding: options.design.layerEncoding?.(site),
  });
  return { moe, activation: activation.name };
}

/** The features a non-MLP site reads: the input size of its first 2-D weight ([out, in]). */
function siteInputSize(block: Module, path: string): number {
  const weight = [...block.namedParameters().values()].find((p) => p.rank === 2);
  check(weight !== undefined, () => `site '${path}' has no 2-D weight to read its hidden size from`);
  return weight.shape[1]!;
}

/**
 * The task vectors of every parameter of `block` (the model's submodule at `path`), read from
 * the sources in their order, each passed through `transform` when one is given.
 */
export async function blockTaskVectors(
  block: Module,
  path: string,
  sources: readonly TensorSource[],
  transform?: (tau: Float32Array) => Float32Array,
): Promise<Map<string, Float32Array[]>> {
  const taskVectors = new Map<string, Float32Array[]>();
  for (const [name, own] of block.namedParameters()) {
    // A copy: on the cpu backend float32Values is the variable's own buffer.
    const theta0 = float32Values(own).slice();
    const taus = await taskVectorsOf(sources, `${path}.${name}`, theta0, own.shape);
    taskVectors.set(name, transform ? taus.map((tau) => transform(tau)) : taus);
  }
  return taskVectors;
}

/** A non-MLP site (attention, a whole layer) as a BlockWeightEnsemblingMoE over all its parameters. */
async function upscaleBlock(
  model: Module,
  site: ModelSite,
  sources: readonly TensorSource[],
  options: UpscaleOptions,
): Promise<BlockWeightEnsemblingMoE> {
  const block = model.getSubmodule(site.path);
  const taskVectors = await blockTaskVectors(block, site.path, sources, options.design.taskVector);
  return new BlockWeightEnsemblingMoE({
    base: block,
    taskVectors,
    router: options.design.router(site, siteInputSize(block, site.path)),
    batchReduce: options.batchReduce,
    layerEncoding: options.design.layerEncoding?.(site),
  });
}

/** The sites of `kinds`, in model order; a site inside another chosen site is an error. */
export function targetSites(model: Module, kinds: readonly SiteKind[], what: string): ModelSite[] {
  const sites = kinds.flatMap((kind) => findSites(model, kind));
  for (const a of sites) {
    const outer = sites.find((b) => b !== a && a.path.startsWith(`${b.path}.`));
    check(
      outer === undefined,
      () =>
        `${what}: the ${a.kind} site '${a.path}' lies inside the ${outer!.kind} site '${outer!.path}'; choose one of them`,
    );
  }
  const order = new Map(model.sites().map((site, i) => [site.path, i]));
  return sites.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
}

/**
 * Builds a weight-ensembling MoE model from a model pool: the pretrained model with every
 * parameter outside its MLP sites merged by task arithmetic (θ₀ + λ·Στᵢ), and every MLP site
 * replaced by a WeightEnsemblingMoE holding θ₀ and the sites' task vectors, frozen. Only the
 * routers are trainable. The models are read key by key from `openWeights`, one site at a time.
 */
/**
 * Task arithmetic (θ₀ + λ·Στᵢ) written into every parameter of `model` (holding θ₀) outside the
 * `sites` about to be upscaled; then the whole model is frozen. Returns the merge's summary.
 */
export async function mergeOutsideSites(
  model: Module,
  sites: readonly ModelSite[],
  sources: readonly TensorSource[],
  lambda: number,
  what: string,
) {
  const writer = modelWriter(model, what);
  const merge = await mergeTaskVectors({
    ...taskArithmeticRules(
      lambda,
      sites.map((site) => `${site.path}.*`),
    ),
    sources,
    pretrained: stateDictSource(model.stateDict(), PRETRAINED),
    onTensor: writer.write,
  });
  writer.finish();
  model.requiresGrad(false);
  return merge;
}

/** Checks before upscaling: fine-tuned models to take task vectors from, and the θ₀ they are measured from. */
export function checkUpscalable(modelpool: ModelPool, what: string): void {
  check(modelpool.modelNames.length > 0, `${what}: the model pool has no fine-tuned models to upscale with`);
  check(
    modelpool.hasPretrained,
    () => `${what}: the model pool has no ${PRETRAINED} model, which the task vectors are measured from`,
  );
}

export async function upscaleModel(
  modelpool: ModelPool,
  options: UpscaleOptions,
): Promise<{ model: Module; summary: UpscaleSummary }> {
  const { what } = options;
  const tasks = modelpool.modelNames;
  checkUpscalable(modelpool, what);
  const model = await modelpool.loadModel(PRETRAINED);
  const sources: TensorSource[] = [];
  try {
    const sites = targetSites(model, options.targets ?? ['mlp'], what);
    for (const site of sites) if (site.kind === 'mlp') mlpShape(model.getSubmodule(site.path), site.path);
    for (const task of tasks) sources.push(await modelpool.openWeights(task));

    const merge = await mergeOutsideSites(model, sites, sources, options.initLambda, what);

    const activations: string[] = [];
    let expertBytes = 0;
    let expertParameters = 0;
    const sitesByKind: Record<string, number> = {};
    for (const site of sites) {
      sitesByKind[site.kind] = (sitesByKind[site.kind] ?? 0) + 1;
      if (site.kind !== 'mlp') {
        const moe = await upscaleBlock(model, site, sources, options);
        // The old block lives on inside the MoE as its base: replaced, not disposed.
        model.setSubmodule(site.path, moe);
        const frozen = [...moe.namedParameters()].filter(([name]) => !name.startsWith('router.'));
        const entries = frozen.reduce((n, [, v]) => n + v.size, 0);
        expertParameters += entries;
        expertBytes += 4 * entries;
        options.logger?.debug(`${what}: upscaled ${site.path} (${site.kind})`);
        continue;
      }
      const { moe, activation } = await upscaleSite(model, site, sources, options);
      model.setSubmodule(site.path, moe).dispose();
      activations.push(activation);
      expertBytes += moe.fc1.storedBytes() + moe.fc2.storedBytes();
      expertParameters += (moe.fc1.storedBytes() + moe.fc2.storedBytes()) / 4;
      options.logger?.debug(`${what}: upscaled ${site.path} (${activation})`);
    }
    return {
      model,
      summary: {
        sites: sites.map((site) => site.path),
        sitesByKind,
        expertParameters,
        activations,
        expertBytes,
        mergedParameters: merge.mergedParameters,
      },
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}
