#!/usr/bin/python3
"""Seconds per layer-wise AdaMerging step in PyTorch, the reference side of `pnpm bench` in
packages/method-adamerging (which runs this as a child process with the same sizes).

One step, as there: for each of `--tasks` tasks, merge theta = theta_0 + sum_i lambda[i, k] tau_i
for every parameter tensor k (a vector-matrix product with the [T, size] stack of task vectors),
run a batch of `--batch` random images through the CLIP vision tower (clip_fixtures.py's
VisionModelWithProjection, Hugging Face semantics) with the merged weights (functional_call),
take the entropy of a random frozen head's softmax and backpropagate into lambda (gradients
accumulate over tasks); then one Adam step (lr 1e-3). Task vectors are small uniform noise,
lambda starts at 0.3. float32.

    /usr/bin/python3 tools/reference/bench_adamerging_step.py --config '<CLIPVisionConfig JSON>'
        [--tasks 8] [--batch 16] [--classes 10] [--steps 2] [--threads N]

Prints one JSON object: step_seconds (each step's wall time; the first warms up), threads,
parameters, parameter_tensors, peak_rss_mb.
"""

import argparse
import json
import os
import resource
import sys
import time

import torch
from torch.nn.utils.stateless import functional_call

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_fixtures import VisionModelWithProjection  # noqa: E402


def entropy(logits):
    p = logits.softmax(-1)
    return -(p * (p + 1e-8).log()).sum(-1).mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="CLIPVisionConfig fields as JSON, projection_dim included")
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = json.loads(args.config)
    model = VisionModelWithProjection(config, config["projection_dim"]).eval()
    names = [name for name, _ in model.named_parameters()]
    theta0 = {name: p.detach() for name, p in model.named_parameters()}
    # Stacked [T, size]: the merge is then one vector-matrix product per parameter, as in tfjs.
    tau = {name: (torch.rand(args.tasks, p.numel()) * 2 - 1) * 1e-3 for name, p in theta0.items()}
    heads = [torch.randn(args.classes, config["projection_dim"]) / config["projection_dim"] ** 0.5
             for _ in range(args.tasks)]
    lam = torch.full((args.tasks, len(names)), 0.3, requires_grad=True)
    optimizer = torch.optim.Adam([lam], lr=1e-3)
    size = config["image_size"]

    step_seconds = []
    for _ in range(args.steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        for t in range(args.tasks):
            pixels = torch.randn(args.batch, config["num_channels"], size, size)
            merged = {}
            for k, name in enumerate(names):
                merged[name] = theta0[name] + (lam[:, k] @ tau[name]).view(theta0[name].shape)
            embeds = functional_call(model, merged, (pixels,))[2]
            entropy(embeds @ heads[t].t()).backward()
        optimizer.step()
        step_seconds.append(time.perf_counter() - start)
    print(json.dumps({
        "step_seconds": step_seconds,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in theta0.values()),
        "parameter_tensors": len(names),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
