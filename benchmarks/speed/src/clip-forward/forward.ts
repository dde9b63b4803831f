// One backend's measurement for `pnpm bench:clip-forward`, run in a child process of its own so that its peak
// RSS is its own: builds a random ViT-B/32 image tower, runs one warm-up image, then times
// forward passes (keeping the fastest), and prints one JSON line (ForwardMeasurement).
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import * as tf from '@tensorflow/tfjs';

export interface ForwardMeasurement {
  readonly backend: string;
  /** Why the backend could not run, when it could not. */
  readonly error?: string;
  /** The batch size timed (smaller than asked on slow backends: see `extrapolated`). */
  readonly batch?: number;
  readonly secondsPerBatch?: number;
  readonly imagesPerSecond?: number;
  /** True when throughput at the asked batch size is extrapolated from a smaller batch. */
  readonly extrapolated?: boolean;
  readonly buildSeconds?: number;
  readonly peakRssMb?: number;
}

/** Backends too slow for a full batch in a benchmark run: one image is timed instead. */
const ONE_IMAGE_BACKENDS = new Set(['cpu']);

async function timedForward(model: ClipVisionModelWithProjection, batch: number): Promise<number> {
  const pixels = tf.randomNormal([batch, 3, 224, 224]);
  const start = performance.now();
  const embeds = model.forward(pixels);
  await embeds.data();
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([pixels, embeds]);
  return seconds;
}

async function measure(backend: string, batch: number, repeats: number): Promise<ForwardMeasurement> {
  try {
    await selectBackend(backend);
  } catch (err) {
    return { backend, error: (err as Error).message };
  }
  const buildStart = performance.now();
  const model = new ClipVisionModelWithProjection(clipVisionConfig()).eval();
  const buildSeconds = (performance.now() - buildStart) / 1000;
  await timedForward(model, 1);
  const timedBatch = ONE_IMAGE_BACKENDS.has(backend) ? 1 : batch;
  const runs = ONE_IMAGE_BACKENDS.has(backend) ? 1 : repeats;
  // The fastest run: on a shared machine the slower ones measure the neighbours.
  let secondsPerBatch = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++)
    secondsPerBatch = Math.min(secondsPerBatch, await timedForward(model, timedBatch));
  model.dispose();
  return {
    backend,
    batch: timedBatch,
    secondsPerBatch,
    imagesPerSecond: timedBatch / secondsPerBatch,
    extrapolated: timedBatch !== batch,
    buildSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const [backend, batch, repeats] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(await measure(backend, Number(batch), Number(repeats)))}\n`);
