import { type Image, withData } from './image.js';

/** Contrast factor per severity (ImageNet-C). */
export const CONTRAST = [0.4, 0.3, 0.2, 0.1, 0.05] as const;

/** (x − m)·c + m with m each channel's mean over the image. */
export function contrast(image: Image, severity: number): Image {
  const c = CONTRAST[severity - 1];
  const { channels, data } = image;
  const means = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) means[i % channels] += data[i];
  const pixels = data.length / channels;
  for (let k = 0; k < channels; k++) means[k] /= pixels;
  return withData(
    image,
    data.map((x, i) => (x - means[i % channels]) * c + means[i % channels]),
  );
}
