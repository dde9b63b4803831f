#!/usr/bin/python3
"""Parity fixtures for @mergebench/image-corruptions: the corruptions of Hendrycks & Dietterich
(2019), ImageNet-C's make_imagenet_c.py definitions, computed with NumPy, Pillow and SciPy on a
few small images with the random draws given (so that TypeScript's seeded draws need not match
NumPy's): the test feeds the same draws through the TypeScript transforms.

Run from the repository root with Debian's Python:

    /usr/bin/python3 tools/reference/image_corruption_fixtures.py

Transforms, on images x in [0, 1] (H × W × C):
    contrast:         (x - mean_hw(x)) * c + mean_hw(x),      c = [0.4, .3, .2, .1, .05]
    pixelate:         Pillow resize to int(W c) × int(H c) with Image.BOX, back with Image.BOX,
                      on the 8-bit image,                        c = [0.6, 0.5, 0.4, 0.3, 0.25]
    gaussian_noise:   clip(x + c * z, 0, 1), z ~ N(0, 1) given,  c = [.08, .12, 0.18, 0.26, 0.38]
    impulse_noise:    skimage random_noise 's&p' (amount c, salt_vs_pepper 0.5) with its two
                      uniform draws u1 (flip if u1 <= c) and u2 (salt if u2 <= 0.5) given,
                                                                 c = [.03, .06, .09, 0.17, 0.27]
    motion_blur:      ImageMagick's kernel at a given angle: 2r+1 taps exp(-i^2 / 2 s^2), i >= 0,
                      normalised, offsets round(i cos a), round(i sin a), edge pixels repeated
                      (r, s) = [(10, 3), (15, 5), (15, 8), (15, 12), (20, 15)] scaled by side/224
    jpeg_compression: not here: the encoders differ (Pillow/libjpeg vs jpeg-js); its test checks
                      the quality's effect instead.

Written to packages/image-corruptions/fixtures/corruptions.json: images (H, W, C, values), and
per case (corruption, severity, image index, draws, angle) the expected output.
"""

import json
import math
import pathlib

import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "packages" / "image-corruptions" / "fixtures" / "corruptions.json"

CONTRAST = [0.4, .3, .2, .1, .05]
PIXELATE = [0.6, 0.5, 0.4, 0.3, 0.25]
GAUSSIAN = [.08, .12, 0.18, 0.26, 0.38]
IMPULSE = [.03, .06, .09, 0.17, 0.27]
MOTION = [(10, 3), (15, 5), (15, 8), (15, 12), (20, 15)]


def images(rng):
    """Two 8-bit colour images (smooth gradients with blocks) and one grey, as floats in [0, 1]."""
    out = []
    for h, w, c in [(12, 12, 3), (10, 14, 3), (12, 12, 1)]:
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([(xx / w), (yy / h), ((xx + yy) % 7) / 7][:c], axis=-1)
        base = 0.6 * base + 0.4 * rng.random((h, w, c))
        out.append(np.round(base * 255) / 255)
    return out


def contrast(x, s):
    c = CONTRAST[s - 1]
    means = x.mean(axis=(0, 1), keepdims=True)
    return (x - means) * c + means


def pixelate(x, s):
    c = PIXELATE[s - 1]
    h, w, ch = x.shape
    u8 = np.round(x * 255).astype(np.uint8)
    img = Image.fromarray(u8[..., 0] if ch == 1 else u8)
    img = img.resize((max(1, int(w * c)), max(1, int(h * c))), Image.BOX).resize((w, h), Image.BOX)
    return np.asarray(img).reshape(h, w, ch) / 255.0


def gaussian(x, s, z):
    return np.clip(x + GAUSSIAN[s - 1] * z, 0, 1)


def impulse(x, s, u1, u2):
    out = x.copy()
    flipped = u1 <= IMPULSE[s - 1]
    salted = u2 <= 0.5
    out[flipped & salted] = 1
    out[flipped & ~salted] = 0
    return out


def motion(x, s, angle):
    h, w, ch = x.shape
    scale = min(h, w) / 224
    r, sigma = (v * scale for v in MOTION[s - 1])
    width = 2 * max(1, round(r)) + 1
    k = np.exp(-np.arange(width) ** 2 / (2 * sigma * sigma))
    k /= k.sum()
    theta = math.radians(angle)
    out = np.zeros_like(x)
    for i in range(width):
        dx, dy = round(i * math.cos(theta)), round(i * math.sin(theta))
        ys = np.clip(np.arange(h) + dy, 0, h - 1)
        xs = np.clip(np.arange(w) + dx, 0, w - 1)
        out += k[i] * x[ys][:, xs]
    return out


def as_list(a):
    return [round(float(v), 6) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def main():
    rng = np.random.default_rng(20190328)
    imgs = images(rng)
    cases = []
    for index, x in enumerate(imgs):
        for s in [2, 5]:
            cases.append({"corruption": "contrast", "severity": s, "image": index, "out": as_list(contrast(x, s))})
            cases.append({"corruption": "pixelate", "severity": s, "image": index, "out": as_list(pixelate(x, s))})
            z = rng.standard_normal(x.shape)
            cases.append({"corruption": "gaussian_noise", "severity": s, "image": index, "draws": as_list(z),
                          "out": as_list(gaussian(x, s, z))})
            u1, u2 = rng.random(x.shape), rng.random(x.shape)
            draws = np.stack([u1, u2], axis=-1)
            cases.append({"corruption": "impulse_noise", "severity": s, "image": index, "draws": as_list(draws),
                          "out": as_list(impulse(x, s, u1, u2))})
            angle = float(rng.uniform(-45, 45))
            cases.append({"corruption": "motion_blur", "severity": s, "image": index, "angle": angle,
                          "out": as_list(motion(x, s, angle))})
    content = {
        "images": [{"height": x.shape[0], "width": x.shape[1], "channels": x.shape[2], "values": as_list(x)} for x in imgs],
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(content) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
