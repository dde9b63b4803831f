import jpeg from 'jpeg-js';
import { type Image, withData } from './image.js';

/** JPEG quality per severity (ImageNet-C). */
export const JPEG_QUALITY = [25, 18, 15, 10, 7] as const;

/** Encodes the image as a baseline JPEG at the severity's quality (jpeg-js) and decodes it again. */
export function jpegCompression(image: Image, severity: number): Image {
  const { width, height, channels, data } = image;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++)
      rgba[4 * p + c] = Math.round(255 * data[p * channels + (channels === 3 ? c : 0)]);
    rgba[4 * p + 3] = 255;
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, JPEG_QUALITY[severity - 1]);
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: true });
  const out = new Float32Array(data.length);
  for (let p = 0; p < width * height; p++) {
    if (channels === 3) for (let c = 0; c < 3; c++) out[3 * p + c] = decoded.data[4 * p + c] / 255;
    // A grey image goes through as grey RGB; its luminance comes back.
    else
      out[p] =
        (0.299 * decoded.data[4 * p] + 0.587 * decoded.data[4 * p + 1] + 0.114 * decoded.data[4 * p + 2]) /
        255;
  }
  return withData(image, out);
}
