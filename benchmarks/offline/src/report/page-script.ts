import type { ReportData } from './report-data.js';

/** The part of the ECharts global the page uses. */
interface ChartLibrary {
  init(
    element: HTMLElement,
    theme: null,
    options: { renderer: 'canvas' },
  ): {
    setOption(option: Record<string, unknown>): void;
    resize(): void;
  };
}

/**
 * Draws every chart of the report. It runs in the page, not in Node: the report inlines its
 * source (`renderReport.toString()`), so it may use nothing from outside its own body.
 */
export function renderReport(data: ReportData, echarts: ChartLibrary): number {
  const pct = (x: number) => Math.round(x * 1000) / 10;
  const charts: { resize(): void }[] = [];
  const section = (id: string) => document.getElementById(id) as HTMLElement;
  const empty = (id: string, text: string) => {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    section(id).appendChild(p);
  };
  const chart = (sectionId: string, title: string, option: Record<string, unknown>, height = 380) => {
    const holder = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    const div = document.createElement('div');
    div.className = 'chart';
    div.style.height = `${height}px`;
    holder.append(caption, div);
    section(sectionId).appendChild(holder);
    const c = echarts.init(div, null, { renderer: 'canvas' });
    c.setOption({
      animation: false,
      tooltip: { trigger: 'item' },
      grid: { left: 60, right: 30, top: 50, bottom: 60, containLabel: true },
      ...option,
    });
    charts.push(c);
  };
  const legend = { type: 'scroll', top: 0 };

  // Per-task accuracy bars, one series per method.
  const columns = [...data.tasks, 'average'];
  chart(
    'tasks',
    'Test accuracy per task (%)',
    {
      legend,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: columns, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', name: '%', min: 0, max: 100 },
      series: data.rows.map((r) => ({
        name: r.label,
        type: 'bar',
        data: columns.map((t) => (t === 'average' ? pct(r.average) : pct(r.tasks[t]))),
      })),
    },
    480,
  );

  // Average accuracy against model size, each average with its 95% interval as an error bar.
  const intervals = data.rows
    .filter((r) => Number.isFinite(r.averageHalfWidth) && Number.isFinite(r.average))
    .map((r) => ({
      name: `${r.label}: 95% interval`,
      value: [r.parameters.all, pct(r.average - r.averageHalfWidth), pct(r.average + r.averageHalfWidth)],
    }));
  const errorBar = (
    _params: unknown,
    api: { value(dimension: number): number; coord(point: number[]): number[] },
  ) => {
    const low = api.coord([api.value(0), api.value(1)]);
    const high = api.coord([api.value(0), api.value(2)]);
    const style = { stroke: '#333', lineWidth: 1.5 };
    const line = (x1: number, y1: number, x2: number, y2: number) => ({
      type: 'line',
      shape: { x1, y1, x2, y2 },
      style,
    });
    return {
      type: 'group',
      children: [
        line(low[0], low[1], high[0], high[1]),
        line(low[0] - 4, low[1], low[0] + 4, low[1]),
        line(high[0] - 4, high[1], high[0] + 4, high[1]),
      ],
    };
  };
  chart('params', 'Average accuracy vs total parameters', {
    xAxis: {
      type: 'log',
      name: 'parameters (log scale)',
      nameLocation: 'middle',
      nameGap: 30,
      min: (v: { min: number }) => 10 ** Math.floor(Math.log10(v.min)),
      max: (v: { max: number }) => 10 ** Math.ceil(Math.log10(v.max * 1.01)),
    },
    yAxis: {
      type: 'value',
      name: 'average %',
      min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 5)),
    },
    series: [
      {
        type: 'scatter',
        symbolSize: 10,
        data: data.rows.map((r) => ({ name: r.label, value: [r.parameters.all, pct(r.average)] })),
        label: { show: true, position: 'right', formatter: '{b}', fontSize: 10 },
      },
      // A series without points is dropped by the chart library: only rows with an interval.
      ...(intervals.length === 0
        ? []
        : [
            {
              type: 'custom',
              name: '95% interval',
              renderItem: errorBar,
              encode: { x: 0, y: [1, 2] },
              data: intervals,
              z: 3, // over the points, which would hide a short bar
            },
          ]),
    ],
  });

  if (data.curves.length === 0) empty('curves', 'No run of this suite wrote a step history.');
  else {
    chart('curves', 'Adaptation loss per step (summed over tasks)', {
      legend,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: 'step' },
      yAxis: { type: 'value', name: 'loss', scale: true },
      series: data.curves.map((c) => ({
        name: c.label,
        type: 'line',
        showSymbol: false,
        data: c.steps.map((s, i) => [s, c.loss[i]]),
      })),
    });
  }

  if (data.coefficients.length === 0) empty('coefficients', 'No layer-wise AdaMerging run in this suite.');
  for (const c of data.coefficients) {
    const names = c.parameterNames.map((n) =>
      n.replace(/^vision_model\./, '').replace(/encoder\.layers\./, 'L'),
    );
    chart(
      'coefficients',
      `Learned coefficients per parameter tensor: ${c.label}`,
      {
        legend,
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: names, axisLabel: { rotate: 60, fontSize: 9 } },
        yAxis: { type: 'value', name: 'λ' },
        series: Object.entries(c.byTask).map(([task, values]) => ({
          name: task,
          type: 'line',
          data: values,
        })),
      },
      460,
    );
  }

  if (data.stepSweeps.length === 0) empty('steps', 'No method was run at several step budgets.');
  else {
    chart('steps', 'Average accuracy vs adaptation steps', {
      legend,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: 'steps' },
      yAxis: { type: 'value', name: 'average %', scale: true },
      series: data.stepSweeps.map((s) => ({
        name: s.series,
        type: 'line',
        data: s.points.map((p) => [p.steps, pct(p.average)]),
      })),
    });
  }

  const lambdas = data.lambdaSweeps ?? [];
  if (lambdas.length === 0) empty('lambda', 'No method was run at several λ.');
  else {
    chart('lambda', 'Average accuracy vs λ (scaling factor, init_lambda)', {
      legend,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: 'λ' },
      yAxis: { type: 'value', name: 'average %', scale: true },
      series: lambdas.map((s) => ({
        name: s.series,
        type: 'line',
        data: s.points.map((p) => [p.lambda, pct(p.average)]),
      })),
    });
  }

  const robustness = data.robustness ?? [];
  if (robustness.length === 0) empty('robustness', 'No method was run on corrupted test images.');
  else {
    const corruptions = [...new Set(robustness.flatMap((s) => Object.keys(s.byCorruption)))];
    chart('robustness', 'Average accuracy per corruption (%)', {
      legend,
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: corruptions, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', name: '%', min: 0, max: 100 },
      series: robustness.map((s) => ({
        name: s.series,
        type: 'bar',
        data: corruptions.map((c) => (s.byCorruption[c] === undefined ? null : pct(s.byCorruption[c]))),
      })),
    });
  }

  if (data.pareto.length === 0)
    empty('pareto', 'No Pareto front results yet (results/pareto/*.json or family runs).');
  for (const experiment of data.pareto) {
    const t = experiment.tasks;
    const pairs: [string, string][] =
      t.length === 2
        ? [[t[0], t[1]]]
        : [
            [t[0], t[1]],
            [t[0], t[2]],
            [t[1], t[2]],
          ];
    for (const [a, b] of pairs) {
      chart('pareto', `${experiment.name}: accuracy on ${a} vs ${b} (%)`, {
        legend,
        tooltip: { trigger: 'item' },
        xAxis: { type: 'value', name: a, scale: true },
        yAxis: { type: 'value', name: b, scale: true },
        series: experiment.fronts.map((f) => ({
          name: f.hypervolume === undefined ? f.method : `${f.method} (HV ${f.hypervolume.toFixed(3)})`,
          // Two tasks: the front is a curve ordered by preference; more: points of a projection.
          type: t.length === 2 ? 'line' : 'scatter',
          symbolSize: 8,
          data: [...f.points]
            .sort((p, q) => p.preference[0] - q.preference[0])
            .map((p) => ({
              value: [pct(p.accuracy[a]), pct(p.accuracy[b])],
              name: `preference [${p.preference.map((x) => x.toFixed(2)).join(', ')}]`,
            })),
        })),
      });
    }
  }

  const land = data.landscape;
  if (!land) empty('landscape', 'No loss landscape was computed (--no-landscape).');
  else {
    const labels = land.lambdas.map((l) => l.toFixed(1));
    // Colour follows log10 of the loss: far from θ0 the loss explodes and would flatten the rest.
    const cells: [number, number, number, number][] = [];
    land.loss.forEach((row, i) => {
      row.forEach((v, j) => {
        cells.push([i, j, Math.round(v * 1000) / 1000, Math.log10(Math.max(v, 1e-6))]);
      });
    });
    const logs = cells.map((c) => c[3]);
    chart(
      'landscape',
      `Joint test loss of ${land.tasks[0]} + ${land.tasks[1]} over θ0 + λ1τ1 + λ2τ2`,
      {
        tooltip: {
          position: 'top',
          formatter: (p: { value: number[] }) =>
            `λ1 ${labels[p.value[0]]}, λ2 ${labels[p.value[1]]}: loss ${p.value[2]}`,
        },
        xAxis: {
          type: 'category',
          data: labels,
          name: `λ1 (${land.tasks[0]})`,
          nameLocation: 'middle',
          nameGap: 28,
        },
        yAxis: { type: 'category', data: labels, name: `λ2 (${land.tasks[1]})` },
        visualMap: {
          dimension: 3,
          min: Math.min(...logs),
          max: Math.max(...logs),
          calculable: true,
          orient: 'vertical',
          right: 0,
          top: 'center',
          text: ['log10 loss', ''],
          precision: 2,
          inRange: { color: ['#313695', '#4575b4', '#74add1', '#e0f3f8', '#fee090', '#f46d43', '#a50026'] },
        },
        series: [
          {
            type: 'heatmap',
            data: cells,
            label: {
              show: labels.length <= 11,
              fontSize: 9,
              formatter: (p: { value: number[] }) => p.value[2].toFixed(2),
            },
          },
        ],
      },
      560,
    );
  }

  window.addEventListener('resize', () => {
    for (const c of charts) c.resize();
  });
  return charts.length;
}
