/**
 * An image as the corruptions take and give it: `channels` (1 or 3) interleaved per pixel
 * (height × width × channels, row-major, like a PIL/NumPy array) with intensities in [0, 1].
 */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Float32Array;
}

/** A new image of the same size with `data`. */
export function withData(image: Image, data: Float32Array): Image {
  return { width: image.width, height: image.height, channels: image.channels, data };
}

export const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * The published constants are for 224-pixel ImageNet images; spatial ones (blur radii, filter
 * sigmas) scale with the image's shorter side so that a severity means the same share of it.
 */
export function spatialScale(image: Image): number {
  return Math.min(image.width, image.height) / 224;
}
