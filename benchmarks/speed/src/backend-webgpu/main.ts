// `pnpm bench:backend-webgpu [matmul] [forward] [wemoe]`: @mergebench/backend-webgpu beside the
// native CPU backend, in one run, each measurement in a child process of its own: matMul GFLOP/s at
// ViT-B/32 shapes, CLIP ViT-B/32 image-tower forward images/s (clip-forward's forward) and WEMoE
// adaptation steps (wemoe's model and step: 8 tasks × BENCH_WEMOE_BATCH images).
// On a GPU: batch 32 forward, the b32 WEMoE step at 16 images per task. On a software adapter
// (correctness only, about 1-2 GFLOP/s) the sizes shrink (forward batch 2, the small WEMoE model
// with 1 image per task, one step) so that the run ends in minutes:
// BENCH_FORWARD_BATCH, BENCH_WEMOE_MODEL (b32 or small), BENCH_WEMOE_BATCH and BENCH_BASELINE
// (native, wasm or none) override them. The forward table has a PyTorch row
// (tools/reference/bench_clip_forward.py, same model and batch) on BENCH_TORCH_DEVICE: cuda by
// default on a GPU adapter, cpu on a software one; TORCH_PYTHON picks the Python, BENCH_TORCH=none
// leaves the row out.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatTable } from '@mergebench/core';

const SECTIONS = ['matmul', 'forward', 'wemoe'] as const;
type Section = (typeof SECTIONS)[number];
const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const FORWARD_SCRIPT = here('../clip-forward/forward.js');
const WEMOE_STEP_SCRIPT = here('../wemoe/step.js');

type Outcome<T> = T | { error: string };
const failed = <T extends object>(o: Outcome<T>): o is { error: string } => 'error' in o;
const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));

function run<T>(
  args: string[],
  label: string,
  env: NodeJS.ProcessEnv = process.env,
  command = process.execPath,
): Outcome<T> {
  process.stderr.write(`${label}…\n`);
  const child = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0) {
    const reason = child.stderr
      .split('\n')
      .find((line) => /^(\w*Error\b|mergebench: error:|--device)/.test(line));
    return { error: (reason ?? `exit ${child.status ?? child.signal}`).trim().slice(0, 200) };
  }
  try {
    const parsed = JSON.parse(last) as T & { error?: string };
    return parsed.error ? { error: parsed.error } : parsed;
  } catch {
    return { error: `unreadable output: ${last.slice(0, 80)}` };
  }
}

/** The adapter, asked in a child process: this process stays free of Dawn. */
const adapter = run<{ label: string; software: boolean }>(
  [
    '--input-type=module',
    '-e',
    "const m = await import('@mergebench/backend-webgpu'); console.log(JSON.stringify(m.WEBGPU_ADAPTER));",
  ],
  'webgpu adapter',
);
if (failed(adapter)) {
  process.stderr.write(`${adapter.error}\n`);
  process.exit(1);
}
const software = adapter.software;
const baseline = process.env.BENCH_BASELINE ?? 'native';
const forwardBatch = Number(process.env.BENCH_FORWARD_BATCH ?? (software ? 2 : 32));
const wemoeModel = process.env.BENCH_WEMOE_MODEL ?? (software ? 'small' : 'b32');
const wemoeBatch = Number(process.env.BENCH_WEMOE_BATCH ?? (software ? 1 : 16));
const wemoeSteps = software ? 1 : 2;
const backends = baseline === 'none' ? ['webgpu'] : ['webgpu', baseline];
const torchDevice = process.env.BENCH_TORCH_DEVICE ?? (software ? 'cpu' : 'cuda');
const REFERENCE = here('../../../../tools/reference/');

/** The first Python that imports torch (TORCH_PYTHON, else Debian's, else the first on PATH). */
function torchPython(): string | undefined {
  if (process.env.BENCH_TORCH === 'none') return undefined;
  const pythons = process.env.TORCH_PYTHON ? [process.env.TORCH_PYTHON] : ['/usr/bin/python3', 'python3'];
  return pythons.find(
    (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

interface Timed {
  readonly label: string;
  readonly gflops: number;
}

function matmulSection(): string {
  const results = backends.map((b) =>
    run<{ results: Timed[] }>([here('./matmul.js'), b, software ? '1' : '5'], `matMul, ${b}`),
  );
  const labels = results.find((r) => !failed(r)) as { results: Timed[] } | undefined;
  const rows = (labels?.results ?? []).map((c, i) => [
    c.label,
    ...results.map((r) => (failed(r) ? '-' : fixed(r.results[i].gflops))),
  ]);
  const errors = results.filter(failed).map((e) => e.error);
  return `matMul GFLOP/s${errors.length ? `; not run: ${errors.join('; ')}` : ''}\n\n${formatTable(['product', ...backends], rows)}`;
}

interface ForwardResult {
  readonly secondsPerBatch?: number;
  readonly imagesPerSecond?: number;
  readonly peakRssMb?: number;
}

function forwardSection(): string {
  const rows = backends.map((b) => {
    const r = run<ForwardResult>([FORWARD_SCRIPT, b, String(forwardBatch), '2'], `ViT-B/32 forward, ${b}`);
    return failed(r)
      ? [b, '-', '-', '-', r.error]
      : [b, fixed(r.secondsPerBatch, 2), fixed(r.imagesPerSecond, 2), fixed(r.peakRssMb, 0), ''];
  });
  const python = torchPython();
  if (python) {
    const r = run<{
      images_per_second: number;
      seconds_per_batch: number;
      peak_rss_mb: number;
      device_name?: string;
    }>(
      [
        `${REFERENCE}bench_clip_forward.py`,
        '--batch',
        String(forwardBatch),
        '--repeats',
        '2',
        '--device',
        torchDevice,
      ],
      `ViT-B/32 forward, PyTorch (${torchDevice})`,
      process.env,
      python,
    );
    rows.push(
      failed(r)
        ? [`pytorch (${torchDevice})`, '-', '-', '-', r.error]
        : [
            `pytorch (${torchDevice})`,
            fixed(r.seconds_per_batch, 2),
            fixed(r.images_per_second, 2),
            fixed(r.peak_rss_mb, 0),
            r.device_name ?? '',
          ],
    );
  }
  return `CLIP ViT-B/32 image tower forward, batch ${forwardBatch}\n\n${formatTable(['backend', 's/batch', 'images/s', 'peak RSS MB', 'note'], rows)}`;
}

interface StepResult {
  readonly stepSeconds: number[];
  readonly evalSeconds: number;
  readonly peakRssMb: number;
}

function wemoeSection(): string {
  const rows = backends.map((b) => {
    const r = run<StepResult>(
      [WEMOE_STEP_SCRIPT, wemoeModel, String(wemoeBatch), String(wemoeSteps)],
      `WEMoE step, ${b}`,
      {
        ...process.env,
        MERGEBENCH_BACKEND: b,
      },
    );
    return failed(r)
      ? [b, '-', '-', '-', r.error]
      : [b, fixed(Math.min(...r.stepSeconds), 2), fixed(r.evalSeconds, 2), fixed(r.peakRssMb, 0), ''];
  });
  return `WEMoE adaptation step, ${wemoeModel} model, 8 tasks × ${wemoeBatch} images (fastest of ${wemoeSteps})\n\n${formatTable(['backend', 's/step', 'eval s/batch', 'peak RSS MB', 'note'], rows)}`;
}

const asked = process.argv.slice(2).filter((a): a is Section => (SECTIONS as readonly string[]).includes(a));
const sections = asked.length > 0 ? asked : [...SECTIONS];
const out = [
  `webgpu adapter: ${adapter.label}${software ? ' — a software adapter: figures show correctness, not GPU speed' : ''}`,
];
for (const section of sections) {
  out.push(
    section === 'matmul' ? matmulSection() : section === 'forward' ? forwardSection() : wemoeSection(),
  );
}
process.stdout.write(`${out.join('\n\n')}\n`);
