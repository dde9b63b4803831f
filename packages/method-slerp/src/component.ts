import type { Component, Method } from '@mergebench/core';
import { mergeSlerp } from './slerp.js';

export const slerpMethod: Component<Method> = {
  info: {
    kind: 'method',
    name: 'slerp',
    description:
      'Spherical linear interpolation of the pretrained model (t = 0) and one fine-tuned model (t = 1), tensor by tensor; linear where the tensors are nearly parallel (|cos| > 0.9995), as mergekit.',
    params: [
      {
        name: 't',
        type: 'number',
        default: 0.5,
        min: 0,
        max: 1,
        description: 'Interpolation factor: 0 is the pretrained model, 1 the fine-tuned one',
      },
      {
        name: 'model',
        type: 'string',
        nullable: true,
        default: null,
        description: 'The fine-tuned model to interpolate towards; null: the first of the pool',
      },
    ],
    paper: {
      title: 'Animating Rotation with Quaternion Curves (Shoemake, SIGGRAPH 1985), as used by mergekit',
      url: 'https://dl.acm.org/doi/10.1145/325165.325242',
    },
  },
  create: ({ params }) => ({
    async run(modelpool) {
      const name = (params.model as string | null) ?? modelpool.modelNames[0];
      return { kind: 'model', model: await mergeSlerp(modelpool, params.t as number, name) };
    },
  }),
};
