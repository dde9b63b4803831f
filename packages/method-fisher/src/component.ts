import { type Component, type Method, resolveService, TOKENS } from '@mergebench/core';
import { FISHER_ESTIMATES, type FisherEstimate } from './fisher-diagonal.js';
import { mergeFisher } from './fisher-merging.js';

export const fisherMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'fisher',
    description:
      "Fisher merging: averages the fine-tuned models parameter by parameter, weighted by each model's diagonal Fisher information on its own task's training inputs.",
    params: [
      {
        name: 'num_examples',
        type: 'integer',
        default: 256,
        min: 1,
        aliases: ['num_fisher_examples'],
        description: "Training examples of each model's task the Fisher is estimated from",
      },
      {
        name: 'batch_size',
        type: 'integer',
        default: 32,
        min: 1,
        description: 'Examples per forward pass (the batched estimate squares per-batch gradients)',
        foreignNames: { dataloader_kwargs: { hint: 'set batch_size (examples per forward pass)' } },
      },
      {
        name: 'fisher_estimate',
        type: 'string',
        default: 'batched',
        choices: FISHER_ESTIMATES,
        description:
          "batched: squared per-batch gradient of Σ √p·log p, as the reference framework; exact: Σ_c p_c (∂log p_c)² per example, the paper's definition (one backward pass per example and class)",
      },
      {
        name: 'normalize_fisher_weight',
        type: 'boolean',
        default: true,
        description: "Divide each model's Fisher by its L2 norm over all parameters before weighting",
      },
      {
        name: 'minimal_fisher_weight',
        type: 'number',
        default: 1e-6,
        exclusiveMin: 0,
        description: 'Added to every Fisher entry, so that no parameter has a zero total weight',
      },
      {
        name: 'exclude_param_names_regex',
        type: 'string[]',
        default: [],
        description:
          "Regular expressions matched at the start of parameter names (Python's re.match, as FusionBench): matching parameters get no Fisher, stay out of each model's Fisher norm, and are averaged",
      },
    ],
    paper: {
      title: 'Merging Models with Fisher-Weighted Averaging (Matena & Raffel, NeurIPS 2022)',
      url: 'https://arxiv.org/abs/2111.09832',
    },
    needs: { labelledTrain: true, heads: true },
  },
  create: ({ params }) => ({
    async run(modelpool, ctx) {
      const who = 'method fisher';
      const data = resolveService(ctx.container, TOKENS.taskData, who);
      const heads = resolveService(ctx.container, TOKENS.taskHeads, who);
      const { model, report } = await mergeFisher(
        modelpool,
        { data, heads },
        {
          numExamples: params.num_examples as number,
          batchSize: params.batch_size as number,
          estimate: params.fisher_estimate as FisherEstimate,
          normalizeFisherWeight: params.normalize_fisher_weight as boolean,
          minimalFisherWeight: params.minimal_fisher_weight as number,
          excludeParamNamesRegex: params.exclude_param_names_regex as string[],
          seed: ctx.seed,
          logger: ctx.logger,
        },
      );
      return { kind: 'model', model, artifacts: { fisher: report } };
    },
  }),
};
