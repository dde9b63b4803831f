/**
 * Pillow's bicubic resize of 8-bit images (libImaging/Resample.c), reproduced exactly so that
 * preprocessing matches Hugging Face's CLIPImageProcessor, which resizes with Pillow: a
 * separable filter (a = -0.5) widened by the downscale factor (antialiasing), coefficients in
 * 22-bit fixed point, the horizontal pass first, each pass rounded and clipped to 0-255.
 */

const PRECISION_BITS = 32 - 8 - 2;
const SUPPORT = 2;

function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** Per output position: the first input index and the fixed-point weights of the inputs from there. */
interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
  readonly stride: number;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const inverseFilterScale = 1 / filterScale;
  const support = SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const k = new Float64Array(stride);
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - first;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      k[i] = bicubic((i + first - center + 0.5) * inverseFilterScale);
      sum += k[i];
    }
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? k[i] / sum : k[i];
      weights[out * stride + i] = Math.trunc(
        w < 0 ? -0.5 + w * 2 ** PRECISION_BITS : 0.5 + w * 2 ** PRECISION_BITS,
      );
    }
    start[out] = first;
    count[out] = n;
  }
  return { start, count, weights, stride };
}

function clip8(sum: number): number {
  if (sum >= 2 ** (PRECISION_BITS + 8)) return 255;
  if (sum <= 0) return 0;
  return Math.floor(sum / 2 ** PRECISION_BITS);
}

/**
 * Resamples one axis of an interleaved uint8 image [rows, cols, channels] where the axis has
 * `inSize` entries `step` elements apart; `lines` lines of the other axis are `lineStep` apart.
 */
function resampleAxis(
  src: Uint8Array,
  shape: { lines: number; lineStep: number; inSize: number; step: number; channels: number },
  outSize: number,
  out: Uint8Array,
  outShape: { lineStep: number; step: number },
): void {
  const { start, count, weights, stride } = taps(shape.inSize, outSize);
  const half = 2 ** (PRECISION_BITS - 1);
  for (let line = 0; line < shape.lines; line++) {
    for (let o = 0; o < outSize; o++) {
      for (let c = 0; c < shape.channels; c++) {
        let sum = half;
        for (let i = 0; i < count[o]; i++) {
          sum += src[line * shape.lineStep + (start[o] + i) * shape.step + c] * weights[o * stride + i];
        }
        out[line * outShape.lineStep + o * outShape.step + c] = clip8(sum);
      }
    }
  }
}

/** Resizes an interleaved uint8 image (height × width × channels) to outWidth × outHeight as Pillow's BICUBIC. */
export function resizeBicubic(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  let current = pixels;
  let currentWidth = width;
  if (outWidth !== width) {
    const next = new Uint8Array(height * outWidth * channels);
    resampleAxis(
      current,
      { lines: height, lineStep: width * channels, inSize: width, step: channels, channels },
      outWidth,
      next,
      { lineStep: outWidth * channels, step: channels },
    );
    current = next;
    currentWidth = outWidth;
  }
  if (outHeight !== height) {
    const next = new Uint8Array(outHeight * currentWidth * channels);
    resampleAxis(
      current,
      { lines: currentWidth, lineStep: channels, inSize: height, step: currentWidth * channels, channels },
      outHeight,
      next,
      { lineStep: channels, step: currentWidth * channels },
    );
    current = next;
  }
  return current === pixels ? pixels.slice() : current;
}

/** A rectangle of an image: columns [left, left + width), rows [top, top + height). */
export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * `resizeBicubic` of an RGB image to outWidth × outHeight followed by a crop, computing only the
 * cropped pixels (and only the input rows they read): every output pixel depends on its own taps
 * alone, so the values equal resize-then-crop bit for bit, for a fraction of the work when the
 * crop is smaller than the resized image (CLIP's centre crop). Pillow's order is kept: the
 * horizontal pass, rounded and clipped, then the vertical pass.
 */
export function resizeBicubicCropped(
  rgb: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  crop: CropBox,
): Uint8Array {
  const rowLength = crop.width * 3;
  const half = 2 ** (PRECISION_BITS - 1);
  // Input rows the vertical pass reads for the crop's rows.
  const vertical = outHeight !== height ? taps(height, outHeight) : undefined;
  let firstRow = crop.top;
  let endRow = crop.top + crop.height;
  if (vertical) {
    firstRow = vertical.start[crop.top];
    endRow = 0;
    for (let y = crop.top; y < crop.top + crop.height; y++)
      endRow = Math.max(endRow, vertical.start[y] + vertical.count[y]);
  }
  // Horizontal pass over those rows, the crop's columns only: rows × crop.width × 3.
  const rows = endRow - firstRow;
  const across = new Uint8Array(rows * rowLength);
  if (outWidth !== width) {
    const { start, count, weights, stride } = taps(width, outWidth);
    let o = 0;
    for (let r = firstRow; r < endRow; r++) {
      const rowBase = r * width * 3;
      for (let x = crop.left; x < crop.left + crop.width; x++) {
        const n = count[x];
        const w0 = x * stride;
        let p = rowBase + start[x] * 3;
        let s0 = half;
        let s1 = half;
        let s2 = half;
        for (let i = 0; i < n; i++, p += 3) {
          const w = weights[w0 + i];
          s0 += rgb[p] * w;
          s1 += rgb[p + 1] * w;
          s2 += rgb[p + 2] * w;
        }
        across[o++] = clip8(s0);
        across[o++] = clip8(s1);
        across[o++] = clip8(s2);
      }
    }
  } else {
    for (let r = firstRow; r < endRow; r++) {
      const from = (r * width + crop.left) * 3;
      across.set(rgb.subarray(from, from + rowLength), (r - firstRow) * rowLength);
    }
  }
  if (!vertical) return across;
  // Vertical pass: each output row accumulates its input rows, weighted, a whole row at a time.
  const out = new Uint8Array(crop.height * rowLength);
  const sums = new Float64Array(rowLength);
  for (let y = crop.top; y < crop.top + crop.height; y++) {
    sums.fill(half);
    const n = vertical.count[y];
    for (let i = 0; i < n; i++) {
      const w = vertical.weights[y * vertical.stride + i];
      const base = (vertical.start[y] + i - firstRow) * rowLength;
      for (let j = 0; j < rowLength; j++) sums[j] += across[base + j] * w;
    }
    const o = (y - crop.top) * rowLength;
    for (let j = 0; j < rowLength; j++) out[o + j] = clip8(sums[j]);
  }
  return out;
}
