import { combineKey } from '../../packages/core/dist/merging/combine-key.js';
const n = 2_359_296, T = 8, reps = 37;
const rnd = (s) => { let x = s; return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; }; };
const r = rnd(7);
const p = Float32Array.from({ length: n }, () => r() - 0.5);
const xs = Array.from({ length: T }, () => Float32Array.from(p, (v) => v + (r() - 0.5) * 0.01));
const thr = Array.from({ length: T }, () => 0.004);
for (const [elect, combine] of [['none', 'sum'], ['sign', 'sum'], ['sign', 'mean'], ['sign', 'max']]) {
  for (let rep = 0; rep < 2; rep++) {
    const t = performance.now();
    for (let k = 0; k < reps; k++) combineKey({ pretrained: p, finetuned: xs, thresholds: elect === 'none' ? thr.map(() => 0) : thr }, { elect, combine, scalingFactor: 0.3 });
    const ms = performance.now() - t;
    console.log(elect, combine, ms.toFixed(0), 'ms for 87M x', T, '=', (ms * 1e6 / (n * reps * T)).toFixed(2), 'ns per entry');
  }
}
