"""Reference outputs and gradients of tiny PyTorch modules, for the parity tests of
packages/core/src/nn.

Each case builds a module with a fixed seed, runs it on a fixed input, and records, as JSON in
packages/core/fixtures/nn/<case>.json:
  weights    the state dict, by Hugging Face-style names
  input      the input (and `mask` where the module takes one)
  upstream   a fixed random tensor R shaped like the output
  output     the module's output
  grads      d sum(output * R) / d parameter, by the same names
  input_grad d sum(output * R) / d input (float inputs only)
Tensors are {"shape": [...], "dtype": "float32" | "int32", "data": [flat, row-major]}.

Run with a Python that has torch (1.13 is enough):
  /usr/bin/python3 tools/reference/nn_fixtures.py
"""

import json
import os

import torch
from torch import nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "core", "fixtures", "nn")


def encode(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.int32, torch.int64):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.flatten().tolist()]}
    # 9 significant digits round-trip every float32 exactly.
    data = [float("%.9g" % v) for v in t.float().flatten().tolist()]
    return {"shape": list(t.shape), "dtype": "float32", "data": data}


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


ACTIVATIONS = {
    "gelu": lambda x: F.gelu(x),
    "quick_gelu": quick_gelu,
    "relu": F.relu,
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
}


class Attention(nn.Module):
    """Multi-head self-attention with the semantics of Hugging Face's CLIPAttention."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x, mask=None):
        b, n, d = x.shape

        def split(t):
            return t.view(b, n, self.heads, self.head_dim).transpose(1, 2)

        q = split(self.q_proj(x) * self.scale)
        k = split(self.k_proj(x))
        v = split(self.v_proj(x))
        scores = q @ k.transpose(-1, -2)
        if mask is not None:
            scores = scores + mask
        weights = scores.softmax(dim=-1)
        context = (weights @ v).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(context)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(quick_gelu(self.fc1(x)))


class EncoderLayer(nn.Module):
    """A pre-LN transformer block with the names of Hugging Face's CLIPEncoderLayer."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(dim)
        self.self_attn = Attention(dim, heads)
        self.layer_norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


def causal_mask(n):
    mask = torch.full((n, n), torch.finfo(torch.float32).min)
    return torch.triu(mask, diagonal=1).view(1, 1, n, n)


def randomize(module):
    """Replaces default initial values (LayerNorm's ones and zeros) so every weight matters."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.5)


def record(name, module, x, config, mask=None):
    float_input = x.is_floating_point()
    if float_input:
        x = x.clone().requires_grad_(True)
    out = module(x) if mask is None else module(x, mask)
    upstream = torch.randn_like(out)
    module.zero_grad()
    (out * upstream).sum().backward()
    case = {
        "config": config,
        "weights": {k: encode(v) for k, v in module.state_dict().items()},
        "input": encode(x),
        "upstream": encode(upstream),
        "output": encode(out),
        "grads": {k: encode(p.grad) for k, p in module.named_parameters()},
    }
    if mask is not None:
        case["mask"] = encode(mask)
    if float_input:
        case["input_grad"] = encode(x.grad)
    write(name, case)


def write(name, case):
    path = os.path.join(OUT_DIR, name + ".json")
    with open(path, "w") as f:
        json.dump(case, f, separators=(",", ":"))
    print(f"{os.path.normpath(path)}: {os.path.getsize(path)} bytes")


def activation_cases():
    x = torch.randn(2, 5, 8) * 3
    cases = {}
    for name, fn in ACTIVATIONS.items():
        xi = x.clone().requires_grad_(True)
        out = fn(xi)
        upstream = torch.randn_like(out)
        (out * upstream).sum().backward()
        cases[name] = {"upstream": encode(upstream), "output": encode(out), "input_grad": encode(xi.grad)}
    write("activations", {"input": encode(x), "cases": cases})


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.manual_seed(0)

    record("linear", nn.Linear(12, 8), torch.randn(2, 5, 12), {"in": 12, "out": 8, "bias": True})
    record("linear_no_bias", nn.Linear(6, 4, bias=False), torch.randn(3, 6), {"in": 6, "out": 4, "bias": False})

    norm = nn.LayerNorm(8, eps=1e-5)
    randomize(norm)
    record("layer_norm", norm, torch.randn(2, 5, 8) * 2 + 1, {"dim": 8, "eps": 1e-5})

    record("embedding", nn.Embedding(10, 8), torch.randint(0, 10, (2, 5)), {"num": 10, "dim": 8})

    # 9x9 images with 4x4 patches: torch drops the last row and column of pixels.
    conv = nn.Conv2d(3, 8, kernel_size=4, stride=4)
    record("conv2d_patch", conv, torch.randn(2, 3, 9, 9), {"in": 3, "out": 8, "kernel": 4})

    activation_cases()

    record("attention", Attention(16, 4), torch.randn(2, 5, 16), {"dim": 16, "heads": 4})
    record(
        "attention_causal",
        Attention(16, 4),
        torch.randn(2, 5, 16),
        {"dim": 16, "heads": 4},
        mask=causal_mask(5),
    )

    block = EncoderLayer(8, 2, 32)
    randomize(block)
    record("encoder_layer", block, torch.randn(2, 5, 8), {"dim": 8, "heads": 2, "hidden": 32, "eps": 1e-5})


if __name__ == "__main__":
    main()
