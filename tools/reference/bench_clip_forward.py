#!/usr/bin/python3
"""Forward throughput of a randomly initialised CLIP ViT-B/32 image tower in PyTorch, the reference
side of `pnpm bench` in packages/modelpool-clip-vit (which runs this as a child process).

The model is clip_fixtures.py's VisionModelWithProjection (Hugging Face's semantics) with the
ViT-B/32 config: hidden 768, 12 layers, 12 heads, image 224, patch 32, projection 512. It runs in
eval mode under no_grad in float32, one warm-up batch, then `--repeats` timed batches, and
reports the fastest.

    /usr/bin/python3 tools/reference/bench_clip_forward.py [--batch 32] [--repeats 2] [--threads N]
        [--device cpu|cuda]

Prints one JSON object: images_per_second, seconds_per_batch, batch, threads, device, peak_rss_mb
(on cuda also device_name and peak_gpu_mb).
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_fixtures import VIT_B32, VisionModelWithProjection  # noqa: E402
from torch_device import add_device_argument, describe, resolve_device, synchronize  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    add_device_argument(parser)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    torch.manual_seed(0)
    model = VisionModelWithProjection(VIT_B32, 512).eval().to(device)
    pixels = torch.randn(args.batch, 3, 224, 224, device=device)
    with torch.no_grad():
        model(pixels)
        times = []
        for _ in range(args.repeats):
            synchronize(device)
            start = time.perf_counter()
            model(pixels)
            synchronize(device)
            times.append(time.perf_counter() - start)
    seconds = min(times)  # the fastest run: on a shared machine the slower ones measure the neighbours
    print(json.dumps({
        "images_per_second": args.batch / seconds,
        "seconds_per_batch": seconds,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        **describe(device),
    }))


if __name__ == "__main__":
    main()
