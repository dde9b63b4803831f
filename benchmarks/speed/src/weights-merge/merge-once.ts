/**
 * One `mergebench merge` in this process, printing {seconds, cpu_seconds, input_bytes,
 * max_rss_bytes, loops} as JSON. The loops (native or JavaScript) follow MERGEBENCH_MERGE_LOOPS.
 */
import { readFileSync } from 'node:fs';
import { loadMergeLoops } from '@mergebench/merge-loops';
import { mergeCommand } from '@mergebench/modelpool-weights';

/**
 * Peak RSS of this process: VmHWM where Linux has it. getrusage's maxRSS can carry over the
 * peak of the process that started this one (Linux records the pre-exec peak), which here is the
 * benchmark holding merged tensors it compared.
 */
function peakRss(): number {
  try {
    const kb = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

const [config, out] = process.argv.slice(2);
const loops = loadMergeLoops() ? `native, ${loadMergeLoops()!.threads()} threads` : 'js';
const lines: string[] = [];
const cpuBefore = process.cpuUsage();
const started = performance.now();
await mergeCommand.run([config, out, '--max-shard-size', '1GB', '--overwrite'], {
  cwd: process.cwd(),
  out: (t) => lines.push(t),
  err: (t) => lines.push(t),
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const input = /([\d.]+) GB read/.exec(lines.join('\n'));
console.log(
  JSON.stringify({
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    input_bytes: Number(input?.[1]) * 1e9,
    max_rss_bytes: peakRss(),
    loops,
  }),
);
