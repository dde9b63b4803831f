#!/usr/bin/python3
"""Parity fixtures for WEMoE and E-WEMoE (packages/moe, packages/method-e-wemoe): the
weight-ensembling MoE block of the paper (Tang et al., ICML 2024, arXiv 2402.00433), written
from its definition with a per-sample loop, and its gradients by torch autograd.

Run from the repository root with Debian's Python (the one that sees python3-torch):

    /usr/bin/python3 tools/reference/wemoe_fixtures.py

The MLP is fc2(gelu(fc1(x))) with D = 8, hidden 16 and exact (erf) GELU; T = 3 task vectors;
inputs x [B = 2, N = 5, D]. Definitions, for one block:

    r_b  = mean over tokens n of router(x[b, n])              (depth 1 or 2; no softmax)
    r_b  = w for every b                                      (depth 0: a learned vector w)
    r    = mean over b of r_b                                 (batch_reduce, training only)
    theta_b = theta_0 + sum_i r_b[i] * tau_i                  (fc1 and fc2, weights and biases)
    out[b] = fc2(gelu(fc1(x[b]; theta_b)); theta_b)

    depth 1: router(h) = fc(h), fc: Linear(D -> T)
    depth 2: router(h) = fc2(relu(fc1(h))), fc1: Linear(D -> D), fc2: Linear(D -> T)

The objective whose gradients are recorded is sum(out * R) for a fixed random R like out.

E-WEMoE ("sparse"): every task vector tensor is pruned on its own by core's top-k rule
(src/tensors/topk-mask.ts) at k = 100 * (1 - prune_ratio) percent: keep = floor(d * k / 100)
of its d entries; unless keep == d, the threshold is the (d - keep)-th smallest |tau|
(torch.kthvalue), and an entry survives when |tau| >= threshold. Two blocks, layers 0 and 1,
each with its own MLP and task vectors, run one after the other with residuals
(h = x + moe_0(x); out = h + moe_1(h)) and share ONE depth-2 router whose input is the layer's
fixed sinusoidal encoding (dim P = 4) FOLLOWED BY the hidden state, [enc, h], FusionBench's order
(fusion_bench/models/sparse_we_moe.py at 54c9e8c9d9621620c720452cd8533332a32d3689,
SparseWeightEnsemblingMoE_ShardGate.forward: torch.cat((layer_positional_encoding, hidden_states),
dim=-1)), so the router's first P input columns read the encoding:
    enc(layer)[j] = sin(layer * 10000^(-2j/P)) for j < P/2, cos(layer * 10000^(-2(j-P/2)/P)) after.

Router weights are random at a larger scale than the method's initialisation, so that routing
depends visibly on the input. Everything random is drawn in float32 and computed in float64.

Written to packages/moe/fixtures/we-moe.json and
packages/method-e-wemoe/fixtures/sparse-we-moe.json (checked in; tests never run Python), every
tensor as {"shape": [...], "values": [row-major floats]}:
    we-moe.json: config; x; R; pretrained and task_vectors (lists over tasks) as
        {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"} in PyTorch's [out, in] layout;
        cases: one per "depth-0", "depth-1", "depth-2", "depth-2-batch-reduce", each with
        router (parameter name -> tensor), routing (r, [B, T] or [1, T]), out, grad_x and
        grads (parameter name -> d sum(out * R) / d parameter).
    sparse-we-moe.json: config (prune_ratio, encoding_dim, router_input); x; R; layers (per layer: pretrained,
        task_vectors as given, pruned_task_vectors); router; encodings; out; grad_x; grads.
"""

import json
import math
import pathlib

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
WEMOE_OUT = ROOT / "packages" / "moe" / "fixtures" / "we-moe.json"
SPARSE_OUT = ROOT / "packages" / "method-e-wemoe" / "fixtures" / "sparse-we-moe.json"
SEED = 20240531
D, HIDDEN, T, B, N = 8, 16, 3, 2, 5
PRUNE_RATIO = 0.9
ENCODING_DIM = 4


def rand(*shape, scale=1.0):
    """float32 draws, returned as float64 for the computation."""
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def as_json(t):
    t = t.detach().float()
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def mlp_weights(scale):
    return {
        "fc1.weight": rand(HIDDEN, D, scale=scale),
        "fc1.bias": rand(HIDDEN, scale=scale),
        "fc2.weight": rand(D, HIDDEN, scale=scale),
        "fc2.bias": rand(D, scale=scale),
    }


def mlp(x, w):
    h = F.gelu(x @ w["fc1.weight"].t() + w["fc1.bias"])
    return h @ w["fc2.weight"].t() + w["fc2.bias"]


def merged(theta0, taus, r):
    """theta_0 + sum_i r[i] * tau_i for every MLP parameter."""
    return {k: theta0[k] + sum(r[i] * taus[i][k] for i in range(len(taus))) for k in theta0}


def router_forward(params, depth, h):
    if depth == 1:
        return h @ params["fc.weight"].t() + params["fc.bias"]
    hidden = F.relu(h @ params["fc1.weight"].t() + params["fc1.bias"])
    return hidden @ params["fc2.weight"].t() + params["fc2.bias"]


def router_params(depth, input_dim):
    if depth == 0:
        return {"bias": rand(T, scale=0.5)}
    if depth == 1:
        return {"fc.weight": rand(T, input_dim, scale=0.3), "fc.bias": rand(T, scale=0.3)}
    return {
        "fc1.weight": rand(input_dim, input_dim, scale=0.3),
        "fc1.bias": rand(input_dim, scale=0.3),
        "fc2.weight": rand(T, input_dim, scale=0.3),
        "fc2.bias": rand(T, scale=0.3),
    }


def routing(params, depth, router_input, batch_reduce):
    """[B, T] per sample, or [1, T] shared by the batch."""
    if depth == 0:
        return params["bias"].unsqueeze(0)
    r = router_forward(params, depth, router_input).mean(dim=1)
    return r.mean(dim=0, keepdim=True) if batch_reduce else r


def we_moe(x, theta0, taus, r):
    """The block with per-sample weights: a loop over samples, as the reference runs it."""
    outs = []
    for b in range(x.shape[0]):
        rb = r[0] if r.shape[0] == 1 else r[b]
        outs.append(mlp(x[b:b + 1], merged(theta0, taus, rb)))
    return torch.cat(outs, dim=0)


def grads_of(objective, leaves):
    values = torch.autograd.grad(objective, list(leaves.values()))
    return {name: as_json(g) for name, g in zip(leaves, values)}


def wemoe_case(x, R, theta0, taus, depth, batch_reduce):
    params = {k: v.clone().requires_grad_(True) for k, v in router_params(depth, D).items()}
    xg = x.clone().requires_grad_(True)
    r = routing(params, depth, xg, batch_reduce)
    out = we_moe(xg, theta0, taus, r)
    objective = (out * R).sum()
    grad_x = torch.autograd.grad(objective, xg, retain_graph=True)[0]
    return {
        "router": {k: as_json(v) for k, v in params.items()},
        "routing": as_json(r),
        "out": as_json(out),
        "grad_x": as_json(grad_x),
        "grads": grads_of(objective, params),
    }


def topk_prune(tau, prune_ratio):
    """core's per-tensor top-k rule at k = 100 * (1 - prune_ratio) percent."""
    k = round(100 * (1 - prune_ratio), 9)
    d = tau.numel()
    keep = math.floor(d * (k / 100))
    if keep == d:
        return tau.clone()
    magnitudes = tau.abs().reshape(-1).float()
    threshold = torch.kthvalue(magnitudes, d - keep).values
    return tau * (tau.abs().float() >= threshold).double()


def layer_encoding(layer, dim):
    half = dim // 2
    rates = [1 / 10000 ** (2 * j / dim) for j in range(half)]
    return torch.tensor(
        [math.sin(layer * a) for a in rates] + [math.cos(layer * a) for a in rates], dtype=torch.float32
    ).double()


def sparse_fixture():
    torch.manual_seed(SEED + 1)
    x = rand(B, N, D)
    R = rand(B, N, D)
    layers = []
    for layer in range(2):
        theta0 = mlp_weights(0.4)
        taus = [mlp_weights(0.1) for _ in range(T)]
        pruned = [{k: topk_prune(v, PRUNE_RATIO) for k, v in tau.items()} for tau in taus]
        layers.append({"theta0": theta0, "taus": taus, "pruned": pruned, "encoding": layer_encoding(layer, ENCODING_DIM)})
    params = {k: v.clone().requires_grad_(True) for k, v in router_params(2, D + ENCODING_DIM).items()}
    xg = x.clone().requires_grad_(True)
    h = xg
    for spec in layers:
        encoding = spec["encoding"].reshape(1, 1, -1).expand(B, N, ENCODING_DIM)
        r = routing(params, 2, torch.cat([encoding, h], dim=-1), False)
        h = h + we_moe(h, spec["theta0"], spec["pruned"], r)
    objective = (h * R).sum()
    grad_x = torch.autograd.grad(objective, xg, retain_graph=True)[0]
    return {
        "config": {"D": D, "hidden": HIDDEN, "T": T, "B": B, "N": N, "prune_ratio": PRUNE_RATIO,
                   "encoding_dim": ENCODING_DIM, "router_input": "encoding,hidden"},
        "x": as_json(x),
        "R": as_json(R),
        "layers": [
            {
                "pretrained": {k: as_json(v) for k, v in spec["theta0"].items()},
                "task_vectors": [{k: as_json(v) for k, v in tau.items()} for tau in spec["taus"]],
                "pruned_task_vectors": [{k: as_json(v) for k, v in tau.items()} for tau in spec["pruned"]],
                "encoding": as_json(spec["encoding"]),
            }
            for spec in layers
        ],
        "router": {k: as_json(v) for k, v in params.items()},
        "out": as_json(h),
        "grad_x": as_json(grad_x),
        "grads": grads_of(objective, params),
    }


def wemoe_fixture():
    torch.manual_seed(SEED)
    x = rand(B, N, D)
    R = rand(B, N, D)
    theta0 = mlp_weights(0.4)
    taus = [mlp_weights(0.2) for _ in range(T)]
    cases = {}
    for name, depth, batch_reduce in [
        ("depth-0", 0, False),
        ("depth-1", 1, False),
        ("depth-2", 2, False),
        ("depth-2-batch-reduce", 2, True),
    ]:
        cases[name] = wemoe_case(x, R, theta0, taus, depth, batch_reduce)
    return {
        "config": {"D": D, "hidden": HIDDEN, "T": T, "B": B, "N": N},
        "x": as_json(x),
        "R": as_json(R),
        "pretrained": {k: as_json(v) for k, v in theta0.items()},
        "task_vectors": [{k: as_json(v) for k, v in tau.items()} for tau in taus],
        "cases": cases,
    }


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


def main():
    torch.set_default_dtype(torch.float64)
    write(WEMOE_OUT, wemoe_fixture())
    write(SPARSE_OUT, sparse_fixture())


if __name__ == "__main__":
    main()
