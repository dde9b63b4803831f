import type { Rng } from '@mergebench/core';

/** A signed distance in image units (the image is the unit square): negative inside a shape. */
export type SignedDistance = (x: number, y: number) => number;

/**
 * A channel-first drawing surface over part of a Float32Array, in coordinates where the image
 * is the unit square, so a scene looks the same at every resolution. Shapes are given as signed
 * distance functions and antialiased by their distance to the edge (one pixel of ramp).
 */
export class Canvas {
  constructor(
    readonly size: number,
    readonly channels: 1 | 3,
    readonly data: Float32Array = new Float32Array(channels * size * size),
    readonly offset = 0,
  ) {}

  /** Sets every pixel of channel c to color[c]. */
  fill(color: readonly number[]): void {
    const area = this.size * this.size;
    for (let c = 0; c < this.channels; c++)
      this.data.fill(color[c], this.offset + c * area, this.offset + (c + 1) * area);
  }

  /** Sets each pixel of every channel to `value(x, y)` at the pixel's centre. */
  shade(value: (x: number, y: number) => number): void {
    this.#forEachPixel((x, y, i) => {
      const v = value(x, y);
      for (let c = 0; c < this.channels; c++) this.data[i + c * this.size * this.size] = v;
    });
  }

  /** Blends `color` over the pixels a shape covers, by coverage. */
  paint(shape: SignedDistance, color: readonly number[]): void {
    const area = this.size * this.size;
    this.#forEachPixel((x, y, i) => {
      const coverage = Math.min(Math.max(0.5 - shape(x, y) * this.size, 0), 1);
      if (coverage === 0) return;
      for (let c = 0; c < this.channels; c++) {
        const at = i + c * area;
        this.data[at] += (color[c] - this.data[at]) * coverage;
      }
    });
  }

  /** Adds Gaussian noise of standard deviation `sigma` to every value, then clamps to [0, 1]. */
  noise(rng: Rng, sigma: number): void {
    const end = this.offset + this.channels * this.size * this.size;
    for (let i = this.offset; i < end; i++)
      this.data[i] = Math.min(Math.max(this.data[i] + sigma * rng.normal(), 0), 1);
  }

  #forEachPixel(visit: (x: number, y: number, index: number) => void): void {
    const { size } = this;
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++)
        visit((col + 0.5) / size, (row + 0.5) / size, this.offset + row * size + col);
    }
  }
}

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Radians from degrees. */
export function degrees(d: number): number {
  return (d * Math.PI) / 180;
}
