// The entry core's backend selection loads (`@mergebench/backend-native/mergebench-backend`,
// found by the package's `mergebench-backend` keyword): the backend's name, priority and probe,
// without loading the addon. The probe loads the package (index.ts), which registers the tfjs
// backend or throws one line saying why it cannot (the addon was not built).
import type { BackendProbeResult, MergebenchBackend } from '@mergebench/core';

/** Above wasm (2), below native TensorFlow (tfjs-node, 3): as the tfjs registration (register.ts). */
export const PRIORITY = 2.5;

const backend: MergebenchBackend = {
  name: 'native',
  priority: PRIORITY,
  async probe(): Promise<BackendProbeResult> {
    await import('./index.js');
    return { ok: true };
  },
};

export default backend;
