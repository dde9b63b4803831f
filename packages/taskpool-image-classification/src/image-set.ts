import type { ImageSource } from './image-source.js';
import { resizePlane } from './preprocess/resize.js';

/** Decoded images of one data set, all of one size, as stored on disk (channels last). */
export interface ImageSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  /** [count, height, width, channels], row-major. */
  readonly pixels: Uint8Array | Float32Array;
  /** The value of full intensity: a pixel's intensity in [0, 1] is its value / maxValue. */
  readonly maxValue: number;
  readonly labels: Int32Array;
}

/** An image set as a source: each drawn example is resized (see resizePlane) to the size asked. */
export function imageSetSource(set: ImageSet): ImageSource {
  const { height, width, channels, pixels, maxValue } = set;
  const perImage = height * width * channels;
  return {
    labels: set.labels,
    channels,
    draw(index, size, out, offset) {
      for (let c = 0; c < channels; c++) {
        const plane = { data: pixels, height, width, offset: index * perImage + c, step: channels };
        const resized = resizePlane(plane, size, size);
        const base = offset + c * size * size;
        for (let i = 0; i < resized.length; i++) out[base + i] = resized[i] / maxValue;
      }
    },
  };
}
