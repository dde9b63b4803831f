import type { SignedDistance } from './canvas.js';

/**
 * Signed distance functions of the synthetic shapes, centred on the origin, sized by `r` (about
 * the shape's radius). Formulas after Inigo Quilez's 2D distance functions.
 */
export function circle(r: number): SignedDistance {
  return (x, y) => Math.hypot(x, y) - r;
}

export function ring(r: number): SignedDistance {
  return (x, y) => Math.abs(Math.hypot(x, y) - 0.8 * r) - 0.15 * r;
}

/** An axis-aligned box of half-sizes (hx, hy). */
export function box(hx: number, hy: number): SignedDistance {
  return (x, y) => {
    const qx = Math.abs(x) - hx;
    const qy = Math.abs(y) - hy;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
  };
}

export function square(r: number): SignedDistance {
  return box(0.8 * r, 0.8 * r);
}

/** A square standing on a corner (|x| + |y| = r). */
export function diamond(r: number): SignedDistance {
  return (x, y) => (Math.abs(x) + Math.abs(y) - r) / Math.SQRT2;
}

export function cross(r: number): SignedDistance {
  const horizontal = box(r, 0.28 * r);
  const vertical = box(0.28 * r, r);
  return (x, y) => Math.min(horizontal(x, y), vertical(x, y));
}

/** An equilateral triangle pointing up, with half-side r. */
export function triangle(r: number): SignedDistance {
  const k = Math.sqrt(3);
  return (x, y) => {
    // Image rows grow downwards; the formula's y grows upwards.
    let px = Math.abs(x) - r;
    let py = -y + r / k;
    if (px + k * py > 0) [px, py] = [(px - k * py) / 2, (-k * px - py) / 2];
    px -= Math.min(Math.max(px, -2 * r), 0);
    return -Math.hypot(px, py) * Math.sign(py);
  };
}

/** `shape` moved to (cx, cy) and turned by `angle` radians. */
export function placed(shape: SignedDistance, cx: number, cy: number, angle = 0): SignedDistance {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    return shape(cos * dx + sin * dy, -sin * dx + cos * dy);
  };
}
