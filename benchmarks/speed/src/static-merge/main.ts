/**
 * `pnpm bench:static-merge`: task arithmetic and TIES over eight random ViT-B/32-sized fine-tuned models and
 * their pretrained model (safetensors files cached in .cache/), merged by mergebench through the
 * method packages (checkpoints streamed key by key) and by the PyTorch reference script on the
 * same files, each in a process of its own. Prints wall and CPU seconds, the rate at which model
 * state (all input models) is merged, peak RSS, and how far the two merges are apart.
 *   --models N   fine-tuned models (default 8)
 *   --clean      delete the cached checkpoints afterwards
 */
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { cpus, freemem, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from '@mergebench/core';
import { ensureCheckpoints } from './synthetic-checkpoints.js';
import { countParameters, vitB32Layout } from './vit-b32-layout.js';

/** This package's folder (dist/static-merge/main.js is two levels below it). */
const HERE = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = path.join(HERE, '.cache', 'static-merge');
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.resolve(HERE, '../../tools/reference/bench_static_merge.py');
const METHODS = ['task-arithmetic', 'ties'] as const;
const GB = 1e9;

interface Measurement {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
  readonly maxRelativeDifference?: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** Runs a command that prints a JSON line last; its stderr goes to ours. */
function measure(command: string, args: string[]): Measurement {
  const run = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${run.status}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Measurement;
}

/** Reads the files once so that every run finds them in the page cache. */
async function warmPageCache(files: readonly string[]): Promise<void> {
  for (const file of files) {
    for await (const _ of createReadStream(file, { highWaterMark: 1 << 24 })) {
      // reading is the point
    }
  }
}

const count = Number(option('--models') ?? 8);
const layout = vitB32Layout();
const parameters = countParameters(layout);
const inputs = path.join(CACHE, `vit-b32-x${count}`);
process.stderr.write(
  `checkpoints: ${count} + pretrained, ${(parameters / 1e6).toFixed(2)}M float32 parameters each, in ${inputs}\n`,
);
const files = await ensureCheckpoints(inputs, layout, count);
const modelBytes = (await stat(files[0])).size;
const stateBytes = files.length * modelBytes;
await warmPageCache(files);

const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!torchAvailable)
  process.stderr.write(`PyTorch is not available to ${PYTHON}: the PyTorch column is unavailable\n`);

const rows: string[][] = [];
const loadBefore = loadavg()[0];
const results: Record<string, unknown> = { parameters, models: count, modelBytes, cpus: cpus().length };
for (const method of METHODS) {
  let torch: Measurement | undefined;
  const torchOut = path.join(CACHE, `torch-${method}.safetensors`);
  // The reference holds every model, and TIES a few [T, d] tensors besides: on a shared machine
  // with too little memory left it is skipped rather than risking the out-of-memory killer.
  const torchNeeds = (method === 'ties' ? 3 * count + 4 : count + 4) * modelBytes;
  if (torchAvailable && freemem() < torchNeeds) {
    process.stderr.write(
      `${method}: PyTorch skipped: it needs about ${(torchNeeds / GB).toFixed(1)} GB, ${(freemem() / GB).toFixed(1)} GB are available\n`,
    );
  } else if (torchAvailable) {
    process.stderr.write(`${method}: PyTorch…\n`);
    torch = measure(PYTHON, [TORCH_SCRIPT, method, inputs, '--out', torchOut]);
  }
  process.stderr.write(`${method}: mergebench…\n`);
  const ours = measure(process.execPath, [
    fileURLToPath(new URL('./merge-run.js', import.meta.url)),
    method,
    inputs,
    ...(torch ? [torchOut] : []),
  ]);
  await rm(torchOut, { force: true });
  results[method] = { mergebench: ours, pytorch: torch ?? null };

  const row = (name: string, m: Measurement, ratio: string, difference: string) => [
    method,
    name,
    m.seconds.toFixed(1),
    m.cpuSeconds.toFixed(1),
    (stateBytes / GB / m.seconds).toFixed(2),
    (m.peakRssBytes / GB).toFixed(2),
    ((m.peakRssBytes - m.baselineRssBytes) / modelBytes).toFixed(2),
    ratio,
    difference,
  ];
  const diff = ours.maxRelativeDifference === undefined ? 'n/a' : ours.maxRelativeDifference.toExponential(1);
  rows.push(row('mergebench', ours, torch ? (ours.seconds / torch.seconds).toFixed(2) : 'n/a', diff));
  if (torch) rows.push(row('pytorch', torch, '1.00', ''));
  else rows.push([method, 'pytorch', torchAvailable ? 'skipped' : 'unavailable', '', '', '', '', '', '']);
}

const loadAfter = loadavg()[0];
results.loadAverage = { before: loadBefore, after: loadAfter };
console.log(
  `\n${count} fine-tuned models + pretrained, ${(parameters / 1e6).toFixed(2)}M parameters each (${(modelBytes / GB).toFixed(3)} GB); state = ${(stateBytes / GB).toFixed(2)} GB`,
);
console.log(
  `${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after${torchAvailable ? '' : '; PyTorch unavailable'}\n`,
);
console.log(
  formatTable(
    [
      'method',
      'implementation',
      'wall s',
      'CPU s',
      'state GB/s',
      'peak RSS GB',
      'peak − start, models',
      'time vs PyTorch',
      'max rel. diff',
    ],
    rows,
  ),
);
console.log(JSON.stringify(results));
if (process.argv.includes('--clean')) await rm(CACHE, { recursive: true, force: true });
