import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { layerNorm, linear, quickGelu } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameAsCpu, withGradients } from '../cpu-parity.test.helpers.js';
import { nativeThreads, useProducts } from '../index.js';

// Core's layer norm and quick GELU compose tfjs ops on cpu and call the fused kernels on native:
// the same calls, compared with each other, forward and gradients.
describe('fused kernels on native agree with the composed ops on cpu', () => {
  const shapes = [[1], [3, 7], [2, 5, 64], [4, 50, 768]];
  for (const shape of shapes) {
    const d = shape.at(-1)!;
    it(`layer norm over [${shape}], forward and gradients of x, weight and bias`, () => {
      const fn = withGradients((x, w, b) => layerNorm(x, w, b, 1e-5));
      expectSameAsCpu(fn, [{ shape }, { shape: [d] }, { shape: [d] }], 2e-4);
    });
    it(`quick GELU over [${shape}], forward and gradient`, () => {
      expectSameAsCpu(withGradients(quickGelu), [{ shape }]);
    });
  }

  for (const [rows, inF, outF] of [
    [1, 1, 1],
    [7, 5, 3],
    [50, 96, 130],
    [256, 128, 96],
  ]) {
    it(`linear [${rows}×${inF}]·[${outF}×${inF}]ᵀ + bias, forward and gradients of x, weight and bias`, () => {
      const fn = withGradients((x, w, b) => linear(x, w, b));
      expectSameAsCpu(fn, [{ shape: [rows, inF] }, { shape: [outF, inF] }, { shape: [outF] }], 1e-4);
    });
  }

  it('linear over a batch of sequences and without a bias', () => {
    expectSameAsCpu(
      withGradients((x, w, b) => linear(x, w, b)),
      [{ shape: [2, 5, 8] }, { shape: [6, 8] }, { shape: [6] }],
    );
    expectSameAsCpu(
      withGradients((x, w) => linear(x, w, null)),
      [{ shape: [2, 5, 8] }, { shape: [6, 8] }],
    );
  });

  it('layer norm of constant rows (zero variance) and large offsets', () => {
    const fn = withGradients((x, w, b) => layerNorm(x, w, b, 1e-5));
    const values = [3, 3, 3, 3, 1000, 1001, 1002, 1003];
    expectSameAsCpu(fn, [{ shape: [2, 4], values }, { shape: [4] }, { shape: [4] }], 2e-4);
  });

  it('quick GELU of NaN, ±Inf, ±0 and large magnitudes', () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 100, -100, 60];
    expectSameAsCpu(quickGelu, [{ shape: [8], values }]);
  });

  it('layer norm of int32 input takes the composed path', () => {
    expectSameAsCpu(
      (x, w, b) => layerNorm(tf.cast(x, 'float32'), w, b),
      [{ shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: 'int32' }, { shape: [3] }, { shape: [3] }],
    );
  });
});

describe('products on both libraries agree with cpu', () => {
  // Restored for the other test files, which run the default choice.
  afterAll(() => useProducts('auto'));
  const flags = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;
  // 128·96·100 multiply-adds is above the size from which oneDNN takes a product.
  const [m, k, n] = [128, 96, 100];
  const stored = (ta: boolean, tb: boolean, batch: number[] = []) => [
    { shape: [...batch, ...(ta ? [k, m] : [m, k])] },
    { shape: [...batch, ...(tb ? [n, k] : [k, n])] },
  ];
  for (const library of ['oneDNN where installed', 'OpenBLAS'] as const) {
    for (const [ta, tb] of flags) {
      it(`${library}: [${m}×${k}]·[${k}×${n}] transposeA=${ta} transposeB=${tb}, batched, with a bias`, () => {
        useProducts(library === 'OpenBLAS' ? 'openblas' : 'auto');
        expectSameAsCpu(
          withGradients((a, b) => tf.matMul(a, b, ta, tb)),
          stored(ta, tb),
          1e-4,
        );
        expectSameAsCpu((a, b) => tf.matMul(a, b, ta, tb), stored(ta, tb, [3]), 1e-4);
        const fused = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
          tf.fused.matMul({ a, b, bias, transposeA: ta, transposeB: tb });
        expectSameAsCpu(withGradients(fused), [...stored(ta, tb), { shape: [n] }], 1e-4);
        expectSameAsCpu(fused, [...stored(ta, tb, [2]), { shape: [1, n] }], 1e-4);
      });
    }
  }

  it('names the libraries that multiply', () => {
    expect(nativeThreads().products).toMatch(/OpenBLAS/);
    const onednn = useProducts('auto');
    expect(nativeThreads().products.startsWith('oneDNN')).toBe(onednn);
  });

  // oneDNN's AVX2 kernels measured slower than OpenBLAS's: capped below AVX-512, 'auto' leaves
  // every product on OpenBLAS and says why, and 'onednn' still turns it on.
  it('keeps products on OpenBLAS where oneDNN would not use AVX-512', () => {
    const addon = fileURLToPath(new URL('../../build/Release/backend_native.node', import.meta.url));
    const script = `const a = require(${JSON.stringify(addon)});
      const auto = [a.useOneDnn('auto'), a.threads().products];
      console.log(JSON.stringify([auto, [a.useOneDnn('onednn'), a.threads().products]]));`;
    const child = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, DNNL_MAX_CPU_ISA: 'AVX2', MERGEBENCH_NATIVE_GEMM: '' },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const [[autoOn, autoText], [forcedOn, forcedText]] = JSON.parse(child.stdout);
    expect(autoOn).toBe(false);
    expect(autoText).toMatch(/^OpenBLAS; /);
    if (forcedOn) expect(forcedText).toMatch(/^oneDNN .*\(every product\)/);
    else expect(forcedText).toMatch(/oneDNN not found|without dnnl_sgemm/);
  });
});
