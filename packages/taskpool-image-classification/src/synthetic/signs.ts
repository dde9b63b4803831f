import { degrees, type SignedDistance, uniform } from './canvas.js';
import { box, circle, cross, diamond, placed, square, triangle } from './sdf.js';
import type { SyntheticTask } from './synthetic-task.js';

const FRAMES: { name: string; shape: (r: number) => SignedDistance }[] = [
  { name: 'circle', shape: circle },
  { name: 'triangle', shape: triangle },
  { name: 'diamond', shape: diamond },
  { name: 'square', shape: (r) => square(1.1 * r) },
];

const SYMBOLS: { name: string; shape: (r: number) => SignedDistance }[] = [
  { name: 'bar', shape: (r) => box(r, 0.3 * r) },
  { name: 'cross', shape: cross },
  { name: 'dot', shape: (r) => circle(0.6 * r) },
];

/**
 * A traffic-sign-like task in the manner of GTSRB: the class is the pair of a sign's frame and
 * the symbol inside it, so neither alone decides it. The sign is a dark-edged bright plate with a
 * dark symbol at its centre, nearly filling the image, at a random place, size, small turn and
 * contrast, on a noisy gray background.
 */
export const syntheticSigns: SyntheticTask = {
  name: 'synthetic-signs',
  description:
    'Synthetic: a sign, its frame (circle, triangle, diamond, square) with a symbol inside (bar, cross, dot); 12 classes.',
  classNames: FRAMES.flatMap((frame) => SYMBOLS.map((symbol) => `${frame.name}-${symbol.name}`)),
  channels: 1,
  render(label, rng, canvas) {
    const frame = FRAMES[Math.floor(label / SYMBOLS.length)];
    const symbol = SYMBOLS[label % SYMBOLS.length];
    canvas.fill([uniform(rng, 0.2, 0.6)]);
    const r = uniform(rng, 0.34, 0.44);
    const cx = 0.5 + uniform(rng, -0.04, 0.04);
    // A triangle's centre is a third of its height above its base: lower it to keep it in view.
    const cy = 0.5 + uniform(rng, -0.04, 0.04) + (frame.name === 'triangle' ? 0.12 * r : 0);
    const angle = degrees(uniform(rng, -10, 10));
    const plate = uniform(rng, 0.75, 1);
    const ink = uniform(rng, 0, 0.2);
    canvas.paint(placed(frame.shape(r), cx, cy, angle), [ink]);
    canvas.paint(placed(frame.shape(0.78 * r), cx, cy, angle), [plate]);
    canvas.paint(placed(symbol.shape(0.28 * r), cx, cy, angle), [ink]);
    canvas.noise(rng, 0.04);
  },
};
