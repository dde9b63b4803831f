import type { Component } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import { PRETRAINED } from '../contracts/model-pool.js';
import { check } from '../errors.js';

/** Returns the pretrained model unchanged: the zero-shot baseline, and a smoke test of a run. */
export const dummyMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'dummy',
    description: 'Returns the pretrained model unchanged (the zero-shot baseline).',
    params: [],
  },
  create: () => ({
    async run(modelpool) {
      check(modelpool.hasPretrained, `method dummy: the model pool has no ${PRETRAINED} model to return`);
      return { kind: 'model', model: await modelpool.loadModel(PRETRAINED) };
    },
  }),
};
