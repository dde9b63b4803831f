import { averagePool, type ModelPool, type Module } from '@mergebench/core';

/**
 * The mean of the pool's fine-tuned models, (θ₁ + … + θₙ)/n (the pretrained model takes no
 * part), streamed key by key and written into the first model.
 */
export function mergeSimpleAverage(pool: ModelPool): Promise<Module> {
  return averagePool(pool, undefined, { what: 'method simple-average' });
}
