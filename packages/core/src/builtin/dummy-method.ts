import type { Component } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import { PRETRAINED } from '../contracts/model-pool.js';
import { check, listNames } from '../errors.js';

/**
 * Returns one model of the pool unchanged: by default the pretrained model (the zero-shot
 * baseline and a smoke test of a run); with `model` set, a fine-tuned one (the "individual" rows
 * of a leaderboard).
 */
export const dummyMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'dummy',
    description:
      'Returns one model of the pool unchanged: the pretrained model by default (the zero-shot baseline).',
    params: [
      {
        name: 'model',
        type: 'string',
        default: PRETRAINED,
        description: `The model to return: ${PRETRAINED} or the name of a fine-tuned model`,
      },
    ],
  },
  create: ({ params }) => ({
    async run(modelpool) {
      const name = params.model as string;
      if (name === PRETRAINED) {
        check(modelpool.hasPretrained, `method dummy: the model pool has no ${PRETRAINED} model to return`);
      } else {
        check(
          modelpool.modelNames.includes(name),
          () => `method.model: unknown model '${name}'; the pool has ${listNames(modelpool.modelNames)}`,
        );
      }
      return { kind: 'model', model: await modelpool.loadModel(name) };
    },
  }),
};
