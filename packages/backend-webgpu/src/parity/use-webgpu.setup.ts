// Runs another package's test file on the webgpu backend: registers it (throws one line when there
// is no adapter, e.g. no Vulkan driver) and starts every test on it. Tests that name a backend of
// their own (end-to-end runs with backend=cpu) keep theirs; runs through mergebench's program that
// name none select webgpu from the environment.
import * as tf from '@tensorflow/tfjs';
import { beforeEach } from 'vitest';
import '../index.js';

tf.env().set('IS_TEST', true);
process.env.MERGEBENCH_BACKEND = 'webgpu';

beforeEach(async () => {
  if (!(await tf.setBackend('webgpu')))
    throw new Error('webgpu: tfjs could not initialise the webgpu backend');
});
