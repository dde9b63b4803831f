import { MergebenchError } from '@mergebench/core';
import { uniform } from './canvas.js';
import { circle, placed } from './sdf.js';
import type { SyntheticTask } from './synthetic-task.js';

const MAX_ATTEMPTS = 1000;

/** How many separate blobs (1 to 5) are drawn, at random places, sizes and brightness. */
export const syntheticCounting: SyntheticTask = {
  name: 'synthetic-counting',
  description: 'Synthetic: count the separate bright blobs on a dark noisy background (1 to 5).',
  classNames: ['1', '2', '3', '4', '5'],
  channels: 1,
  render(label, rng, canvas) {
    canvas.fill([uniform(rng, 0, 0.3)]);
    const placedBlobs: { x: number; y: number; r: number }[] = [];
    for (let attempt = 0; placedBlobs.length < label + 1; attempt++) {
      if (attempt === MAX_ATTEMPTS)
        throw new MergebenchError(`synthetic-counting: cannot place ${label + 1} blobs`);
      const r = uniform(rng, 0.06, 0.1);
      const x = uniform(rng, r + 0.02, 1 - r - 0.02);
      const y = uniform(rng, r + 0.02, 1 - r - 0.02);
      // A gap of a few pixels keeps blobs countable as separate.
      if (placedBlobs.every((b) => Math.hypot(b.x - x, b.y - y) > b.r + r + 0.06))
        placedBlobs.push({ x, y, r });
    }
    for (const b of placedBlobs) canvas.paint(placed(circle(b.r), b.x, b.y), [uniform(rng, 0.6, 1)]);
    canvas.noise(rng, 0.05);
  },
};
