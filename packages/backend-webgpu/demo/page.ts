// The demo page's script (bundled into dist/page.js by build.mjs): registers the webgpu backend on
// the page's navigator.gpu, runs the task-arithmetic demo on it and on the cpu backend, and shows
// both with their timings. What it found is left in `window.demoResult` and `body[data-state]`
// ('done', 'fallback' when the browser has no WebGPU adapter, or 'error') for the test.
import * as tf from '@tensorflow/tfjs';
import { registerBrowserWebGPU, type WebGPUAdapterInfo } from '../src/browser.js';
import { DEMO, type DemoResult, MODELS, runTaskArithmeticDemo, TASKS } from '../src/demo/task-arithmetic.js';

interface PageResult {
  state: 'done' | 'fallback' | 'error';
  adapter?: WebGPUAdapterInfo;
  /** Why there is no WebGPU result (no adapter, or the error it ended with). */
  message?: string;
  webgpu?: DemoResult;
  cpu?: DemoResult;
  /** Largest |webgpu − cpu| over the merged model's parameters. */
  maxParameterDifference?: number;
}

const status = document.getElementById('status') as HTMLElement;
const results = document.getElementById('results') as HTMLElement;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(result: DemoResult): string {
  const rows = MODELS.map(
    (model) =>
      `<tr><td>${model}</td>${TASKS.map((task) => {
        const e = result.evaluations[model][task];
        return `<td>${(100 * e.accuracy).toFixed(1)} %</td><td>${e.loss.toFixed(4)}</td>`;
      }).join('')}</tr>`,
  ).join('');
  const ms = result.ms;
  return `<h2>${escapeHtml(result.backend)}</h2>
<table><thead><tr><th>model</th>${TASKS.map((t) => `<th>task ${t} accuracy</th><th>task ${t} loss</th>`).join('')}</tr></thead>
<tbody>${rows}</tbody></table>
<p>fine-tuning (2 × ${DEMO.steps} steps) <b>${ms.finetune.toFixed(0)} ms</b>, merging ${ms.merge.toFixed(1)} ms,
evaluation (4 models × 2 tasks × ${DEMO.evalSamples} samples) ${ms.evaluate.toFixed(0)} ms</p>`;
}

async function main(): Promise<PageResult> {
  let adapter: WebGPUAdapterInfo;
  try {
    adapter = await registerBrowserWebGPU();
  } catch (e) {
    return { state: 'fallback', message: (e as Error).message };
  }
  // Every kernel on the GPU: no hand-off of small tensors to the CPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu')))
    return {
      state: 'fallback',
      message: 'webgpu unavailable: tfjs could not initialise the backend',
      adapter,
    };
  status.textContent = `Running on webgpu (${adapter.label})…`;
  const webgpu = await runTaskArithmeticDemo();
  return { state: 'done', adapter, webgpu };
}

async function start(): Promise<void> {
  let result: PageResult;
  try {
    result = await main();
  } catch (e) {
    result = { state: 'error', message: (e as Error).message.split('\n')[0] };
  }
  try {
    await tf.setBackend('cpu');
    status.textContent = 'Running on cpu…';
    result.cpu = await runTaskArithmeticDemo();
    if (result.webgpu) {
      const cpu = result.cpu.merged;
      result.maxParameterDifference = Math.max(...result.webgpu.merged.map((v, i) => Math.abs(v - cpu[i])));
    }
  } catch (e) {
    result = { ...result, state: 'error', message: (e as Error).message.split('\n')[0] };
  }
  status.innerHTML =
    result.state === 'done'
      ? `WebGPU adapter: <b>${escapeHtml(result.adapter?.label ?? '')}</b>${result.adapter?.software ? ' — a software adapter: the timings show correctness, not GPU speed' : ''}. Largest difference from the cpu backend over the merged parameters: ${result.maxParameterDifference?.toExponential(2)}.`
      : result.state === 'fallback'
        ? `WebGPU is not available in this browser (${escapeHtml(result.message ?? '')}); the demo ran on the cpu backend only.`
        : `The demo failed: ${escapeHtml(result.message ?? '')}`;
  results.innerHTML = [result.webgpu, result.cpu]
    .filter((r): r is DemoResult => r !== undefined)
    .map(table)
    .join('');
  (window as unknown as { demoResult: PageResult }).demoResult = result;
  document.body.dataset.state = result.state;
}

void start();
