import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, it } from 'vitest';
import plugin from './index.js';

describe('the plugin', () => {
  it('passes the conformance checks, running wemoe on the toy pools', async () => {
    await checkPluginConformance(plugin, { methodParams: { wemoe: { max_steps: 3 } } });
  });
});
