import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, it } from 'vitest';
import plugin from './index.js';

describe('the plugin', () => {
  it('passes the conformance checks, running both methods on the toy pools', async () => {
    await checkPluginConformance(plugin, {
      methodParams: {
        'adamerging-task-wise': { max_steps: 3, checkpoint_every: 2 },
        'adamerging-layer-wise': { max_steps: 3 },
      },
    });
  });
});
