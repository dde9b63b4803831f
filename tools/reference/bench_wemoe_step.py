#!/usr/bin/python3
"""Seconds per WEMoE adaptation step in PyTorch, the reference side of `pnpm bench` in
packages/method-wemoe (which runs this as a child process with the same sizes).

The model is clip_fixtures.py's VisionModelWithProjection (Hugging Face semantics) with random
weights; every encoder layer's MLP becomes a weight-ensembling MoE over `--tasks` task vectors
(small uniform noise) with a 2-layer router (Linear d->d, ReLU, Linear d->T; weights N(0, 0.01^2),
last bias 0.3). Everything but the routers is frozen. One step: for each task, a batch of
`--batch` random images, the entropy of a random frozen head's softmax, backward (gradients
accumulate over tasks); then one Adam step (lr 1e-4). float32.

--mode picks how per-sample weights are applied:
    reference  the reference framework's way: for every sample, merge theta_0 + sum_i r_i tau_i
               into a state dict and run the MLP with it (a loop over samples)
    scaled     the way packages/method-wemoe does it: y = [c_1 x, ..., c_E x] . [W_1; ...; W_E]
               with c = [1, r], one product for the whole batch

    /usr/bin/python3 tools/reference/bench_wemoe_step.py --config '<CLIPVisionConfig JSON>'
        [--tasks 8] [--batch 16] [--classes 10] [--steps 1] [--threads N] [--mode reference]
        [--device cpu|cuda]

Prints one JSON object: step_seconds (each step's wall time), eval_seconds (one forward pass of
a batch in evaluation, routed per sample), threads, mode, parameters, trainable_parameters,
device, peak_rss_mb (on cuda also device_name and peak_gpu_mb).
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_fixtures import VisionModelWithProjection  # noqa: E402
from torch_device import add_device_argument, describe, resolve_device, synchronize  # noqa: E402

MLP_KEYS = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def entropy(logits):
    p = logits.softmax(-1)
    return -(p * (p + 1e-8).log()).sum(-1).mean()


class WeMoE(nn.Module):
    def __init__(self, mlp, tasks, init_lambda, mode):
        super().__init__()
        d = mlp.fc1.in_features
        self.mlp = mlp.requires_grad_(False)
        self.act = mlp.act
        self.mode = mode
        self.theta0 = {k: v.detach() for k, v in mlp.named_parameters()}
        self.taus = {k: (torch.rand((tasks,) + v.shape, device=v.device) * 2 - 1) * 1e-3
                     for k, v in self.theta0.items()}
        # [E, in, out] stacks (theta_0 first) for the scaled mode.
        self.stacks = {
            fc: torch.cat([self.theta0[f"{fc}.weight"].t().unsqueeze(0),
                           self.taus[f"{fc}.weight"].transpose(1, 2)]).contiguous()
            for fc in ("fc1", "fc2")
        }
        self.bias_stacks = {fc: torch.cat([self.theta0[f"{fc}.bias"].unsqueeze(0), self.taus[f"{fc}.bias"]])
                            for fc in ("fc1", "fc2")}
        self.gate_fc1 = nn.Linear(d, d)
        self.gate_fc2 = nn.Linear(d, tasks)
        nn.init.normal_(self.gate_fc1.weight, std=0.01)
        nn.init.zeros_(self.gate_fc1.bias)
        nn.init.normal_(self.gate_fc2.weight, std=0.01)
        nn.init.constant_(self.gate_fc2.bias, init_lambda)

    def scaled_linear(self, x, c, fc):
        b, n, d = x.shape
        e = c.shape[1]
        scaled = (x.unsqueeze(2) * c.view(b, 1, e, 1)).reshape(b * n, e * d)
        y = scaled @ self.stacks[fc].reshape(e * d, -1)
        return y.view(b, n, -1) + (c @ self.bias_stacks[fc]).unsqueeze(1)

    def forward(self, x):
        r = self.gate_fc2(F.relu(self.gate_fc1(x))).mean(dim=1)
        if self.mode == "scaled":
            c = torch.cat([torch.ones_like(r[:, :1]), r], dim=1)
            return self.scaled_linear(self.act(self.scaled_linear(x, c, "fc1")), c, "fc2")
        outs = []
        for b in range(x.shape[0]):
            merged = {k: self.theta0[k] + (r[b].view(-1, *[1] * self.theta0[k].dim()) * self.taus[k]).sum(0)
                      for k in MLP_KEYS}
            outs.append(functional_call(self.mlp, merged, (x[b:b + 1],)))
        return torch.cat(outs, dim=0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="CLIPVisionConfig fields as JSON, projection_dim included")
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--mode", choices=["reference", "scaled"], default="reference")
    add_device_argument(parser)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    torch.manual_seed(0)
    config = json.loads(args.config)
    model = VisionModelWithProjection(config, config["projection_dim"]).requires_grad_(False).to(device)
    for layer in model.vision_model.encoder.layers:
        # The task vectors are made beside the MLP's weights (on the device); .to moves the router.
        layer.mlp = WeMoE(layer.mlp, args.tasks, 0.3, args.mode).to(device)
    routers = [p for p in model.parameters() if p.requires_grad]
    heads = [torch.randn(args.classes, config["projection_dim"], device=device) / config["projection_dim"] ** 0.5
             for _ in range(args.tasks)]
    optimizer = torch.optim.Adam(routers, lr=1e-4)
    size = config["image_size"]

    step_seconds = []
    for _ in range(args.steps):
        synchronize(device)
        start = time.perf_counter()
        optimizer.zero_grad()
        for t in range(args.tasks):
            pixels = torch.randn(args.batch, config["num_channels"], size, size, device=device)
            entropy(model(pixels)[2] @ heads[t].t()).backward()
        optimizer.step()
        synchronize(device)
        step_seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        synchronize(device)
        start = time.perf_counter()
        model(torch.randn(args.batch, config["num_channels"], size, size, device=device))
        synchronize(device)
        eval_seconds = time.perf_counter() - start
    experts = sum(t.numel() for layer in model.vision_model.encoder.layers for t in layer.mlp.taus.values())
    print(json.dumps({
        "step_seconds": step_seconds,
        "eval_seconds": eval_seconds,
        "threads": torch.get_num_threads(),
        "mode": args.mode,
        "parameters": sum(p.numel() for p in model.parameters()) + experts,
        "trainable_parameters": sum(p.numel() for p in routers),
        **describe(device),
    }))


if __name__ == "__main__":
    main()
