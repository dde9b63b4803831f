// `pnpm bench:clip-forward`: forward throughput and peak RSS of a random CLIP ViT-B/32 image tower (batch 32)
// on every registered tensor backend (core's registry: tfjs's own and the backend packages installed),
// each in a child process, next to the same forward in
// PyTorch (tools/reference/bench_clip_forward.py), and a table of the figures.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { backendNames, formatTable } from '@mergebench/core';
import type { ForwardMeasurement } from './forward.js';

const BATCH = 32;
const REPEATS = 2;
const FORWARD_SCRIPT = fileURLToPath(new URL('./forward.js', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(
  new URL('../../../../tools/reference/bench_clip_forward.py', import.meta.url),
);
/** Pythons tried for PyTorch, first that imports torch; TORCH_PYTHON picks one. */
const PYTHONS = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['python3', '/usr/bin/python3'];

interface Row {
  readonly name: string;
  readonly measurement?: Omit<ForwardMeasurement, 'backend'>;
}

function lastJsonLine(stdout: string): unknown {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line);
}

function runBackend(backend: string): Row {
  process.stderr.write(`tfjs ${backend}…\n`);
  const child = spawnSync(process.execPath, [FORWARD_SCRIPT, backend, String(BATCH), String(REPEATS)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0)
    return { name: `tfjs ${backend}`, measurement: { error: child.stderr.trim().split('\n').at(-1) } };
  return { name: `tfjs ${backend}`, measurement: lastJsonLine(child.stdout) as ForwardMeasurement };
}

function torchPython(): string | undefined {
  return PYTHONS.find(
    (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

function runTorch(python: string, threads: number): Row {
  process.stderr.write(`PyTorch, ${threads} thread(s)…\n`);
  const args = [
    TORCH_SCRIPT,
    '--batch',
    String(BATCH),
    '--repeats',
    String(REPEATS),
    '--threads',
    String(threads),
  ];
  const child = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const name = `PyTorch ${threads} thread${threads === 1 ? '' : 's'}`;
  if (child.status !== 0) return { name, measurement: { error: child.stderr.trim().split('\n').at(-1) } };
  const result = lastJsonLine(child.stdout) as Record<string, number>;
  return {
    name,
    measurement: {
      batch: result.batch,
      secondsPerBatch: result.seconds_per_batch,
      imagesPerSecond: result.images_per_second,
      peakRssMb: result.peak_rss_mb,
    },
  };
}

function formatRow({ name, measurement: m }: Row, reference: number | undefined): string[] {
  if (!m || m.error !== undefined || m.imagesPerSecond === undefined) {
    return [name, '-', '-', '-', '-', '-', `not run: ${m?.error ?? 'unavailable'}`];
  }
  return [
    name,
    String(m.batch),
    m.secondsPerBatch!.toFixed(2),
    m.imagesPerSecond.toFixed(2),
    reference ? `${(reference / m.imagesPerSecond).toFixed(2)}×` : '-',
    m.peakRssMb!.toFixed(0),
    m.extrapolated ? `1 image timed, extrapolated to batch ${BATCH}` : '',
  ];
}

// In the order `auto` tries them; a backend that cannot run here gets a row saying why.
const rows: Row[] = (await backendNames()).map(runBackend);
const python = torchPython();
const torchRows = python
  ? [...new Set([1, cpus().length])].map((threads) => runTorch(python, threads))
  : [
      {
        name: 'PyTorch',
        measurement: { error: `no python with torch (tried ${PYTHONS.join(', ')}; set TORCH_PYTHON)` },
      },
    ];
const reference = torchRows.find((row) => row.measurement?.imagesPerSecond)?.measurement?.imagesPerSecond;

process.stdout.write(
  `CLIP ViT-B/32 image tower forward, batch ${BATCH}, float32, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'})\n\n`,
);
process.stdout.write(
  `${formatTable(
    ['run', 'batch timed', 's/batch', 'images/s', 'time vs PyTorch 1 thread', 'peak RSS MB', 'note'],
    [...rows, ...torchRows].map((row) => formatRow(row, reference)),
  )}\n`,
);
