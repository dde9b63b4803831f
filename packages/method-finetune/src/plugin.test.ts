import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, it } from 'vitest';
import plugin from './index.js';

describe('the plugin', () => {
  it('passes the conformance checks, running both methods on the toy pools', async () => {
    await checkPluginConformance(plugin, {
      methodParams: {
        finetune: { task: 'toy0', steps: 5, save_state_every: 2 },
        'multitask-finetune': { steps: 5, save_state_every: 0 },
      },
    });
  });
});
