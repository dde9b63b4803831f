import { MergebenchError } from '@mergebench/core';
import pngjs from 'pngjs';

/** A decoded PNG as 8-bit RGBA, whatever its colour type and bit depth were. */
export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** [height, width, 4], row-major. */
  readonly rgba: Uint8Array;
  /** Stored as grayscale (colour types 0 and 4): its R, G and B are equal. */
  readonly grayscale: boolean;
}

const GRAY = 0;
const GRAY_ALPHA = 4;

/**
 * Decodes a PNG of any colour type, bit depth and interlacing: palettes are expanded, 1-16 bit
 * samples scaled to 8 bits, grayscale replicated to R, G and B.
 */
export function decodePng(bytes: Uint8Array, origin: string): DecodedPng {
  let png: ReturnType<typeof pngjs.PNG.sync.read>;
  try {
    png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new MergebenchError(`${origin}: not a valid PNG (${(err as Error).message})`);
  }
  return {
    width: png.width,
    height: png.height,
    rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
    grayscale: png.colorType === GRAY || png.colorType === GRAY_ALPHA,
  };
}
