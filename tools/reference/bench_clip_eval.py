#!/usr/bin/python3
"""The PyTorch side of `pnpm bench` in packages/taskpool-clip-classification: evaluation throughput
on the TA8-shaped image files the benchmark wrote (<dir>/<task>/files/*). Per image: Pillow decode
and convert("RGB"), CLIPImageProcessor's resize (Pillow bicubic), crop, rescale and normalise
(clip_fixtures.clip_preprocess); per batch: a random CLIP ViT-B/32 image tower (clip_fixtures.py's
Hugging Face semantics) in eval mode under no_grad. Times decode + preprocessing alone, then the
whole loop, and prints one JSON line: images, input_seconds, total_seconds, threads.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from clip_fixtures import VIT_B32, VisionModelWithProjection, clip_preprocess  # noqa: E402


def batches(files, size):
    for start in range(0, len(files), size):
        chunk = files[start:start + size]
        yield torch.stack([clip_preprocess(np.array(Image.open(f).convert("RGB")), 224, 224) for f in chunk])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--tasks", nargs="+", required=True)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    files = {}
    for task in args.tasks:
        folder = os.path.join(args.dir, task, "files")
        files[task] = [os.path.join(folder, f) for f in sorted(os.listdir(folder), key=lambda n: int(n.split(".")[0]))]

    start = time.perf_counter()
    for task in args.tasks:
        for _ in batches(files[task], args.batch):
            pass
    input_seconds = time.perf_counter() - start

    torch.manual_seed(0)
    model = VisionModelWithProjection(VIT_B32, 512).eval()
    images = 0
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
        start = time.perf_counter()
        for task in args.tasks:
            for pixels in batches(files[task], args.batch):
                model(pixels)
                images += pixels.shape[0]
        total_seconds = time.perf_counter() - start
    print(json.dumps({"images": images, "input_seconds": input_seconds, "total_seconds": total_seconds,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
