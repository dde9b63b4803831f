// `pnpm bench:adamerging [offline] [small] [b32]`: seconds per layer-wise AdaMerging step (8 tasks, a batch of
// unlabelled images of each, forward and backward through the merged model, one Adam update) on
// MERGEBENCH_BACKEND (default wasm), each model in a child process, next to the same step in
// PyTorch (tools/reference/bench_adamerging_step.py) on as many threads as the backend uses (wasm:
// one; native: every core), and a table of the figures.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable } from '@mergebench/core';
import { BENCH_BACKEND, BENCH_CLASSES, BENCH_MODELS, BENCH_TASKS } from './models.js';
import type { StepMeasurement } from './step.js';

const STEP_SCRIPT = fileURLToPath(new URL('./step.js', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(
  new URL('../../../../tools/reference/bench_adamerging_step.py', import.meta.url),
);
/** Pythons tried for PyTorch, first that imports torch; TORCH_PYTHON picks one. */
const PYTHONS = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['python3', '/usr/bin/python3'];

interface Timing {
  /** Each step's seconds, the first warming up. */
  readonly steps?: readonly number[];
  readonly error?: string;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** The fastest step after the first (on a shared machine the slower ones measure the neighbours). */
function bestStep(steps: readonly number[]): number {
  return Math.min(...(steps.length > 1 ? steps.slice(1) : steps));
}

function runTfjs(name: string): Timing & Partial<StepMeasurement> {
  process.stderr.write(`tfjs ${BENCH_BACKEND}, ${name}…\n`);
  const child = spawnSync(process.execPath, [STEP_SCRIPT, name], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) return { error: `exit ${child.status}` };
  const measured = JSON.parse(lastLine(child.stdout)) as StepMeasurement;
  return { ...measured, steps: measured.stepSeconds };
}

function torchPython(): string | undefined {
  return PYTHONS.find(
    (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

function runTorch(python: string | undefined, name: string): Timing {
  if (python === undefined) return { error: `no python with torch (tried ${PYTHONS.join(', ')})` };
  process.stderr.write(`PyTorch, ${name}…\n`);
  const bench = BENCH_MODELS[name];
  const args = [
    TORCH_SCRIPT,
    '--config',
    JSON.stringify(bench.config),
    '--tasks',
    String(BENCH_TASKS),
    '--batch',
    String(BENCH_MODELS[name].batch),
    '--classes',
    String(BENCH_CLASSES),
    '--steps',
    String(bench.steps),
    '--threads',
    String(TORCH_THREADS),
  ];
  const child = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) return { error: lastLine(child.stderr) };
  return { steps: (JSON.parse(lastLine(child.stdout)) as { step_seconds: number[] }).step_seconds };
}

/** wasm runs on one thread in Node; other backends use every core. */
const TORCH_THREADS = BENCH_BACKEND === 'wasm' ? 1 : cpus().length;

const seconds = (timing: Timing) => (timing.steps ? bestStep(timing.steps).toFixed(2) : '-');
const stepList = (timing: Timing) =>
  timing.steps?.map((s) => s.toFixed(1)).join(', ') ?? `not run: ${timing.error}`;

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(BENCH_MODELS);
const unknown = names.filter((name) => !(name in BENCH_MODELS));
if (unknown.length > 0)
  throw new Error(`unknown model ${unknown[0]}; expected ${Object.keys(BENCH_MODELS).join(', ')}`);
const python = torchPython();
const rows: string[][] = [];
for (const name of names) {
  const tfjs = runTfjs(name);
  const torch = runTorch(python, name);
  const ratio =
    tfjs.steps && torch.steps ? `${(bestStep(tfjs.steps) / bestStep(torch.steps)).toFixed(1)}×` : '-';
  rows.push([
    BENCH_MODELS[name].label,
    `${BENCH_TASKS} × ${BENCH_MODELS[name].batch}${BENCH_MODELS[name].microBatch ? ` (passes of ${BENCH_MODELS[name].microBatch})` : ''}`,
    tfjs.parameters ? `${(tfjs.parameters / 1e6).toFixed(1)}M in ${tfjs.parameterTensors}` : '-',
    seconds(tfjs),
    seconds(torch),
    ratio,
    `tfjs: ${stepList(tfjs)}; PyTorch: ${stepList(torch)}`,
    tfjs.peakRssMb ? tfjs.peakRssMb.toFixed(0) : '-',
  ]);
}

process.stdout.write(
  'Layer-wise AdaMerging, seconds per step (a batch of every task, forward and backward through the merged ' +
    `model, one Adam update); float32, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}). ` +
    'Fastest step after the first.\n\n',
);
process.stdout.write(
  `${formatTable(
    [
      'model',
      'tasks × images',
      'parameters (tensors)',
      `tfjs ${BENCH_BACKEND} s/step`,
      `PyTorch ${TORCH_THREADS} thread${TORCH_THREADS > 1 ? 's' : ''} s/step`,
      'tfjs / PyTorch',
      'every step, s',
      'tfjs peak RSS MB',
    ],
    rows,
  )}\n`,
);
