#!/usr/bin/python3
"""Parity fixtures for WEMoE's upscaling targets (packages/moe, BlockWeightEnsemblingMoE and the
`upscale_target` parameter): the WEMoE paper's ablation (Tang et al., ICML 2024, arXiv 2402.00433)
upscales the MLPs, attention and MLPs, or whole transformer blocks. Written from the definition
of a weight-ensembling MoE over any module (FusionBench's WeightEnsemblingMoE over a base model:
per sample, functional_call of the base module with theta_0 + sum_i r_i tau_i), with a per-sample
loop and torch autograd, in float64.

Run from the repository root with Debian's Python:

    /usr/bin/python3 tools/reference/wemoe_block_fixtures.py

The block is a pre-LayerNorm CLIP encoder layer written out: D = 8, 2 heads, MLP hidden 16,
exact GELU, LayerNorm eps 1e-5:

    attn(h)  = out_proj(softmax(q k^T / sqrt(hd)) v) per head, q/k/v/out_proj Linear(D -> D)
    layer(x) = a + mlp(layer_norm2(a)),  a = x + self_attn(layer_norm1(x))

Routing of an upscaled site with input h [B, N, D] (its own input: the attention site reads
layer_norm1(x), the block site reads x, the MLP site reads layer_norm2(a)):

    r_b = mean over tokens of fc2(relu(fc1(h[b, n])))        (depth-2 router, no softmax)
    theta_b = theta_0 + sum_i r_b[i] tau_i                     (every parameter of the site)
    out[b]  = site(h[b]; theta_b)

Cases: "attention" (self_attn upscaled), "attention+mlp" (self_attn and mlp, two routers), and
"block" (the whole layer), each: routers, out, grad_x and router grads of sum(out * R).

Written to packages/moe/fixtures/we-moe-blocks.json (checked in; tests never run Python), every
tensor as {"shape": [...], "values": [...]}: config; x; R; pretrained and task_vectors (lists over
tasks) as parameter name -> tensor with the layer's names (self_attn.q_proj.weight, ...,
layer_norm1.weight, mlp.fc1.weight, ...); cases.
"""

import json
import pathlib

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "packages" / "moe" / "fixtures" / "we-moe-blocks.json"
SEED = 20240607
D, HEADS, HIDDEN, T, B, N = 8, 2, 16, 3, 2, 5
EPS = 1e-5


def rand(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def as_json(t):
    t = t.detach().float()
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def layer_weights(scale, norm_offset):
    w = {}
    for proj in ["q_proj", "k_proj", "v_proj", "out_proj"]:
        w[f"self_attn.{proj}.weight"] = rand(D, D, scale=scale)
        w[f"self_attn.{proj}.bias"] = rand(D, scale=scale)
    w["layer_norm1.weight"] = norm_offset + rand(D, scale=scale)
    w["layer_norm1.bias"] = rand(D, scale=scale)
    w["mlp.fc1.weight"] = rand(HIDDEN, D, scale=scale)
    w["mlp.fc1.bias"] = rand(HIDDEN, scale=scale)
    w["mlp.fc2.weight"] = rand(D, HIDDEN, scale=scale)
    w["mlp.fc2.bias"] = rand(D, scale=scale)
    w["layer_norm2.weight"] = norm_offset + rand(D, scale=scale)
    w["layer_norm2.bias"] = rand(D, scale=scale)
    return w


def sub(w, prefix):
    return {k[len(prefix) + 1:]: v for k, v in w.items() if k.startswith(prefix + ".")}


def linear(x, w, name):
    return x @ w[f"{name}.weight"].t() + w[f"{name}.bias"]


def attention(h, w):
    b, n, _ = h.shape
    hd = D // HEADS
    split = lambda t: t.reshape(b, n, HEADS, hd).transpose(1, 2)
    q = split(linear(h, w, "q_proj") * hd ** -0.5)
    k = split(linear(h, w, "k_proj"))
    v = split(linear(h, w, "v_proj"))
    ctx = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
    return linear(ctx.transpose(1, 2).reshape(b, n, D), w, "out_proj")


def mlp(h, w):
    return linear(F.gelu(linear(h, w, "fc1")), w, "fc2")


def norm(h, w, name):
    return F.layer_norm(h, (D,), w[f"{name}.weight"], w[f"{name}.bias"], EPS)


def layer(x, w, attn_fn=None, mlp_fn=None):
    attn_fn = attn_fn or (lambda h: attention(h, sub(w, "self_attn")))
    mlp_fn = mlp_fn or (lambda h: mlp(h, sub(w, "mlp")))
    a = x + attn_fn(norm(x, w, "layer_norm1"))
    return a + mlp_fn(norm(a, w, "layer_norm2"))


def router_params():
    return {
        "fc1.weight": rand(D, D, scale=0.3).requires_grad_(True),
        "fc1.bias": rand(D, scale=0.3).requires_grad_(True),
        "fc2.weight": rand(T, D, scale=0.3).requires_grad_(True),
        "fc2.bias": rand(T, scale=0.3).requires_grad_(True),
    }


def routing(p, h):
    hidden = F.relu(h @ p["fc1.weight"].t() + p["fc1.bias"])
    return (hidden @ p["fc2.weight"].t() + p["fc2.bias"]).mean(dim=1)


def moe(fn, theta0, taus, router):
    """A weight-ensembling MoE over the site computed by fn(h, weights), looping over samples."""
    def forward(h):
        r = routing(router, h)
        outs = []
        for b in range(h.shape[0]):
            merged = {k: theta0[k] + sum(r[b, i] * taus[i][k] for i in range(T)) for k in theta0}
            outs.append(fn(h[b:b + 1], merged))
        return torch.cat(outs, dim=0)
    return forward


def case(x, R, theta0, taus, target):
    routers = {}
    xg = x.clone().requires_grad_(True)
    if target == "block":
        routers["router"] = router_params()
        out = moe(lambda h, w: layer(h, w), theta0, taus, routers["router"])(xg)
    else:
        routers["self_attn.router"] = router_params()
        attn_fn = moe(attention, sub(theta0, "self_attn"), [sub(t, "self_attn") for t in taus], routers["self_attn.router"])
        mlp_fn = None
        if target == "attention+mlp":
            routers["mlp.router"] = router_params()
            mlp_fn = moe(mlp, sub(theta0, "mlp"), [sub(t, "mlp") for t in taus], routers["mlp.router"])
        out = layer(xg, theta0, attn_fn, mlp_fn)
    objective = (out * R).sum()
    leaves = {f"{prefix}.{k}": v for prefix, p in routers.items() for k, v in p.items()}
    grads = torch.autograd.grad(objective, [xg, *leaves.values()])
    return {
        "routers": {name: as_json(v) for name, v in leaves.items()},
        "out": as_json(out),
        "grad_x": as_json(grads[0]),
        "grads": {name: as_json(g) for name, g in zip(leaves, grads[1:])},
    }


def main():
    torch.manual_seed(SEED)
    x = rand(B, N, D)
    R = rand(B, N, D)
    theta0 = layer_weights(0.4, 1.0)
    taus = [layer_weights(0.15, 0.0) for _ in range(T)]
    content = {
        "config": {"D": D, "heads": HEADS, "hidden": HIDDEN, "T": T, "B": B, "N": N, "eps": EPS},
        "x": as_json(x),
        "R": as_json(R),
        "pretrained": {k: as_json(v) for k, v in theta0.items()},
        "task_vectors": [{k: as_json(v) for k, v in t.items()} for t in taus],
        "cases": {target: case(x, R, theta0, taus, target) for target in ["attention", "attention+mlp", "block"]},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(content) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
