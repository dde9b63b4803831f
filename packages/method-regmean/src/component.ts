import { type Component, type Method, resolveService, TOKENS } from '@mergebench/core';
import { mergeRegMean } from './regmean-merging.js';

export const regmeanMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'regmean',
    description:
      "RegMean: merges every Linear layer in closed form, as the weight that best reproduces all fine-tuned layers' outputs on their own tasks' inputs (from the inputs' Gram matrices); other parameters are averaged.",
    params: [
      {
        name: 'num_examples',
        type: 'integer',
        default: 256,
        min: 1,
        aliases: ['num_regmean_examples'],
        description: "Training examples of each model's task the Gram matrices are taken over",
        foreignNames: {
          exclude_param_names_regex: { accepts: [[]], hint: 'every Linear layer is merged by RegMean' },
          weight_transpose: {
            accepts: [true],
            hint: "weights are in Hugging Face's [out, in] layout and transposed where needed",
          },
        },
      },
      {
        name: 'batch_size',
        type: 'integer',
        default: 32,
        min: 1,
        description: 'Examples per forward pass',
        foreignNames: { dataloader_kwargs: { hint: 'set batch_size (examples per forward pass)' } },
      },
      {
        name: 'reduce_non_diagonal_ratio',
        type: 'number',
        default: 0.95,
        min: 0,
        max: 1,
        description:
          "α: the Gram matrices' off-diagonal entries are multiplied by it (1: plain RegMean; 0: per-feature weighted average)",
      },
    ],
    paper: {
      title: 'Dataless Knowledge Fusion by Merging Weights of Language Models (Jin et al., ICLR 2023)',
      url: 'https://arxiv.org/abs/2212.09849',
    },
    needs: { labelledTrain: true },
  },
  create: ({ params }) => ({
    async run(modelpool, ctx) {
      const data = resolveService(ctx.container, TOKENS.taskData, 'method regmean');
      const { model, report } = await mergeRegMean(modelpool, data, {
        numExamples: params.num_examples as number,
        batchSize: params.batch_size as number,
        reduceNonDiagonalRatio: params.reduce_non_diagonal_ratio as number,
        seed: ctx.seed,
        logger: ctx.logger,
      });
      return { kind: 'model', model, artifacts: { regmean: report } };
    },
  }),
};
