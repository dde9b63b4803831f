import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridLambdas } from '../landscape/loss-landscape.js';
import type { LeaderboardRow } from '../leaderboard.js';
import { checkPage } from './browser.test.helpers.js';
import { htmlReport } from './html-report.js';
import { parseParetoFile, readParetoFolder } from './pareto-file.js';
import type { ReportData } from './report-data.js';

const TASKS = ['mnist', 'svhn', 'dtd'];

const row = (label: string, base: number, all: number, trainable = 0): LeaderboardRow => ({
  label,
  method: label,
  tasks: Object.fromEntries(TASKS.map((t, i) => [t, base + 0.05 * i])),
  average: base + 0.05,
  averageHalfWidth: 0.03,
  parameters: { all, trainable },
  methodSeconds: 1,
  needs: 'weights only',
});

const point = (preference: number[], acc: number[]) => ({
  preference,
  accuracy: Object.fromEntries(TASKS.slice(0, acc.length).map((t, i) => [t, acc[i]])),
  loss: Object.fromEntries(TASKS.slice(0, acc.length).map((t, i) => [t, 1 - acc[i]])),
});

/** Hand-written files in the schema the Pareto experiments write. */
const PARETO_2 = {
  schema: 'mergebench.pareto/1',
  tasks: ['mnist', 'svhn'],
  fronts: [
    {
      method: 'pwemoe-ls',
      points: [point([1, 0], [0.9, 0.4]), point([0.5, 0.5], [0.8, 0.7]), point([0, 1], [0.5, 0.85])],
      hypervolume: 0.61,
    },
    {
      method: 'task-arithmetic',
      points: [point([1, 0], [0.8, 0.3]), point([0, 1], [0.4, 0.8])],
      hypervolume: 0.5,
    },
  ],
};
const PARETO_3 = {
  schema: 'mergebench.pareto/1',
  tasks: TASKS,
  fronts: [
    {
      method: 'pwemoe-epo',
      points: [point([1, 0, 0], [0.9, 0.4, 0.3]), point([0.34, 0.33, 0.33], [0.7, 0.6, 0.5])],
      hypervolume: 0.2,
    },
  ],
};

function sampleData(): ReportData {
  const lambdas = gridLambdas(5);
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-pareto-'));
  writeFileSync(path.join(dir, 'two-tasks.json'), JSON.stringify(PARETO_2));
  writeFileSync(path.join(dir, 'three-tasks.json'), JSON.stringify(PARETO_3));
  return {
    title: 'test report',
    subtitle: 'hand-written data',
    tasks: TASKS,
    rows: [row('pretrained', 0.3, 1000), row('ties', 0.5, 1000), row('wemoe', 0.8, 5000, 30)],
    failures: [{ label: 'broken', error: "unknown model 'nope' </script><b>" }],
    curves: [{ label: 'adamerging', steps: [1, 2, 3], loss: [3, 2, 1.5] }],
    coefficients: [
      {
        label: 'adamerging',
        parameterNames: ['a.weight', 'b.weight'],
        byTask: { mnist: [0.3, 0.4], svhn: [0.2, 0.1] },
      },
    ],
    stepSweeps: [
      {
        series: 'adamerging',
        points: [
          { steps: 10, average: 0.4 },
          { steps: 20, average: 0.5 },
        ],
      },
    ],
    lambdaSweeps: [
      {
        series: 'task-arithmetic (scaling_factor)',
        points: [
          { lambda: 0.1, average: 0.5 },
          { lambda: 0.3, average: 0.6 },
          { lambda: 0.5, average: 0.4 },
        ],
      },
    ],
    robustness: [
      { series: 'wemoe', byCorruption: { clean: 0.8, pixelate: 0.6, spatter: 0.7 } },
      { series: 'task-arithmetic', byCorruption: { clean: 0.6, pixelate: 0.5, spatter: 0.4 } },
    ],
    pareto: readParetoFolder(dir),
    landscape: {
      schema: 'mergebench.loss-landscape/1',
      tasks: ['mnist', 'svhn'],
      lambdas,
      loss: lambdas.map((a) => lambdas.map((b) => (a - 0.3) ** 2 + (b - 0.3) ** 2)),
      accuracy: lambdas.map(() => lambdas.map(() => 0.5)),
    },
    published: [['pretrained (zero-shot)', 48.2]],
  };
}

describe('Pareto files', () => {
  it('reads the schema and names the file and field of a bad one', () => {
    expect(parseParetoFile('a.json', JSON.stringify(PARETO_2)).fronts[0].points).toHaveLength(3);
    const bad = {
      ...PARETO_2,
      fronts: [{ method: 'x', points: [{ preference: [1, 0], accuracy: { mnist: 1 }, loss: {} }] }],
    };
    expect(() => parseParetoFile('b.json', JSON.stringify(bad))).toThrow(
      'b.json: fronts[0].points[0].accuracy: expected a number for each of mnist, svhn',
    );
    expect(() => parseParetoFile('c.json', '{"schema":"other"}')).toThrow(
      "c.json: schema: expected 'mergebench.pareto/1'",
    );
  });
});

describe('HTML report in a real browser', () => {
  it('is one self-contained page that loads without errors and draws every chart', async () => {
    const html = htmlReport(sampleData());
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
    // Text from the data cannot close the script or inject markup.
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;');
    // Each average with its 95% interval, and what the interval is.
    expect(html).toContain('<td>35.0 ± 3.0</td>');
    expect(html).toContain('± is the 95% interval');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mb-report-')), 'report.html');
    writeFileSync(file, html);

    const page = await checkPage(file);
    expect(page.errors).toEqual([]);
    // tasks, params, curves, coefficients, steps, λ, robustness, 1 + 3 Pareto panels, landscape
    expect(page.charts).toHaveLength(12);
    expect(page.drawn).toBe(12);
    expect(page.charts[0].points).toEqual([4, 4, 4]);
    // The average-accuracy chart: one point per row, and one 95% error bar per row.
    expect(page.charts[1].points).toEqual([3, 3]);
    expect(page.charts.at(-1)!.points).toEqual([25]);
    for (const chart of page.charts) {
      expect(chart.inked, chart.caption).toBeGreaterThan(500);
      expect(chart.points.length, chart.caption).toBeGreaterThan(0);
      for (const n of chart.points) expect(n, chart.caption).toBeGreaterThan(0);
    }
    expect(page.charts.map((c) => c.caption)).toContain('three-tasks: accuracy on svhn vs dtd (%)');
  });
});
