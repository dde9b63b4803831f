/**
 * One `mergebench merge` in this process, printing {seconds, cpu_seconds, input_bytes, max_rss_bytes}
 * as JSON.
 */
import { mergeCommand } from '../merge-command.js';

const [config, out] = process.argv.slice(2);
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
    max_rss_bytes: process.resourceUsage().maxRSS * 1024,
  }),
);
