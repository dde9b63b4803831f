#!/usr/bin/python3
"""matMul throughput in PyTorch, the reference side of `pnpm bench` in packages/backend-native
(which runs this as a child process, on the same shapes and transpose flags, in the same run).

    /usr/bin/python3 tools/reference/bench_backend_native.py --shapes '<JSON>' [--repeats 5] [--threads N]

--shapes is a JSON list of {"label", "a": [..shape], "b": [..shape], "transpose_a", "transpose_b"};
a transposed operand is stored transposed and used through a view, as tfjs's flags do.
Prints one JSON object: {"threads", "results": [{"label", "seconds", "gflops"}]}, each the fastest
of --repeats runs after one warm-up.
"""

import argparse
import json
import time

import torch


def product(a, b, transpose_a, transpose_b):
    return (a.transpose(-1, -2) if transpose_a else a) @ (b.transpose(-1, -2) if transpose_b else b)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = []
    with torch.no_grad():
        for case in json.loads(args.shapes):
            a = torch.randn(case["a"])
            b = torch.randn(case["b"])
            ta, tb = case["transpose_a"], case["transpose_b"]
            out = product(a, b, ta, tb)
            m, n = out.shape[-2], out.shape[-1]
            k = a.shape[-2] if ta else a.shape[-1]
            batch = out.numel() // (m * n)
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                product(a, b, ta, tb)
                times.append(time.perf_counter() - start)
            seconds = min(times)
            results.append({"label": case["label"], "seconds": seconds, "gflops": 2 * batch * m * n * k / seconds / 1e9})
    print(json.dumps({"threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
