/**
 * Speed of out-of-core merges: task arithmetic and TIES (mergekit's definitions) over three
 * synthetic fine-tuned models and their base with the parameters of a 1.1B Llama (BF16, sharded
 * at 1 GB, written once by tools/reference/bench_mergekit.py and cached), by `mergebench merge`
 * and by a PyTorch reference reading the same files, in one run; the merged tensors are compared.
 *
 *   pnpm --filter @mergebench/modelpool-weights bench [--dir /tmp/mb-llama] [--layers 22]
 *     [--methods task_arithmetic,ties]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCheckpoint, openSafetensors } from '@mergebench/core';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const dir = option('--dir', '/tmp/mb-llama');
const layers = option('--layers', '22');
const methods = option('--methods', 'task_arithmetic,ties').split(',');
const REFERENCE = fileURLToPath(new URL('../../../../tools/reference/bench_mergekit.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

interface Run {
  readonly seconds: number;
  readonly cpu_seconds: number;
  readonly input_bytes: number;
  readonly max_rss_bytes: number;
}

const json = (text: string): Run => JSON.parse(text.trim().split('\n').at(-1)!);

async function identical(ours: string, theirs: string): Promise<number> {
  const merged = await openCheckpoint(ours);
  let compared = 0;
  try {
    for (const file of readdirSync(theirs).filter((f) => f.endsWith('.safetensors'))) {
      const reference = await openSafetensors(path.join(theirs, file));
      for (const key of reference.keys()) {
        const a = await merged.readRaw(key);
        const b = await reference.readRaw(key);
        if (!Buffer.from(a.data).equals(Buffer.from(b.data)))
          throw new Error(`merged tensor '${key}' differs`);
        compared++;
      }
      await reference.close();
    }
  } finally {
    await merged.close();
  }
  return compared;
}

execFileSync(PYTHON, [REFERENCE, 'make', dir, '--layers', layers], { stdio: 'inherit' });
console.log(
  '| merge | input GB | mergebench (time, input GB/s, CPU time, peak RSS) | PyTorch | time ratio | CPU ratio | RSS ratio | tensors |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const method of methods) {
  const ours = path.join(dir, `out-${method}-mergebench`);
  const theirs = path.join(dir, `out-${method}-pytorch`);
  const mb = json(
    execFileSync(
      process.execPath,
      [fileURLToPath(new URL('./merge-once.js', import.meta.url)), `${method}.yaml`, ours],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    ),
  );
  const pt = json(execFileSync(PYTHON, [REFERENCE, 'merge', dir, method, theirs], { encoding: 'utf8' }));
  const tensors = await identical(ours, theirs);
  const gbps = (r: Run) => (r.input_bytes / 1e9 / r.seconds).toFixed(2);
  const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
  const row = (r: Run) =>
    `${r.seconds.toFixed(1)} s, ${gbps(r)} GB/s, ${r.cpu_seconds.toFixed(1)} s CPU, ${gb(r.max_rss_bytes)} GB`;
  console.log(
    `| ${method} | ${gb(mb.input_bytes)} | ${row(mb)} | ${row(pt)} | ${(pt.seconds / mb.seconds).toFixed(2)}× | ` +
      `${(pt.cpu_seconds / mb.cpu_seconds).toFixed(2)}× | ${(mb.max_rss_bytes / pt.max_rss_bytes).toFixed(2)} | ${tensors} identical |`,
  );
}
