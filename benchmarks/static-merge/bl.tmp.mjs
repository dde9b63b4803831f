const n = 4096, T = 8, reps = 2667; // ~11M coords
let seed = 7; const r = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
const p = Float32Array.from({ length: n }, () => r() - 0.5);
const xs = Array.from({ length: T }, () => Float32Array.from(p, (v) => v + (r() - 0.5) * 0.01));
const th = 0.004;
const sums = new Float32Array(n), signs = new Float32Array(n), acc = new Float32Array(n), counts = new Uint32Array(n), fcounts = new Float32Array(n);
function trimmedB(x, p) { const d = Math.fround(x - p); return Math.abs(d) < th ? 0 : d; }
function trimmedM(x, p) { const d = Math.fround(x - p); return d * +(Math.abs(d) >= th); }
function sumB(x) { for (let i = 0; i < n; i++) sums[i] += trimmedB(x[i], p[i]); }
function sumM(x) { for (let i = 0; i < n; i++) sums[i] += trimmedM(x[i], p[i]); }
function agreeB(x) { for (let i = 0; i < n; i++) { const v = trimmedB(x[i], p[i]); if (v === 0) continue; const s = sums[i]; if (s === 0) continue; if (s > 0 ? v > 0 : v < 0) { acc[i] += v; counts[i]++; } } }
function agreeM(x) { for (let i = 0; i < n; i++) { const v = trimmedM(x[i], p[i]); const s = signs[i]; const a = Math.max(v * s, 0); acc[i] += a * s; fcounts[i] += Math.sign(a); } }
function agreeM2(x) { for (let i = 0; i < n; i++) { const v = trimmedB(x[i], p[i]); const s = signs[i]; const a = Math.max(v * s, 0); acc[i] += a * s; } }
function run(name, sumf, agreef) {
  const c0 = process.cpuUsage();
  for (let k = 0; k < reps; k++) { sums.fill(0); acc.fill(0); counts.fill(0); fcounts.fill(0);
    for (let j = 0; j < T; j++) sumf(xs[j]);
    for (let i = 0; i < n; i++) signs[i] = Math.sign(sums[i]);
    for (let j = 0; j < T; j++) agreef(xs[j]); }
  const c = process.cpuUsage(c0);
  console.log(name, (c.user * 1e3 / (n * reps * T)).toFixed(2), 'ns user per entry');
}
for (let rep = 0; rep < 2; rep++) { run('branchy', sumB, agreeB); run('branchless', sumM, agreeM); run('mixed', sumB, agreeM2); run('bl-sum', sumM, agreeM2); }
