const n = 4096, T = 8, reps = 21333; // ~87M coords
let seed = 7; const r = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
const p = Float32Array.from({ length: n }, () => r() - 0.5);
const xs = Array.from({ length: T }, () => Float32Array.from(p, (v) => v + (r() - 0.5) * 0.01));
const th = 0.004;
const sums = new Float32Array(n);
function branchy(x) { for (let i = 0; i < n; i++) { const d = Math.fround(x[i] - p[i]); sums[i] += Math.abs(d) < th ? 0 : d; } }
function boolmul(x) { for (let i = 0; i < n; i++) { const d = Math.fround(x[i] - p[i]); sums[i] += d * +(Math.abs(d) >= th); } }
function signtrick(x) { for (let i = 0; i < n; i++) { const d = Math.fround(x[i] - p[i]); sums[i] += d * Math.min(1, Math.ceil(Math.max(0, Math.abs(d) - th + 1e-30) * 1e30)); } }
for (const [name, f] of [['branchy', branchy], ['boolmul', boolmul], ['signtrick', signtrick], ['branchy', branchy], ['boolmul', boolmul]]) {
  const t = performance.now();
  for (let k = 0; k < reps; k++) for (let j = 0; j < T; j++) f(xs[j]);
  const ms = performance.now() - t;
  console.log(name, ms.toFixed(0), 'ms', (ms * 1e6 / (n * reps * T)).toFixed(2), 'ns/entry');
}
