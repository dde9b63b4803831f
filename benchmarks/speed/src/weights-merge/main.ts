/**
 * `pnpm bench:weights-merge`: speed of out-of-core merges, task arithmetic and TIES (mergekit's
 * definitions) over three synthetic fine-tuned models and their base with the parameters of a 1.1B
 * Llama (BF16, sharded at 1 GB, written once by tools/reference/bench_mergekit.py and cached), by
 * `mergebench merge` with the native loops (@mergebench/merge-loops), with the JavaScript loops
 * (MERGEBENCH_MERGE_LOOPS=js), and by the PyTorch reference reading the same files, one after the
 * other in each round; every merged tensor is compared with PyTorch's.
 *   --dir D            where the models are cached (default /tmp/mb-llama)
 *   --layers N         decoder layers (default 22)
 *   --methods A,B      task_arithmetic,ties (default both)
 *   --loops A,B        native,js (default both)
 *   --runs N           rounds (default 1)
 *   --no-reference     without PyTorch
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCheckpoint, openSafetensors } from '@mergebench/core';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const dir = option('--dir', '/tmp/mb-llama');
const layers = option('--layers', '22');
const methods = option('--methods', 'task_arithmetic,ties').split(',');
const loopsList = option('--loops', 'native,js').split(',');
const runs = Number(option('--runs', '1'));
const reference = !args.includes('--no-reference');
const REFERENCE = fileURLToPath(new URL('../../../../tools/reference/bench_mergekit.py', import.meta.url));
const MERGE_ONCE = fileURLToPath(new URL('./merge-once.js', import.meta.url));
const PYTHON = '/usr/bin/python3';

interface Run {
  readonly seconds: number;
  readonly cpu_seconds: number;
  readonly input_bytes: number;
  readonly max_rss_bytes: number;
  readonly loops?: string;
}

const json = (text: string): Run => JSON.parse(text.trim().split('\n').at(-1)!);

/** How many tensors of `ours` equal `theirs` bit for bit; throws at the first that differs. */
async function identical(ours: string, theirs: string): Promise<number> {
  const merged = await openCheckpoint(ours);
  let compared = 0;
  try {
    for (const file of readdirSync(theirs).filter((f) => f.endsWith('.safetensors'))) {
      const expected = await openSafetensors(path.join(theirs, file));
      for (const key of expected.keys()) {
        const a = await merged.readRaw(key);
        const b = await expected.readRaw(key);
        if (!Buffer.from(a.data).equals(Buffer.from(b.data)))
          throw new Error(`merged tensor '${key}' differs`);
        compared++;
      }
      await expected.close();
    }
  } finally {
    await merged.close();
  }
  return compared;
}

function mergebench(method: string, loops: string, out: string): Run {
  const env = { ...process.env, MERGEBENCH_MERGE_LOOPS: loops };
  return json(
    execFileSync(process.execPath, [MERGE_ONCE, `${method}.yaml`, out], { cwd: dir, encoding: 'utf8', env }),
  );
}

const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
const gbps = (r: Run) => (r.input_bytes / 1e9 / r.seconds).toFixed(2);
const cell = (r: Run) =>
  `${r.seconds.toFixed(1)} s, ${gbps(r)} GB/s, ${r.cpu_seconds.toFixed(1)} s CPU, ${gb(r.max_rss_bytes)} GB`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

execFileSync(PYTHON, [REFERENCE, 'make', dir, '--layers', layers], { stdio: 'inherit' });
console.log(
  '| merge | loops | input GB | mergebench (time, input GB/s, CPU time, peak RSS) | PyTorch, same round | time ratio | CPU ratio | RSS ratio | tensors | load average (1, 5, 15 min) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (let round = 0; round < runs; round++) {
  for (const method of methods) {
    const ours = loopsList.map((loops) => {
      const out = path.join(dir, `out-${method}-mergebench-${loops}`);
      return { loops, out, run: mergebench(method, loops, out), load: load() };
    });
    const theirs = path.join(dir, `out-${method}-pytorch`);
    const pt = reference
      ? json(execFileSync(PYTHON, [REFERENCE, 'merge', dir, method, theirs], { encoding: 'utf8' }))
      : undefined;
    for (const { loops, out, run, load: loadAfter } of ours) {
      const tensors = pt ? `${await identical(out, theirs)} identical` : '—';
      const ratios = pt
        ? `${(pt.seconds / run.seconds).toFixed(2)}× | ${(pt.cpu_seconds / run.cpu_seconds).toFixed(2)}× | ` +
          `${(run.max_rss_bytes / pt.max_rss_bytes).toFixed(2)}`
        : '— | — | —';
      console.log(
        `| ${method} | ${run.loops ?? loops} | ${gb(run.input_bytes)} | ${cell(run)} | ${pt ? cell(pt) : '—'} | ` +
          `${ratios} | ${tensors} | ${loadAfter} |`,
      );
    }
  }
}
