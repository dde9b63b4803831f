// Preloaded into a mergebench run by faults.test.ts (node --import): once the run's second
// saved training state is on disk, it destroys the run's GPU device — a real device loss, mid-run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const marker = join(process.cwd(), 'runs', 'lost', 'training-state', 'adamerging-task-wise', 'step-00000002');
const timer = setInterval(() => {
  const backend = tf.engine().backendInstance;
  if (existsSync(marker) && backend !== null && 'device' in backend) {
    clearInterval(timer);
    backend.device.destroy();
  }
}, 5);
timer.unref();
