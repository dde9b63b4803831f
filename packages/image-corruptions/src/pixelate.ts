import { boxResize } from './box-resample.js';
import type { Image } from './image.js';

/** Side of the coarse image as a share of the original, per severity (ImageNet-C). */
export const PIXELATE = [0.6, 0.5, 0.4, 0.3, 0.25] as const;

/** Down to ⌊side·c⌋ and back up, both with Pillow's BOX filter. */
export function pixelate(image: Image, severity: number): Image {
  const c = PIXELATE[severity - 1];
  const small = boxResize(
    image,
    Math.max(1, Math.trunc(image.width * c)),
    Math.max(1, Math.trunc(image.height * c)),
  );
  return boxResize(small, image.width, image.height);
}
