#!/usr/bin/python3
"""Parity fixtures for AdaMerging (packages/method-adamerging): the entropy objective, its
gradients w.r.t. task-wise and layer-wise merge coefficients, and a few Adam steps on them, all
computed with torch autograd from the definition.

Run from the repository root with Debian's Python (the one that sees python3-torch):

    /usr/bin/python3 tools/reference/adamerging_fixtures.py

The model has the structure and parameter names of core's ToyEncoder (src/testing/toy-model.ts):
embed Linear(8 -> 16); 2 layers of x + fc2(gelu(fc1(layer_norm(x)))) with fc1 16 -> 32 and exact
(erf) GELU; final_norm LayerNorm; mean over the 4 tokens. Each of the 3 tasks has a Linear head
(16 -> its classes) and unlabelled inputs [6, 4, 8].

Definitions (tau_i = theta_i - theta_0 for every parameter k, all of which are merged):
    theta_k(lambda) = theta_0,k + sum_i lambda[i, g(k)] * tau_i,k
    g(k) = 0 task-wise (lambda is [T, 1]), g(k) = k layer-wise (lambda is [T, P])
    entropy(logits) = mean over rows of -sum_c p_c * log(p_c + 1e-8), p = softmax(logits)
    loss(lambda) = sum over tasks t of entropy(head_t(encoder(theta(lambda), x_t)))
The expected values are computed in float64 from the float32 weights and inputs (the tests run
in float32 and compare within 1e-4).

Written to packages/method-adamerging/fixtures/toy/ (checked in; tests never run Python):
    models/_pretrained_.safetensors, models/toy<i>.safetensors   theta_0 and the fine-tuned models
    heads/toy<i>.safetensors                                     weight [classes, 16], bias
    inputs.safetensors                                           toy<i>: [6, 4, 8]
    case.json
        config, tasks, classes, parameter_names (the column order of layer-wise lambda)
        gradients.<task-wise|layer-wise>: lambda (a non-uniform point), loss, task_losses, grad
            (lambda and grad are [T][G] lists)
        adam: lr, init_lambda, steps and per granularity `lambdas` (after each step, [step][T][G])
            and `losses` (the loss each step's gradient was taken at): torch.optim.Adam with its
            defaults otherwise, from lambda = init_lambda everywhere, each step on the full
            inputs of every task (so a batch of 6 in any order gives the same step).
"""

import json
import pathlib
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

from safetensors_fixtures import write_safetensors

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "packages" / "method-adamerging" / "fixtures" / "toy"
SEED = 20240612
CONFIG = {"inputDim": 8, "tokens": 4, "hidden": 16, "layers": 2}
TASKS = ["toy0", "toy1", "toy2"]
CLASSES = [3, 4, 5]
BATCH = 6
ADAM = {"lr": 0.05, "init_lambda": 0.3, "steps": 3}


class ToyMlp(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = nn.Linear(hidden, 2 * hidden)
        self.fc2 = nn.Linear(2 * hidden, hidden)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class ToyLayer(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.layer_norm = nn.LayerNorm(hidden)
        self.mlp = ToyMlp(hidden)

    def forward(self, x):
        return x + self.mlp(self.layer_norm(x))


class ToyEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = nn.Linear(c["inputDim"], c["hidden"])
        self.layers = nn.ModuleList([ToyLayer(c["hidden"]) for _ in range(c["layers"])])
        self.final_norm = nn.LayerNorm(c["hidden"])

    def forward(self, x):
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h)
        return self.final_norm(h).mean(1)


def entropy(logits):
    p = logits.softmax(-1)
    return -(p * (p + 1e-8).log()).sum(-1).mean()


def encode(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def nested(t):
    return [encode(row) for row in t]


class World:
    def __init__(self):
        g = torch.Generator().manual_seed(SEED)
        model = ToyEncoder(CONFIG)
        self.names = [name for name, _ in model.named_parameters()]
        self.pretrained = {}
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                value = 1 + 0.1 * torch.randn(p.shape, generator=g)
            elif name.endswith("bias"):
                value = 0.1 * torch.randn(p.shape, generator=g)
            else:
                value = torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5
            self.pretrained[name] = value.float()
        # Task vectors large enough that the coefficients change the predictions markedly.
        self.finetuned = {
            task: {k: (v + 0.5 * v.std() * torch.randn(v.shape, generator=g)).float()
                   for k, v in self.pretrained.items()}
            for task in TASKS
        }
        self.heads = {
            task: {"weight": (torch.randn(c, CONFIG["hidden"], generator=g) * 2 / CONFIG["hidden"] ** 0.5).float(),
                   "bias": (0.1 * torch.randn(c, generator=g)).float()}
            for task, c in zip(TASKS, CLASSES)
        }
        self.inputs = {
            task: torch.randn(BATCH, CONFIG["tokens"], CONFIG["inputDim"], generator=g).float() for task in TASKS
        }
        # The reference computation, in float64.
        self.model = ToyEncoder(CONFIG).double()
        self.theta0 = {k: v.double() for k, v in self.pretrained.items()}
        self.tau = {k: torch.stack([self.finetuned[t][k].double() - self.theta0[k] for t in TASKS])
                    for k in self.names}

    def merged(self, lam):
        layer_wise = lam.shape[1] > 1
        out = {}
        for j, k in enumerate(self.names):
            col = lam[:, j if layer_wise else 0]
            weights = col.reshape([-1] + [1] * self.theta0[k].dim())
            out[k] = self.theta0[k] + (weights * self.tau[k]).sum(0)
        return out

    def losses(self, lam):
        params = self.merged(lam)
        out = []
        for task in TASKS:
            features = functional_call(self.model, params, (self.inputs[task].double(),))
            head = self.heads[task]
            out.append(entropy(F.linear(features, head["weight"].double(), head["bias"].double())))
        return out

    def gradients(self, lam):
        lam = lam.clone().requires_grad_(True)
        per_task = self.losses(lam)
        loss = sum(per_task)
        loss.backward()
        return {
            "lambda": nested(lam), "loss": loss.item(), "task_losses": [t.item() for t in per_task],
            "grad": nested(lam.grad),
        }

    def adam(self, groups):
        lam = torch.full((len(TASKS), groups), ADAM["init_lambda"], dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.Adam([lam], lr=ADAM["lr"])
        lambdas, losses = [], []
        for _ in range(ADAM["steps"]):
            optimizer.zero_grad()
            loss = sum(self.losses(lam))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            lambdas.append(nested(lam))
        return {"lambdas": lambdas, "losses": losses}


def main():
    world = World()
    g = torch.Generator().manual_seed(SEED + 1)
    task_wise = (0.1 + 0.5 * torch.rand(len(TASKS), 1, generator=g)).double()
    layer_wise = (0.5 * torch.rand(len(TASKS), len(world.names), generator=g)).double()
    gradients = {"task-wise": world.gradients(task_wise), "layer-wise": world.gradients(layer_wise)}
    adam = {**ADAM, "task-wise": world.adam(1), "layer-wise": world.adam(len(world.names))}
    smallest = min(abs(v) for case in gradients.values() for row in case["grad"] for v in row)

    shutil.rmtree(OUT, ignore_errors=True)
    write_safetensors(str(OUT / "models" / "_pretrained_.safetensors"), list(world.pretrained.items()))
    for task in TASKS:
        write_safetensors(str(OUT / "models" / f"{task}.safetensors"), list(world.finetuned[task].items()))
        write_safetensors(str(OUT / "heads" / f"{task}.safetensors"), list(world.heads[task].items()))
    write_safetensors(str(OUT / "inputs.safetensors"), list(world.inputs.items()))
    case = {
        "torch": torch.__version__,
        "seed": SEED,
        "config": CONFIG,
        "tasks": TASKS,
        "classes": CLASSES,
        "parameter_names": world.names,
        "gradients": gradients,
        "adam": adam,
    }
    (OUT / "case.json").write_text(json.dumps(case, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}/ ({len(world.names)} parameters, {len(TASKS)} tasks; "
          f"losses {gradients['task-wise']['loss']:.4f} / {gradients['layer-wise']['loss']:.4f}; "
          f"smallest |gradient| {smallest:.2e})")


if __name__ == "__main__":
    main()
