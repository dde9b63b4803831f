import { fileURLToPath } from 'node:url';
import { PRETRAINED } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from './index.js';
import { openWeightsPool } from './weights-pool-component.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('the weights model pool', () => {
  it('opens Hugging Face folders of any architecture and streams their weights', async () => {
    const pool = await openWeightsPool({ [PRETRAINED]: 'llama/base', a: 'llama/a', b: 'llama/b' }, FIXTURES);
    expect(pool.modelNames).toEqual(['a', 'b']);
    expect(pool.hasPretrained).toBe(true);
    const source = await pool.openWeights('a');
    expect(source.keys()).toHaveLength(21);
    expect(source.info('lm_head.weight')).toMatchObject({ shape: [64, 16], storedDtype: 'BF16' });
    await source.close();
  });

  it('checks the layout of every model when it opens', async () => {
    await expect(openWeightsPool({ [PRETRAINED]: 'llama/base', a: 'gpt2/a' }, FIXTURES)).rejects.toThrow(
      'model gpt2/a does not have the keys of the base model llama/base: missing model.embed_tokens.weight, model.layers.0.self_attn.q_proj.weight, model.layers.0.self_attn.k_proj.weight, model.layers.0.self_attn.v_proj.weight, … (17 more); extra wte.weight, wpe.weight, h.0.ln_1.weight, h.0.ln_1.bias, … (6 more)',
    );
  });

  it('passes the plugin conformance checks', async () => {
    await checkPluginConformance(plugin);
  });
});
