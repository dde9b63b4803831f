import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { averageWithInterval, INTERVAL_NOTE } from '../leaderboard.js';
import { renderReport } from './page-script.js';
import type { ReportData } from './report-data.js';

const require = createRequire(import.meta.url);

/** ECharts' browser build, inlined so the page needs no network (it opens from file://). */
function chartLibrary(): string {
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Inline script text may not close its own tag. */
const inlineScript = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1');

const pct = (x: number) => (Number.isNaN(x) ? '—' : (100 * x).toFixed(1));
const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);

function leaderboardTable(data: ReportData): string {
  const head = ['method', ...data.tasks, 'average', 'params', 'trainable', 'method s', 'data used'];
  const rows = data.rows.map((r) =>
    [
      r.label,
      ...data.tasks.map((t) => pct(r.tasks[t])),
      averageWithInterval(r),
      count(r.parameters.all),
      count(r.parameters.trainable),
      r.methodSeconds.toFixed(1),
      r.needs,
    ].map(escapeHtml),
  );
  return [
    '<table><thead><tr>',
    ...head.map((h) => `<th>${escapeHtml(h)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
}

function publishedTable(data: ReportData): string {
  return [
    '<table class="published"><thead><tr><th>method</th><th>published average % (CLIP ViT-B/32, 8 tasks)</th></tr></thead><tbody>',
    ...data.published.map(([m, v]) => `<tr><td>${escapeHtml(m)}</td><td>${v.toFixed(1)}</td></tr>`),
    '</tbody></table>',
  ].join('');
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:12px}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:right}th:first-child,td:first-child,td:last-child{text-align:left}
thead{background:#f4f4f4}.published{opacity:.85}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
.chart{width:100%}.empty{color:#777;font-style:italic}.failed{color:#a00}
.note{background:#fff7e0;border-left:4px solid #e0b000;padding:.4rem .8rem}`;

/** One self-contained HTML page: tables, the inlined chart library, the data and the renderer. */
export function htmlReport(data: ReportData): string {
  const failures =
    data.failures.length === 0
      ? ''
      : `<h2>Failed runs</h2><ul class="failed">${data.failures
          .map((f) => `<li><b>${escapeHtml(f.label)}</b>: ${escapeHtml(f.error)}</li>`)
          .join('')}</ul>`;
  const sections: [string, string][] = [
    ['tasks', 'Accuracy per task'],
    ['params', 'Accuracy vs parameters'],
    ['curves', 'Learning curves of adaptation methods'],
    ['coefficients', 'Learned AdaMerging coefficients per layer'],
    ['steps', 'Accuracy vs adaptation steps'],
    ['lambda', 'Accuracy vs λ'],
    ['robustness', 'Robustness to corrupted test images'],
    ['pareto', 'Pareto fronts'],
    ['landscape', 'Loss landscape of a task pair'],
  ];
  const json = inlineScript(JSON.stringify(data));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="sub">${escapeHtml(data.subtitle)}</p>
<h2>Leaderboard (measured here)</h2>
${leaderboardTable(data)}
<p class="sub">${escapeHtml(INTERVAL_NOTE)}</p>
${failures}
<h2>Published numbers, for orientation only</h2>
<p class="note">These are the published CLIP ViT-B/32 results (FusionBench documentation), <b>not measured here</b>:
a different model, data and scale. They show what order of methods to expect.</p>
${publishedTable(data)}
${sections.map(([id, title]) => `<section id="${id}"><h2>${escapeHtml(title)}</h2></section>`).join('\n')}
<script>${inlineScript(chartLibrary())}</script>
<script type="application/json" id="report-data">${json}</script>
<script>
const renderReport = ${inlineScript(renderReport.toString())};
document.body.dataset.charts = String(renderReport(JSON.parse(document.getElementById('report-data').textContent), echarts));
</script>
</body></html>
`;
}
