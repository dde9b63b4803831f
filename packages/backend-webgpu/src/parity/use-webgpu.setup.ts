// Runs another package's test file on the webgpu backend: registers it (throws one line when there
// is no adapter, e.g. no Vulkan driver), makes it tfjs's backend before the file's tests run, and
// checks afterwards that they ran there.
import * as tf from '@tensorflow/tfjs';
import { afterAll } from 'vitest';
import '../index.js';

tf.env().set('IS_TEST', true);
// Runs through mergebench's program (end-to-end tests) select their backend from the environment.
process.env.MERGEBENCH_BACKEND = 'webgpu';
if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu: tfjs could not initialise the webgpu backend');

afterAll(() => {
  if (tf.getBackend() !== 'webgpu') throw new Error(`the tests switched the backend to ${tf.getBackend()}`);
});
