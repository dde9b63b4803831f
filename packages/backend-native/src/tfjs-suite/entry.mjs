// tfjs-core's own kernel tests (shipped in its npm package as dist/**/*_test.js), run against the
// `native` backend only. Bundled by tools/tfjs-suite/run.mjs so that tfjs, its tests and this backend share one
// tfjs-core (its ES module build) and its extensionless imports resolve.
import { setTestEnvs } from '@tensorflow/tfjs-core/dist/jasmine_util';
import { loadAddon } from '../addon.ts';
import { registerNativeBackend } from '../register.ts';

registerNativeBackend(loadAddon());
setTestEnvs([{ name: 'native', backendName: 'native', flags: {}, isDataSync: true }]);
