import { uniform } from './canvas.js';
import { circle, placed, square } from './sdf.js';
import type { SyntheticTask } from './synthetic-task.js';

/** RGB in [0, 1] of a hue in degrees, saturation and value in [0, 1]. */
function hsvToRgb(hue: number, saturation: number, value: number): number[] {
  const h = (((hue % 360) + 360) % 360) / 60;
  const chroma = value * saturation;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][Math.floor(h)];
  const m = value - chroma;
  return [r + m, g + m, b + m];
}

/** Which of six hues a shape has, on a gray background; the only task whose colour matters. */
export const syntheticColors: SyntheticTask = {
  name: 'synthetic-colors',
  description:
    'Synthetic: the hue of a circle or square on a gray noisy background (red, yellow, green, cyan, blue, magenta).',
  classNames: ['red', 'yellow', 'green', 'cyan', 'blue', 'magenta'],
  channels: 3,
  render(label, rng, canvas) {
    const gray = uniform(rng, 0.15, 0.55);
    canvas.fill([0, 1, 2].map(() => gray + uniform(rng, -0.05, 0.05)));
    const color = hsvToRgb(label * 60 + uniform(rng, -12, 12), uniform(rng, 0.6, 1), uniform(rng, 0.65, 1));
    const r = uniform(rng, 0.15, 0.3);
    const cx = uniform(rng, r + 0.02, 1 - r - 0.02);
    const cy = uniform(rng, r + 0.02, 1 - r - 0.02);
    const shape = rng.next() < 0.5 ? circle(r) : square(r);
    canvas.paint(placed(shape, cx, cy), color);
    canvas.noise(rng, 0.04);
  },
};
