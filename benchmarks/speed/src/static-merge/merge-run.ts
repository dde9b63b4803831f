/**
 * One timed merge in a process of its own, so that the peak RSS it reports is the merge's:
 *   node dist/static-merge/merge-run.js <task-arithmetic|ties> <folder of checkpoints> [reference.safetensors]
 * Prints one JSON line (wall and CPU seconds, RSS); with a reference file, also the largest
 * relative difference from it.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openCheckpoint, selectBackend, stateDictDifference, WeightsPool } from '@mergebench/core';
import { mergeTaskArithmetic } from '@mergebench/method-task-arithmetic';
import { mergeTies } from '@mergebench/method-ties';

const [method, dir, reference] = process.argv.slice(2);
if (!['task-arithmetic', 'ties'].includes(method) || !dir) {
  throw new Error('usage: merge-run.js <task-arithmetic|ties> <folder> [reference.safetensors]');
}
await selectBackend('cpu');

/**
 * A field of /proc/self/status in bytes. VmHWM, the peak RSS, starts afresh at exec, unlike
 * getrusage's maxrss, which a child inherits from its parent.
 */
function statusBytes(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return Number(line?.[1] ?? Number.NaN) * 1024;
}

const baselineRssBytes = statusBytes('VmRSS');
const cpuStart = process.cpuUsage();
const start = performance.now();
const pool = await WeightsPool.fromFolder(dir);
const { model } = method === 'ties' ? await mergeTies(pool) : await mergeTaskArithmetic(pool);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const peakRssBytes = statusBytes('VmHWM');

let maxRelativeDifference: number | undefined;
if (reference) {
  const expected = await openCheckpoint(reference);
  maxRelativeDifference = 0;
  for (const [key, tensor] of model.stateDict()) {
    const other = await expected.read(key);
    const { maxRelative } = stateDictDifference(new Map([[key, tensor]]), new Map([[key, other]]));
    maxRelativeDifference = Math.max(maxRelativeDifference, maxRelative);
    other.dispose();
  }
  await expected.close();
}
model.dispose();
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds,
    peakRssBytes,
    baselineRssBytes,
    models: pool.modelNames.length,
    maxRelativeDifference,
  }),
);
