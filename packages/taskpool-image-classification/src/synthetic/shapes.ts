import { degrees, uniform } from './canvas.js';
import { circle, cross, diamond, placed, ring, square, triangle } from './sdf.js';
import type { SyntheticTask } from './synthetic-task.js';

const SHAPES = [circle, square, triangle, cross, ring, diamond];

/** Which of six shapes is drawn, at a random place, size, small rotation and contrast. */
export const syntheticShapes: SyntheticTask = {
  name: 'synthetic-shapes',
  description:
    'Synthetic: one bright shape on a dark noisy background (circle, square, triangle, cross, ring, diamond).',
  classNames: ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond'],
  channels: 1,
  render(label, rng, canvas) {
    canvas.fill([uniform(rng, 0, 0.35)]);
    const r = uniform(rng, 0.16, 0.3);
    const cx = uniform(rng, r + 0.02, 1 - r - 0.02);
    const cy = uniform(rng, r + 0.02, 1 - r - 0.02);
    // Turns stay within ±15° so that a square never looks like a diamond.
    const angle = degrees(uniform(rng, -15, 15));
    canvas.paint(placed(SHAPES[label](r), cx, cy, angle), [uniform(rng, 0.65, 1)]);
    canvas.noise(rng, 0.05);
  },
};
