// `pnpm bench:wemoe [small] [b32]`: seconds per WEMoE adaptation step (8 tasks × 16 unlabelled images,
// forward and backward through the upscaled model, one Adam update of the routers) on the wasm
// backend, each model in a child process, next to the same step in PyTorch on one thread, as wasm
// runs in Node (tools/reference/bench_wemoe_step.py, both ways of applying per-sample weights);
// first, the two per-sample strategies timed at one ViT-B/32 MLP's shapes.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable } from '@mergebench/core';
import { BENCH_CLASSES, BENCH_MODELS, BENCH_TASKS, STRATEGY_BATCH } from './models.js';
import type { StepMeasurement } from './step.js';
import type { StrategyMeasurement, StrategyTiming } from './strategies.js';

const script = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));
const TORCH_SCRIPT = fileURLToPath(
  new URL('../../../../tools/reference/bench_wemoe_step.py', import.meta.url),
);
/** Pythons tried for PyTorch, first that imports torch; TORCH_PYTHON picks one. */
const PYTHONS = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['python3', '/usr/bin/python3'];
const TORCH_MODES = ['reference', 'scaled'] as const;

interface TorchTiming {
  readonly steps?: readonly number[];
  readonly evalSeconds?: number;
  readonly error?: string;
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';
const mib = (bytes: number | null | undefined) => (bytes ? (bytes / 2 ** 20).toFixed(0) : '-');
const fastest = (steps: readonly number[] | undefined) => (steps ? Math.min(...steps) : undefined);
const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));

function runNode<T>(name: string, args: string[]): T | { error: string } {
  const child = spawnSync(process.execPath, [script(name), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
    // This table is wasm's beside single-threaded PyTorch; backend-native's bench runs the step on native.
    env: { ...process.env, MERGEBENCH_BACKEND: 'wasm' },
  });
  if (child.status !== 0) return { error: `exit ${child.status}` };
  return JSON.parse(lastLine(child.stdout)) as T;
}

function torchPython(): string | undefined {
  return PYTHONS.find(
    (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

function runTorch(python: string | undefined, name: string, mode: string): TorchTiming {
  if (python === undefined) return { error: `no python with torch (tried ${PYTHONS.join(', ')})` };
  process.stderr.write(`PyTorch (${mode}), ${name}…\n`);
  const bench = BENCH_MODELS[name];
  const args = [
    TORCH_SCRIPT,
    ...['--config', JSON.stringify(bench.config), '--tasks', String(BENCH_TASKS)],
    ...['--batch', String(bench.batch), '--classes', String(BENCH_CLASSES)],
    ...['--steps', String(bench.steps), '--threads', '1', '--mode', mode],
  ];
  const child = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) return { error: lastLine(child.stderr) };
  const out = JSON.parse(lastLine(child.stdout)) as { step_seconds: number[]; eval_seconds: number };
  return { steps: out.step_seconds, evalSeconds: out.eval_seconds };
}

function strategyRows(measured: StrategyMeasurement | { error: string }): string[][] {
  if ('error' in measured) return [['not run', measured.error, '', '', '', '']];
  const row = (label: string, t: StrategyTiming) => [
    label,
    t.forwardSeconds.toFixed(2),
    t.forwardBackwardSeconds.toFixed(2),
    mib(t.forwardIntermediateBytes),
    mib(t.backwardIntermediateBytes),
  ];
  return [
    row('scaled inputs (used): Σₑ Wₑ [out, in] · (xᵀ ⊙ cₑ) [in, B·N]', measured.scaledInputs),
    row(
      'assembled weights: [B, E] · [E, in·out], then batched [B, N, in] · [B, in, out]',
      measured.assembledWeights,
    ),
  ];
}

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(BENCH_MODELS);
const unknown = names.filter((name) => !(name in BENCH_MODELS));
if (unknown.length > 0)
  throw new Error(`unknown model ${unknown[0]}; expected ${Object.keys(BENCH_MODELS).join(', ')}`);
const python = torchPython();

process.stderr.write('per-sample strategies, wasm…\n');
const strategies = runNode<StrategyMeasurement>('strategies', []);
const rows: string[][] = [];
for (const name of names) {
  process.stderr.write(`tfjs wasm, ${name}…\n`);
  const tfjs = runNode<StepMeasurement>('step', [name]);
  const torch = Object.fromEntries(TORCH_MODES.map((mode) => [mode, runTorch(python, name, mode)]));
  const ok = !('error' in tfjs);
  const step = ok ? fastest(tfjs.stepSeconds) : undefined;
  const reference = fastest(torch.reference.steps);
  rows.push([
    BENCH_MODELS[name].label,
    String(BENCH_MODELS[name].batch),
    ok ? `${(tfjs.parameters / 1e6).toFixed(1)}M (${(tfjs.trainableParameters / 1e6).toFixed(2)}M)` : '-',
    fixed(step),
    fixed(reference),
    fixed(fastest(torch.scaled.steps)),
    step && reference ? `${(step / reference).toFixed(1)}×` : '-',
    ok ? fixed(tfjs.evalSeconds, 2) : '-',
    `${fixed(torch.reference.evalSeconds, 2)} / ${fixed(torch.scaled.evalSeconds, 2)}`,
    ok ? mib(tfjs.expertBytes) : '-',
    ok ? `${mib(tfjs.peakTensorBytes)} / ${mib(tfjs.wasmHeapBytes)}` : '-',
    ok ? tfjs.peakRssMb.toFixed(0) : `not run: ${tfjs.error}`,
  ]);
}

const machine = `float32, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'})`;
process.stdout.write(
  `Per-sample MLP weights at one ViT-B/32 fc1 (768 → 3072), ${BENCH_TASKS} task vectors, ` +
    `${STRATEGY_BATCH} × 50 tokens, wasm, seconds (one run each); ${machine}.\n\n`,
);
process.stdout.write(
  `${formatTable(
    [
      'strategy',
      'forward s',
      'forward + backward s',
      'largest forward intermediate MiB',
      'largest backward intermediate MiB',
    ],
    strategyRows(strategies),
  )}\n\n`,
);
process.stdout.write(
  `WEMoE adaptation, seconds per step: ${BENCH_TASKS} tasks × a batch of images each, forward + backward ` +
    'through the upscaled model (2-layer routers, per-sample routing), one Adam update of the routers; ' +
    `${machine}. Fastest of the timed steps (${names.map((n) => `${n}: ${BENCH_MODELS[n].steps}`).join(', ')}).\n\n`,
);
process.stdout.write(
  `${formatTable(
    [
      'model',
      'images per task',
      'parameters (trainable)',
      'tfjs wasm s/step',
      'PyTorch reference s/step',
      'PyTorch scaled s/step',
      'wasm / PyTorch reference',
      'wasm eval s/batch',
      'PyTorch eval s/batch (ref / scaled)',
      'experts MiB',
      'tensors at end of forward / wasm heap MiB',
      'tfjs peak RSS MB',
    ],
    rows,
  )}\n`,
);
