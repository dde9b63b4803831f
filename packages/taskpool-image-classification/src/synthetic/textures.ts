import { degrees, uniform } from './canvas.js';
import type { SyntheticTask } from './synthetic-task.js';

/** A soft square wave in [0, 1] of period 1. */
function wave(t: number): number {
  return 0.5 + 0.5 * Math.tanh(3 * Math.sin(2 * Math.PI * t));
}

/** The pattern of each class at rotated coordinates (u, v) measured in periods. */
const PATTERNS: ((u: number, v: number) => number)[] = [
  (_u, v) => wave(v),
  (u) => wave(u),
  (u, v) => wave((u + v) / Math.SQRT2),
  (u, v) => wave((u - v) / Math.SQRT2),
  (u, v) => 0.5 + 0.5 * Math.tanh(3 * Math.sin(2 * Math.PI * u)) * Math.tanh(3 * Math.sin(2 * Math.PI * v)),
  (u, v) => {
    const du = u - Math.floor(u) - 0.5;
    const dv = v - Math.floor(v) - 0.5;
    return Math.min(Math.max((0.3 - Math.hypot(du, dv)) * 8, 0), 1);
  },
];

/** Which periodic texture fills the image, at a random period, phase, small rotation and contrast. */
export const syntheticTextures: SyntheticTask = {
  name: 'synthetic-textures',
  description:
    'Synthetic: a periodic texture (horizontal, vertical, diagonal or anti-diagonal stripes, checkerboard, dots).',
  classNames: [
    'horizontal-stripes',
    'vertical-stripes',
    'diagonal-stripes',
    'antidiagonal-stripes',
    'checkerboard',
    'dots',
  ],
  channels: 1,
  render(label, rng, canvas) {
    const period = uniform(rng, 0.12, 0.25);
    const shiftU = rng.next();
    const shiftV = rng.next();
    const angle = degrees(uniform(rng, -10, 10));
    const lo = uniform(rng, 0, 0.3);
    const hi = uniform(rng, 0.7, 1);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const pattern = PATTERNS[label];
    canvas.shade((x, y) => {
      const u = (cos * x + sin * y) / period + shiftU;
      const v = (-sin * x + cos * y) / period + shiftV;
      return lo + (hi - lo) * pattern(u, v);
    });
    canvas.noise(rng, 0.05);
  },
};
