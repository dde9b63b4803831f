import type { RunReport } from '../contracts/report.js';
import type { TaskPoolResult } from '../contracts/task-pool.js';

/** Renders rows as an aligned plain-text table (first column left, the rest right aligned). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (x: number) => (100 * x).toFixed(2);

function resultRows(result: TaskPoolResult): string[][] {
  const rows = Object.entries(result.tasks).map(([task, m]) => [task, pct(m.accuracy), m.loss.toFixed(4)]);
  rows.push(['average', pct(result.average.accuracy), result.average.loss.toFixed(4)]);
  return rows;
}

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** The table printed at the end of `mergebench run`. */
export function formatRunSummary(report: RunReport): string {
  const parts: string[] = [];
  parts.push(
    `run ${report.runName}: method ${report.method.name}, model pool ${report.modelpool.name}, ` +
      `task pool ${report.taskpool.name}, backend ${report.backend.name}`,
  );
  if (report.family) {
    const tasks = Object.keys(report.family[0]?.results.tasks ?? {});
    const rows = report.family.map((m) => [
      m.label,
      ...tasks.map((t) => pct(m.results.tasks[t].accuracy)),
      pct(m.results.average.accuracy),
    ]);
    parts.push(formatTable(['preference', ...tasks, 'average'], rows));
  } else if (report.results) {
    parts.push(formatTable(['task', 'accuracy %', 'loss'], resultRows(report.results)));
  }
  const timings = Object.entries(report.timings)
    .map(([k, v]) => `${k} ${v.toFixed(2)}s`)
    .join(', ');
  parts.push(
    `parameters ${formatCount(report.parameters.all)} (trainable ${formatCount(report.parameters.trainable)}); ` +
      `${timings}; peak RSS ${(report.peakMemory.rssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  if (report.resumed) {
    const { secondsBefore, shareNow, loops } = report.resumed;
    const where = loops.map((l) => `${l.loop} at step ${l.fromStep} of ${l.steps}`).join(', ');
    parts.push(
      `resumed (${where}): times include ${secondsBefore.toFixed(2)}s of earlier runs; this run did ${(100 * shareNow).toFixed(0)}% of the steps`,
    );
  }
  return parts.join('\n');
}
