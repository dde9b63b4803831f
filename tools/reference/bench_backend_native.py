#!/usr/bin/python3
"""matMul throughput in PyTorch, the reference side of `pnpm bench` in packages/backend-native
(which runs this as a child process, on the same shapes and transpose flags, in the same run).

    /usr/bin/python3 tools/reference/bench_backend_native.py --shapes '<JSON>' [--repeats 5] [--threads N]
        [--device cpu|cuda]

--shapes is a JSON list of {"label", "a": [..shape], "b": [..shape], "transpose_a", "transpose_b"};
a transposed operand is stored transposed and used through a view, as tfjs's flags do.
Prints one JSON object: {"threads", "device", "results": [{"label", "seconds", "gflops"}]}, each the
fastest of --repeats runs after one warm-up (on cuda also "device_name" and "peak_gpu_mb").
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_device import add_device_argument, describe, resolve_device, synchronize  # noqa: E402


def product(a, b, transpose_a, transpose_b):
    return (a.transpose(-1, -2) if transpose_a else a) @ (b.transpose(-1, -2) if transpose_b else b)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    add_device_argument(parser)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    torch.manual_seed(0)
    results = []
    with torch.no_grad():
        for case in json.loads(args.shapes):
            a = torch.randn(case["a"], device=device)
            b = torch.randn(case["b"], device=device)
            ta, tb = case["transpose_a"], case["transpose_b"]
            out = product(a, b, ta, tb)
            m, n = out.shape[-2], out.shape[-1]
            k = a.shape[-2] if ta else a.shape[-1]
            batch = out.numel() // (m * n)
            times = []
            for _ in range(args.repeats):
                synchronize(device)
                start = time.perf_counter()
                product(a, b, ta, tb)
                synchronize(device)
                times.append(time.perf_counter() - start)
            seconds = min(times)
            results.append({"label": case["label"], "seconds": seconds, "gflops": 2 * batch * m * n * k / seconds / 1e9})
    print(json.dumps({"threads": torch.get_num_threads(), **describe(device), "results": results}))


if __name__ == "__main__":
    main()
