/** One channel of an image stored row-major, possibly interleaved with other channels. */
export interface Plane {
  readonly data: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
  /** Index of pixel (0, 0) of this channel in `data`. */
  readonly offset: number;
  /** Distance in `data` between horizontally adjacent pixels: the number of interleaved channels. */
  readonly step: number;
}

/** For each output position along one axis: the first input position it reads and its weights. */
interface AxisTaps {
  readonly first: Int32Array;
  readonly weights: readonly Float64Array[];
}

const tapsCache = new Map<string, AxisTaps>();

/**
 * The taps of PIL's bilinear resampling along one axis (Resample.c, precompute_coeffs): output
 * pixel i is centred at (i + 0.5)·in/out in input coordinates; the triangle filter is stretched
 * by in/out when shrinking, which makes it antialiased, and weights are normalised to sum to 1
 * (so edges clamp). Growing, this is torch's interpolate(mode='bilinear', align_corners=False).
 */
function axisTaps(inSize: number, outSize: number): AxisTaps {
  const key = `${inSize}>${outSize}`;
  const cached = tapsCache.get(key);
  if (cached) return cached;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const first = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = new Float64Array(Math.max(hi - lo, 0));
    let total = 0;
    for (let x = lo; x < hi; x++) {
      const t = Math.abs((x - center + 0.5) / filterScale);
      w[x - lo] = t < 1 ? 1 - t : 0;
      total += w[x - lo];
    }
    if (total !== 0) for (let k = 0; k < w.length; k++) w[k] /= total;
    first[i] = lo;
    weights.push(w);
  }
  const taps = { first, weights };
  tapsCache.set(key, taps);
  return taps;
}

/**
 * Resizes one plane to outHeight×outWidth with PIL's bilinear filter (Image.resize(...,
 * BILINEAR) on a float image): separable, rows first, computed in double precision.
 */
export function resizePlane(plane: Plane, outHeight: number, outWidth: number): Float64Array {
  const { data, height, width, offset, step } = plane;
  const across = axisTaps(width, outWidth);
  const down = axisTaps(height, outHeight);
  const rows = new Float64Array(height * outWidth);
  for (let y = 0; y < height; y++) {
    const rowStart = offset + y * width * step;
    for (let j = 0; j < outWidth; j++) {
      const w = across.weights[j];
      let pos = rowStart + across.first[j] * step;
      let sum = 0;
      for (let k = 0; k < w.length; k++, pos += step) sum += w[k] * data[pos];
      rows[y * outWidth + j] = sum;
    }
  }
  const out = new Float64Array(outHeight * outWidth);
  for (let i = 0; i < outHeight; i++) {
    const w = down.weights[i];
    const top = down.first[i];
    for (let j = 0; j < outWidth; j++) {
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k] * rows[(top + k) * outWidth + j];
      out[i * outWidth + j] = sum;
    }
  }
  return out;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Where torchvision's Resize(size) + CenterCrop(size) take a size×size image from a height×width
 * one: the shorter side becomes `size` and the longer int(size·long/short); the crop starts at
 * round((resized − size)/2) on each axis.
 */
export function shorterSideCrop(
  height: number,
  width: number,
  size: number,
): { resizedHeight: number; resizedWidth: number; top: number; left: number } {
  const resizedHeight = height <= width ? size : Math.trunc((size * height) / width);
  const resizedWidth = width <= height ? size : Math.trunc((size * width) / height);
  return {
    resizedHeight,
    resizedWidth,
    top: roundHalfEven((resizedHeight - size) / 2),
    left: roundHalfEven((resizedWidth - size) / 2),
  };
}
