// `pnpm bench:clip-data`: evaluation throughput on a TA8-shaped test set of real-format images (parquet
// shards of JPEGs and PNGs at each task's typical size): decode, CLIP preprocessing and the
// forward pass of a random CLIP ViT-B/32 image tower, beside PyTorch doing the same (Pillow
// decode, CLIPImageProcessor's resize and normalisation, the same tower) in one run, and the
// share of time spent in decode + preprocessing on each side.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatTable, selectBackend } from '@mergebench/core';
import { ClipVisionModelWithProjection, clipVisionConfig } from '@mergebench/modelpool-clip-vit';
import { ClipTaskData, ParquetSplit } from '@mergebench/taskpool-clip-classification';
import * as tf from '@tensorflow/tfjs';
import { TA8_SHAPES, writeTa8Images } from './ta8-images.js';

const PER_TASK = Number(process.env.BENCH_PER_TASK ?? 8);
const BATCH = 32;
const TORCH_SCRIPT = fileURLToPath(
  new URL('../../../../tools/reference/bench_clip_eval.py', import.meta.url),
);
const PYTHONS = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['python3', '/usr/bin/python3'];

interface Side {
  readonly name: string;
  readonly images: number;
  readonly totalSeconds: number;
  readonly inputSeconds: number;
  readonly error?: string;
}

async function openData(dir: string): Promise<ClipTaskData> {
  const tasks = [];
  for (const { task } of TA8_SHAPES) {
    const name = 'data/test-00000-of-00001.parquet';
    const source = await ParquetSplit.open([{ path: join(dir, task, name), name }], 'image', 'label');
    tasks.push({ name: task, numClasses: 10, splits: { test: { source } } });
  }
  return new ClipTaskData(tasks, 224);
}

async function runTfjs(dir: string, backend: string): Promise<Side> {
  const data = await openData(dir);
  // Decode + preprocess alone: every batch of every task, no model.
  let start = performance.now();
  for (const task of data.taskNames) {
    for await (const batch of data.batches(task, 'test', { batchSize: BATCH, unlabelled: true }))
      batch.inputs.dispose();
  }
  const inputSeconds = (performance.now() - start) / 1000;
  const model = new ClipVisionModelWithProjection(clipVisionConfig()).eval();
  tf.tidy(() => model.forward(tf.zeros([1, 3, 224, 224])).dataSync()); // warm-up
  let images = 0;
  start = performance.now();
  for (const task of data.taskNames) {
    for await (const batch of data.batches(task, 'test', { batchSize: BATCH, unlabelled: true })) {
      const embeds = model.forward(batch.inputs);
      await embeds.data();
      images += batch.inputs.shape[0];
      tf.dispose([embeds, batch.inputs]);
    }
  }
  const totalSeconds = (performance.now() - start) / 1000;
  model.dispose();
  return { name: `tfjs ${backend} (sharp decode)`, images, totalSeconds, inputSeconds };
}

function runTorch(dir: string, threads: number): Side {
  const name = `PyTorch ${threads} thread${threads === 1 ? '' : 's'} (Pillow decode)`;
  const python = PYTHONS.find(
    (p) => spawnSync(p, ['-c', 'import torch, PIL'], { stdio: 'ignore' }).status === 0,
  );
  if (!python)
    return {
      name,
      images: 0,
      totalSeconds: 0,
      inputSeconds: 0,
      error: 'no python with torch and PIL (set TORCH_PYTHON)',
    };
  const args = [
    TORCH_SCRIPT,
    '--dir',
    dir,
    '--batch',
    String(BATCH),
    '--threads',
    String(threads),
    '--tasks',
    ...TA8_SHAPES.map((s) => s.task),
  ];
  const child = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0)
    return {
      name,
      images: 0,
      totalSeconds: 0,
      inputSeconds: 0,
      error: child.stderr.trim().split('\n').at(-1),
    };
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
  return { name, images: r.images, totalSeconds: r.total_seconds, inputSeconds: r.input_seconds };
}

const dir = mkdtempSync(join(tmpdir(), 'clip-cls-bench-'));
try {
  process.stderr.write(`writing ${PER_TASK} images per TA8 task…\n`);
  await writeTa8Images(dir, PER_TASK);
  const backend = await selectBackend();
  process.stderr.write(`tfjs ${backend.name}…\n`);
  const sides = [await runTfjs(dir, backend.name)];
  for (const threads of [...new Set([1, cpus().length])]) {
    process.stderr.write(`PyTorch, ${threads} thread(s)…\n`);
    sides.push(runTorch(dir, threads));
  }
  const reference = sides.find((s) => s.name.startsWith('PyTorch') && !s.error);
  process.stdout.write(
    `Evaluation of a random CLIP ViT-B/32 image tower on a TA8-shaped test set: ${PER_TASK} images per task (${TA8_SHAPES.map((s) => `${s.task} ${s.width}x${s.height} ${s.format}`).join(', ')}), batch ${BATCH}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'})\n\n`,
  );
  const rows = sides.map((s) =>
    s.error
      ? [s.name, '-', '-', '-', '-', '-', `not run: ${s.error}`]
      : [
          s.name,
          String(s.images),
          (s.images / s.totalSeconds).toFixed(2),
          reference
            ? `${(reference.images / reference.totalSeconds / (s.images / s.totalSeconds)).toFixed(2)}×`
            : '-',
          (s.images / s.inputSeconds).toFixed(1),
          `${((100 * s.inputSeconds) / s.totalSeconds).toFixed(1)}%`,
          '',
        ],
  );
  process.stdout.write(
    `${formatTable(['run', 'images', 'images/s (all)', 'time vs PyTorch 1 thread', 'images/s (decode+preprocess only)', 'decode+preprocess share', 'note'], rows)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
