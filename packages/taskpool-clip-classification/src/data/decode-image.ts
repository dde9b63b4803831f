import { MergebenchError } from '@mergebench/core';
import sharp from 'sharp';

/** An 8-bit RGB image, row-major, interleaved. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes JPEG, PNG (and the other formats libvips reads) to 8-bit RGB as Pillow's
 * `Image.open(...).convert('RGB')` does: grayscale is replicated, palettes are looked up, alpha is
 * dropped (not composited), embedded ICC profiles and EXIF orientation are ignored. Truncated or
 * undecodable bytes are an error naming `where`.
 */
export async function decodeRgb(bytes: Uint8Array, where: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { ignoreIcc: true, failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw new MergebenchError(
      `${where}: cannot decode the image (${(error as Error).message.split('\n')[0]})`,
    );
  }
}
