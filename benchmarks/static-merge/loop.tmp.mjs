const n = 2_359_296, T = 8, reps = 37;
const p = new Float32Array(n).map((_, i) => (i % 97) * 0.01);
const xs = Array.from({ length: T }, (_, t) => p.map((v, i) => v + ((i * (t + 3)) % 13 - 6) * 0.001));
const acc = new Float32Array(n);
function plain(acc, x, p) { for (let i = 0; i < acc.length; i++) acc[i] += Math.fround(x[i] - p[i]); }
function plainNoFround(acc, x, p) { for (let i = 0; i < acc.length; i++) acc[i] += x[i] - p[i]; }
function trimmed(x, p, th) { const d = Math.fround(x - p); return Math.abs(d) < th ? 0 : d; }
function withTrim(acc, x, p, th) { for (let i = 0; i < acc.length; i++) acc[i] += trimmed(x[i], p[i], th); }
function withTrimLen(acc, x, p, th) { const n = acc.length; for (let i = 0; i < n; i++) { const d = Math.fround(x[i] - p[i]); if (!(Math.abs(d) < th)) acc[i] += d; } }
for (const [name, f] of [['plain', plain], ['noFround', plainNoFround], ['withTrim', withTrim], ['withTrimLen', withTrimLen], ['plain', plain]]) {
  const t = performance.now();
  for (let k = 0; k < reps; k++) { acc.fill(0); for (let j = 0; j < T; j++) f(acc, xs[j], p, 0.004); }
  const ms = performance.now() - t;
  console.log(name, ms.toFixed(0), 'ms', (ms * 1e6 / (n * reps * T)).toFixed(2), 'ns/entry');
}
