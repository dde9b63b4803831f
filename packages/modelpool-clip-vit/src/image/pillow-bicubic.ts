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
