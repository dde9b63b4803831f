// `pnpm bench:backend-native [matmul] [forward] [wemoe]`: @mergebench/backend-native beside PyTorch
// (Debian's, OpenBLAS) in one run, each measurement in a child process of its own: matMul GFLOP/s
// at transformer shapes, CLIP ViT-B/32 image-tower forward images/s (clip-forward's forward), and
// one WEMoE adaptation step on a ViT-B/32-sized 8-task model (wemoe's model and step), then a table.
// BENCH_WEMOE_BATCH (images per task, 16) and BENCH_WEMOE_STEPS (2) size the last one;
// BENCH_WEMOE_TORCH (default 'scaled,reference') picks the PyTorch steps beside it.
// BENCH_TORCH_DEVICE=cuda runs every PyTorch side on the GPU (the scripts' --device; cpu by default).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable } from '@mergebench/core';
import { MATMUL_CASES } from '../matmul-shapes.js';
import { BENCH_MODELS, BENCH_TASKS } from '../wemoe/models.js';

const SECTIONS = ['matmul', 'forward', 'wemoe'] as const;
type Section = (typeof SECTIONS)[number];

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const REFERENCE = '../../../../tools/reference/';
const FORWARD_SCRIPT = here('../clip-forward/forward.js');
/** The wemoe subject's step (its model, data and step), run here on the native backend. */
const WEMOE_STEP_SCRIPT = here('../wemoe/step.js');
/** Pythons tried for PyTorch, first that imports torch; TORCH_PYTHON picks one. */
const PYTHONS = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['/usr/bin/python3', 'python3'];
const CORES = cpus().length;
/** Where the PyTorch side computes: cpu (the default) or cuda. */
const TORCH_DEVICE = process.env.BENCH_TORCH_DEVICE ?? 'cpu';
const FORWARD_BATCH = 32;
const WEMOE_BATCH = Number(process.env.BENCH_WEMOE_BATCH ?? 16);
const WEMOE_STEPS = Number(process.env.BENCH_WEMOE_STEPS ?? 2);
/** The reference's per-sample loop takes about 5x the scaled step: a quick run leaves it out. */
const WEMOE_TORCH_MODES = (process.env.BENCH_WEMOE_TORCH ?? 'scaled,reference').split(',');

/**
 * Rounds of every measurement, interleaved (native, then each PyTorch run, again): on a shared
 * machine the fastest of each side over the rounds is compared, so that one slow stretch does not
 * decide a ratio. BENCH_ROUNDS, 3 by default.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

type Outcome<T> = T | { error: string };
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';
const failed = <T extends object>(o: Outcome<T>): o is { error: string } => 'error' in o;

function run<T>(command: string, args: string[], label: string, env = process.env): Outcome<T> {
  process.stderr.write(`${label}…\n`);
  const child = spawnSync(command, args, {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.status !== 0) {
    const lines = (child.stderr ?? '').split('\n');
    const reason = lines.find((line) => /Error|error:/.test(line)) ?? `exit ${child.status ?? child.signal}`;
    return { error: reason.trim().slice(0, 160) };
  }
  try {
    return JSON.parse(lastLine(child.stdout)) as T;
  } catch {
    return { error: `unreadable output: ${lastLine(child.stdout).slice(0, 80)}` };
  }
}

function torchPython(): string | undefined {
  return PYTHONS.find(
    (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

const ratio = (ours: number | undefined, reference: number | undefined) =>
  ours && reference ? `${(ours / reference).toFixed(2)}×` : '-';
const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));
const torchThreads = [...new Set([1, CORES])];

interface Timed {
  readonly label: string;
  readonly seconds: number;
  readonly gflops: number;
}

/** The fastest of each product over the rounds (a failed round is skipped while another succeeded). */
function fastest(rounds: Outcome<{ results: Timed[] }>[]): Outcome<{ results: Timed[] }> {
  const ok = rounds.filter((r): r is { results: Timed[] } => !failed(r));
  if (ok.length === 0) return rounds[0];
  return {
    results: ok[0].results.map((_, i) => ok.map((r) => r.results[i]).sort((a, b) => b.gflops - a.gflops)[0]),
  };
}

function matmulSection(python: string | undefined): string {
  const nativeRounds: Outcome<{ results: Timed[] }>[] = [];
  const openblasRounds: Outcome<{ results: Timed[] }>[] = [];
  const torchRounds: Outcome<{ results: Timed[] }>[][] = torchThreads.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    nativeRounds.push(matmulNative('auto'));
    openblasRounds.push(matmulNative('openblas'));
    matmulTorch(python).forEach((r, i) => {
      torchRounds[i].push(r);
    });
  }
  return matmulTable(fastest(nativeRounds), fastest(openblasRounds), torchRounds.map(fastest));
}

/** The native backend as installed ('auto'), or with every product on OpenBLAS: the libraries side by side. */
function matmulNative(gemm: 'auto' | 'openblas'): Outcome<{ results: Timed[] }> {
  return run<{ results: Timed[] }>(
    process.execPath,
    [here('./matmul.js')],
    `matMul, native (${gemm === 'auto' ? 'as installed' : 'OpenBLAS only'})`,
    { ...process.env, MERGEBENCH_NATIVE_GEMM: gemm },
  );
}

function matmulTorch(python: string | undefined): Outcome<{ results: Timed[] }>[] {
  return torchThreads.map((threads) =>
    python
      ? run<{ results: Timed[] }>(
          python,
          [
            here(`${REFERENCE}bench_backend_native.py`),
            '--shapes',
            JSON.stringify(MATMUL_CASES),
            '--threads',
            String(threads),
            '--device',
            TORCH_DEVICE,
          ],
          `matMul, PyTorch ${threads} thread(s)`,
        )
      : { error: 'no python with torch' },
  );
}

function matmulTable(
  native: Outcome<{ results: Timed[] }>,
  openblas: Outcome<{ results: Timed[] }>,
  torch: Outcome<{ results: Timed[] }>[],
): string {
  const rows = MATMUL_CASES.map((c, i) => {
    const ours = failed(native) ? undefined : native.results[i].gflops;
    const blas = failed(openblas) ? undefined : openblas.results[i].gflops;
    const refs = torch.map((t) => (failed(t) ? undefined : t.results[i].gflops));
    const all = refs.at(-1);
    const known = refs.filter((r): r is number => r !== undefined);
    const best = known.length > 0 ? Math.max(...known) : undefined;
    return [
      c.label,
      fixed(ours),
      fixed(blas),
      ...refs.map((r) => fixed(r)),
      ratio(ours, all),
      ratio(ours, best),
    ];
  });
  const errors = [native, openblas, ...torch].filter(failed).map((e) => e.error);
  return (
    `matMul GFLOP/s (fastest of 5 after a warm-up, in each of ${ROUNDS} interleaved rounds)${errors.length ? `; not run: ${errors.join('; ')}` : ''}\n\n` +
    formatTable(
      [
        'product',
        'tfjs native',
        'native, OpenBLAS only',
        ...torchThreads.map((t) => `PyTorch ${t} thread${t === 1 ? '' : 's'}`),
        `native ÷ PyTorch ${CORES} threads`,
        'native ÷ best PyTorch',
      ],
      rows,
    )
  );
}

interface ForwardResult {
  readonly imagesPerSecond?: number;
  readonly secondsPerBatch?: number;
  readonly peakRssMb?: number;
  readonly error?: string;
}

/** The round with the most images per second (a failed round is skipped while another succeeded). */
function fastestForward(rounds: Outcome<ForwardResult>[]): Outcome<ForwardResult> {
  const ok = rounds.filter((r): r is ForwardResult => !failed(r) && r.error === undefined);
  if (ok.length === 0) return rounds[0];
  return ok.sort((a, b) => (b.imagesPerSecond ?? 0) - (a.imagesPerSecond ?? 0))[0];
}

function forwardSection(python: string | undefined): string {
  const nativeRounds: Outcome<ForwardResult>[] = [];
  const torchRounds: Outcome<ForwardResult>[][] = torchThreads.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    nativeRounds.push(
      run<ForwardResult>(
        process.execPath,
        [FORWARD_SCRIPT, 'native', String(FORWARD_BATCH), '2'],
        'ViT-B/32 forward, native',
      ),
    );
    forwardTorch(python).forEach((r, i) => {
      torchRounds[i].push(r);
    });
  }
  return forwardTable(fastestForward(nativeRounds), torchRounds.map(fastestForward));
}

function forwardTorch(python: string | undefined): Outcome<ForwardResult>[] {
  return torchThreads.map((threads) => {
    if (!python) return { error: 'no python with torch' };
    const out = run<{ images_per_second: number; seconds_per_batch: number; peak_rss_mb: number }>(
      python,
      [
        here(`${REFERENCE}bench_clip_forward.py`),
        '--batch',
        String(FORWARD_BATCH),
        '--repeats',
        '2',
        '--threads',
        String(threads),
        '--device',
        TORCH_DEVICE,
      ],
      `ViT-B/32 forward, PyTorch ${threads} thread(s)`,
    );
    return failed(out)
      ? out
      : {
          imagesPerSecond: out.images_per_second,
          secondsPerBatch: out.seconds_per_batch,
          peakRssMb: out.peak_rss_mb,
        };
  });
}

function forwardTable(native: Outcome<ForwardResult>, torch: Outcome<ForwardResult>[]): string {
  const reference = torch.at(-1);
  const referenceIps = reference && !failed(reference) ? reference.imagesPerSecond : undefined;
  const row = (name: string, r: Outcome<ForwardResult>) =>
    failed(r) || r.error !== undefined
      ? [name, '-', '-', '-', `not run: ${failed(r) ? r.error : r.error}`]
      : [
          name,
          fixed(r.secondsPerBatch, 2),
          fixed(r.imagesPerSecond, 2),
          fixed(r.peakRssMb, 0),
          ratio(r.imagesPerSecond, referenceIps),
        ];
  return (
    `CLIP ViT-B/32 image tower forward, batch ${FORWARD_BATCH} (fastest of 2 after a warm-up, in each of ${ROUNDS} interleaved rounds)\n\n` +
    formatTable(
      ['run', 's/batch', 'images/s', 'peak RSS MB', `speed ÷ PyTorch ${CORES} threads`],
      [
        row('tfjs native', native),
        ...torch.map((r, i) =>
          row(`PyTorch ${torchThreads[i]} thread${torchThreads[i] === 1 ? '' : 's'}`, r),
        ),
      ],
    )
  );
}

interface StepResult {
  readonly stepSeconds: number[];
  readonly evalSeconds: number;
  readonly peakRssMb: number;
}

function wemoeSection(python: string | undefined): string {
  const native = run<StepResult>(
    process.execPath,
    [WEMOE_STEP_SCRIPT, 'b32', String(WEMOE_BATCH), String(WEMOE_STEPS)],
    'WEMoE step, native',
    { ...process.env, MERGEBENCH_BACKEND: 'native' },
  );
  const modes = (['scaled', 'reference'] as const).filter((mode) => WEMOE_TORCH_MODES.includes(mode));
  const torch = modes.map((mode) =>
    python
      ? run<{ step_seconds: number[]; eval_seconds: number; peak_rss_mb: number }>(
          python,
          [
            here(`${REFERENCE}bench_wemoe_step.py`),
            ...['--config', JSON.stringify(BENCH_MODELS.b32.config), '--tasks', String(BENCH_TASKS)],
            ...[
              '--batch',
              String(WEMOE_BATCH),
              '--steps',
              String(WEMOE_STEPS),
              '--threads',
              String(CORES),
              '--mode',
              mode,
              '--device',
              TORCH_DEVICE,
            ],
          ],
          `WEMoE step, PyTorch (${mode})`,
        )
      : { error: 'no python with torch' },
  );
  const nativeStep = failed(native) ? undefined : Math.min(...native.stepSeconds);
  const rows = [
    failed(native)
      ? ['tfjs native', '-', '-', '-', '-', `not run: ${native.error}`]
      : [
          'tfjs native',
          fixed(nativeStep, 2),
          fixed(native.evalSeconds, 2),
          fixed(native.peakRssMb, 0),
          '',
          '',
        ],
    ...torch.map((t, i) => {
      const name = `PyTorch ${CORES} threads, ${modes[i]}`;
      if (failed(t)) return [name, '-', '-', '-', '-', `not run: ${t.error}`];
      const step = Math.min(...t.step_seconds);
      return [
        name,
        fixed(step, 2),
        fixed(t.eval_seconds, 2),
        fixed(t.peak_rss_mb, 0),
        ratio(nativeStep, step),
        '',
      ];
    }),
  ];
  return (
    `WEMoE adaptation step on a ViT-B/32-sized ${BENCH_TASKS}-task model: ${BENCH_TASKS} tasks × ${WEMOE_BATCH} images, ` +
    `forward + backward, one Adam update of the routers (fastest of ${WEMOE_STEPS} steps). PyTorch 'scaled' applies ` +
    "per-sample weights as method-wemoe does; 'reference' merges a state dict per sample as the reference framework does.\n\n" +
    formatTable(['run', 's/step', 'eval s/batch', 'peak RSS MB', 'native time ÷ this', 'note'], rows)
  );
}

const asked = process.argv.slice(2);
const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length > 0) throw new Error(`unknown section ${unknown[0]}; expected ${SECTIONS.join(', ')}`);
const sections: Section[] = asked.length > 0 ? (asked as Section[]) : [...SECTIONS];
const python = torchPython();

/** The vector extensions that decide a product kernel's speed, as /proc/cpuinfo lists them. */
function vectorExtensions(): string {
  try {
    const flags = new Set(
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^flags\s*:(.*)$/m)?.[1]
        .trim()
        .split(/\s+/),
    );
    const wanted = [
      'avx2',
      'fma',
      'avx512f',
      'avx512_vnni',
      'avx512_bf16',
      'avx512_fp16',
      'amx_bf16',
      'neon',
      'asimd',
    ];
    const present = wanted.filter((f) => flags.has(f));
    return present.length > 0 ? present.join(' ') : 'no AVX2';
  } catch {
    return 'extensions unknown';
  }
}

/** Which libraries multiply, as the addon reports it (OpenBLAS alone where oneDNN is missing). */
async function productLibraries(): Promise<string> {
  try {
    const { nativeThreads } = await import('@mergebench/backend-native');
    return nativeThreads().products;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const machine =
  `float32, ${CORES} cores (${cpus()[0]?.model ?? 'unknown cpu'}; ${vectorExtensions()})\n` +
  `native products: ${await productLibraries()}\nload average at the start (1, 5, 15 min): ${load()}`;
const builders: Record<Section, (python: string | undefined) => string> = {
  matmul: matmulSection,
  forward: forwardSection,
  wemoe: wemoeSection,
};
process.stdout.write(
  `tfjs native backend beside PyTorch${TORCH_DEVICE === 'cpu' ? '' : ` on ${TORCH_DEVICE}`}, ${machine}\n`,
);
// Each table as soon as it is measured: the WEMoE step takes minutes.
for (const section of sections) process.stdout.write(`\n${builders[section](python)}\n`);
process.stdout.write(`\nload average at the end (1, 5, 15 min): ${load()}\n`);
