/**
 * Coordinates whose trimmed entries sum to exactly zero although some are not zero (they cancel).
 * The reference TIES code gives such a coordinate the majority sign of the whole merge,
 * sign(Σ over all coordinates of sign(Σᵢ τᵢ)), which is known only after every key has been seen.
 * Rather than reading every model once more to learn it first, each such coordinate keeps its
 * output for each possible majority, and the right one is filled in at the end.
 */
export type MajoritySign = -1 | 0 | 1;

export class PendingSigns {
  private readonly indices: number[] = [];
  private readonly ifPositive: number[] = [];
  private readonly ifNegative: number[] = [];
  private readonly ifZero: number[] = [];

  get size(): number {
    return this.indices.length;
  }

  /** Records the output at `index` for a positive, a negative and a zero majority sign. */
  add(index: number, ifPositive: number, ifNegative: number, ifZero: number): void {
    this.indices.push(index);
    this.ifPositive.push(ifPositive);
    this.ifNegative.push(ifNegative);
    this.ifZero.push(ifZero);
  }

  /** Writes the outputs for the now known majority sign into `output`. */
  resolve(output: Float32Array, majority: MajoritySign): void {
    const chosen = majority > 0 ? this.ifPositive : majority < 0 ? this.ifNegative : this.ifZero;
    this.indices.forEach((index, j) => {
      output[index] = chosen[j];
    });
  }
}

/** sign(P − N) for P positive and N negative elected signs. */
export function majoritySign(positive: number, negative: number): MajoritySign {
  return positive > negative ? 1 : positive < negative ? -1 : 0;
}
