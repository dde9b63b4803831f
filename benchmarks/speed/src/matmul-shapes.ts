/** A product the backend-native and backend-webgpu subjects time: operands as stored (transposed ones stored transposed). */
export interface MatMulCase {
  readonly label: string;
  readonly a: number[];
  readonly b: number[];
  readonly transpose_a: boolean;
  readonly transpose_b: boolean;
}

function product(
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  batch: number[] = [],
): MatMulCase {
  const flags = [ta ? 'Aᵀ' : 'A', tb ? 'Bᵀ' : 'B'].join('·');
  const dims = `${batch.length > 0 ? `${batch.join('×')} × ` : ''}[${m}×${k}]·[${k}×${n}]`;
  return {
    label: `${dims} ${flags}`,
    a: [...batch, ...(ta ? [k, m] : [m, k])],
    b: [...batch, ...(tb ? [n, k] : [k, n])],
    transpose_a: ta,
    transpose_b: tb,
  };
}

/**
 * Transformer shapes of a ViT-B/32: an MLP's first product for 256 and 3,200 tokens (its backward
 * products use the transposed flags), and attention scores and context for 768 heads of 50 tokens.
 */
export const MATMUL_CASES: readonly MatMulCase[] = [
  product(256, 768, 3072, false, false),
  product(256, 768, 3072, false, true),
  product(256, 3072, 768, true, false),
  product(3200, 768, 3072, false, false),
  product(3200, 768, 3072, false, true),
  product(768, 3200, 3072, true, false),
  product(50, 64, 50, false, false, [768]),
  product(50, 64, 50, false, true, [768]),
  product(50, 50, 64, true, false, [768]),
];

export function flopsOf(c: MatMulCase): number {
  const batch = c.a.slice(0, -2).reduce((x, y) => x * y, 1);
  const [m, k] = c.transpose_a ? [c.a.at(-1)!, c.a.at(-2)!] : [c.a.at(-2)!, c.a.at(-1)!];
  const n = c.transpose_b ? c.b.at(-2)! : c.b.at(-1)!;
  return 2 * batch * m * n * k;
}
