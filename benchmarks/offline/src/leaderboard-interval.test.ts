import type { RunReport } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { formatLeaderboard, INTERVAL_NOTE, leaderboardRows } from './leaderboard.js';
import type { RunOutcome } from './suite.js';

/** The fields of a run report the leaderboard reads. */
const report = (tasks: Record<string, [accuracy: number, count: number]>, heldOut: string[] = []) =>
  ({
    method: { name: 'task-arithmetic', params: {} },
    parameters: { all: 1000, trainable: 1000 },
    timings: { method: 1 },
    heldOut,
    results: {
      tasks: Object.fromEntries(
        Object.entries(tasks).map(([t, [accuracy, count]]) => [t, { accuracy, loss: 1, count }]),
      ),
    },
  }) as unknown as RunReport;

const outcome = (label: string, reports: RunReport[]): RunOutcome => ({
  label,
  entry: label,
  ok: true,
  reports,
  dirs: reports.map(() => '.'),
});

describe('leaderboard intervals', () => {
  it('gives each average its 95% interval from every task it averages', () => {
    // 0.5·0.5/100 + 0.9·0.1/400 = 0.0025 + 0.000225; half-width 1.96·√0.002725/2 = 0.051158…
    const [row] = leaderboardRows(
      [outcome('merged', [report({ a: [0.5, 100], b: [0.9, 400] })])],
      ['a', 'b'],
      () => undefined,
    );
    expect(row.average).toBeCloseTo(0.7, 12);
    expect(row.averageHalfWidth).toBeCloseTo((1.96 * Math.sqrt(0.002725)) / 2, 12);
    expect(formatLeaderboard([row], ['a', 'b']).markdown).toContain('| merged | 50.0 | 90.0 | 70.0 ± 5.1 |');
  });

  it("combines a per-task run from each task's own report, and held-out tasks like the average", () => {
    const perTask = outcome('individual', [report({ a: [0.5, 100] }), report({ b: [0.9, 400] })]);
    const heldOut = outcome('held', [report({ a: [0.5, 100], b: [0.9, 400] }, ['b'])]);
    const rows = leaderboardRows([perTask, heldOut], ['a', 'b'], () => undefined);
    const expected = (1.96 * Math.sqrt(0.002725)) / 2;
    expect(rows.map((r) => r.averageHalfWidth)).toEqual([expected, expected]);
    const { markdown, text } = formatLeaderboard(rows, ['a', 'b']);
    expect(markdown).toContain('| individual | 50.0 | 90.0 | 70.0 ± 5.1 |');
    expect(markdown).toContain('| held | 50.0 | 90.0† | 70.0 ± 5.1 |');
    expect(text).toMatch(/individual +50\.0 +90\.0 +70\.0 ± 5\.1/);
  });

  it('shows the average alone when a task has no count (a report from before counts)', () => {
    const rows = leaderboardRows(
      [outcome('old', [report({ a: [0.5, Number.NaN], b: [0.9, 400] })])],
      ['a', 'b'],
      () => undefined,
    );
    expect(rows[0].averageHalfWidth).toBeNaN();
    expect(formatLeaderboard(rows, ['a', 'b']).markdown).toContain('| old | 50.0 | 90.0 | 70.0 |');
  });

  it('says in one sentence what the interval is', () => {
    expect(INTERVAL_NOTE).toMatch(/^In the average column, ± is the 95% interval .*\.$/);
    expect(INTERVAL_NOTE.split('. ')).toHaveLength(1);
  });
});
