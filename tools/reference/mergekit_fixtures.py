"""Parity fixtures for mergebench's mergekit-style merges (packages/modelpool-weights/fixtures).

Writes tiny Llama-shaped (BF16, sharded, tokenizer files) and GPT-2-shaped (F32, one file, tied
embeddings, an I64 buffer) Hugging Face folders, mergekit configurations, and the merged tensors
that a PyTorch transcription of mergekit's definitions gives (generalized task arithmetic, linear,
slerp), computed in float32 as mergekit does with `dtype: float32`, then stored in the output
dtype with PyTorch's round-to-nearest-even.

Conventions of the transcription (the same in mergebench):
- magnitude sparsification keeps exactly int(density * n) entries of largest |delta|; ties go to
  the lower index (a stable sort; mergekit's argsort leaves their order unspecified);
- DARE's Bernoulli draws come from a counter-based hash (lowbias32) of the seed, the model's
  index, the key (FNV-1a) and the entry index, not from torch.bernoulli, so they can be
  reproduced outside PyTorch;
- SLERP's coefficients are computed in float64 and rounded to float32 (mergekit: float32 numpy).

Run with Debian's PyTorch: /usr/bin/python3 tools/reference/mergekit_fixtures.py
"""

import json
import os
import shutil
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "modelpool-weights", "fixtures")
M32 = 0xFFFFFFFF
DTYPE_NAMES = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.int64: "I64"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_folder(path, tensors, config, shard_bytes=None):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for name, content in TOKENIZER_FILES.items():
        with open(os.path.join(path, name), "w") as f:
            f.write(content)
    if shard_bytes is None:
        write_safetensors(os.path.join(path, "model.safetensors"), tensors)
        return
    groups, current, size = [], {}, 0
    for name, t in tensors.items():
        n = t.numel() * t.element_size()
        if current and size + n > shard_bytes:
            groups.append(current)
            current, size = {}, 0
        current[name] = t
        size += n
    groups.append(current)
    weight_map = {}
    for i, group in enumerate(groups):
        file = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        write_safetensors(os.path.join(path, file), group)
        weight_map.update({name: file for name in group})
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    with open(os.path.join(path, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


TOKENIZER_FILES = {
    "tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}}}),
    "tokenizer_config.json": json.dumps({"model_max_length": 64}),
    "special_tokens_map.json": json.dumps({"bos_token": "<s>"}),
}


def llama_tensors(gen, hidden=16, inter=32, vocab=64, layers=2):
    t = {"model.embed_tokens.weight": torch.randn(vocab, hidden, generator=gen) * 0.02}
    for i in range(layers):
        p = f"model.layers.{i}."
        for proj in ["q", "k", "v", "o"]:
            t[p + f"self_attn.{proj}_proj.weight"] = torch.randn(hidden, hidden, generator=gen) * 0.05
        t[p + "mlp.gate_proj.weight"] = torch.randn(inter, hidden, generator=gen) * 0.05
        t[p + "mlp.up_proj.weight"] = torch.randn(inter, hidden, generator=gen) * 0.05
        t[p + "mlp.down_proj.weight"] = torch.randn(hidden, inter, generator=gen) * 0.05
        t[p + "input_layernorm.weight"] = torch.ones(hidden) + torch.randn(hidden, generator=gen) * 0.01
        t[p + "post_attention_layernorm.weight"] = torch.ones(hidden) + torch.randn(hidden, generator=gen) * 0.01
    t["model.norm.weight"] = torch.ones(hidden)
    t["lm_head.weight"] = torch.randn(vocab, hidden, generator=gen) * 0.02
    return t


def gpt2_tensors(gen, n=16, vocab=48, positions=32):
    t = {"wte.weight": torch.randn(vocab, n, generator=gen) * 0.02, "wpe.weight": torch.randn(positions, n, generator=gen) * 0.01}
    t["h.0.ln_1.weight"] = torch.ones(n)
    t["h.0.ln_1.bias"] = torch.zeros(n)
    t["h.0.attn.c_attn.weight"] = torch.randn(n, 3 * n, generator=gen) * 0.05
    t["h.0.attn.c_attn.bias"] = torch.zeros(3 * n)
    t["h.0.mlp.c_fc.weight"] = torch.randn(n, 4 * n, generator=gen) * 0.05
    t["h.0.mlp.c_proj.weight"] = torch.randn(4 * n, n, generator=gen) * 0.05
    t["ln_f.weight"] = torch.ones(n)
    t["position_ids"] = torch.arange(positions, dtype=torch.int64)
    return t


def finetune(base, gen, scale):
    return {k: v if not v.is_floating_point() else v + torch.randn(v.shape, generator=gen) * scale for k, v in base.items()}


# ---------------------------------------------------------------------------------------------
# mergekit's definitions, transcribed (float32)

def lowbias32(x):
    x = x.astype(np.uint64)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(M32)
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    return x


def lowbias32_int(x):
    return int(lowbias32(np.array([x], dtype=np.uint64))[0])


def key_hash(key):
    h = 0x811C9DC5
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & M32
    return h


def dare_stream(seed, model_index, key):
    return lowbias32_int((lowbias32_int((seed & M32) ^ key_hash(key)) + lowbias32_int(model_index + 1)) & M32)


def sparsify_magnitude(delta, density):
    if density >= 1:
        return delta
    k = int(density * delta.numel())
    assert k > 0
    w = delta.abs().view(-1).float()
    top = torch.sort(w, descending=True, stable=True).indices[:k]
    mask = torch.zeros_like(delta)
    mask.view(-1)[top] = 1
    return delta * mask


def sparsify_random(delta, density, stream, rescale):
    if density >= 1:
        return delta
    n = delta.numel()
    u = lowbias32((np.arange(n, dtype=np.uint64) + np.uint64(stream)) & np.uint64(M32))
    keep = torch.from_numpy((u < np.uint64(int(density * 4294967296))).astype(np.float32)).view(delta.shape)
    res = delta * keep
    if rescale:
        res /= density
    return res


def generalized(key, base, models, weights, densities, sparsification, consensus, normalize, lam, rescale, seed):
    deltas = []
    for i, x in enumerate(models):
        d = x - base
        if sparsification == "magnitude":
            d = sparsify_magnitude(d, densities[i])
        elif sparsification == "random":
            d = sparsify_random(d, densities[i], dare_stream(seed, i, key), rescale)
        deltas.append(d)
    deltas = torch.stack(deltas, dim=0)
    w = torch.tensor(weights, dtype=deltas.dtype)
    while len(deltas.shape) > len(w.shape):
        w.unsqueeze_(-1)
    weighted = deltas * w
    if consensus == "sum":
        sign = weighted.sign()
        majority = (weighted.sum(dim=0) >= 0).to(weighted.dtype) * 2 - 1
        mask = (sign == majority).to(weighted.dtype)
        mixed = (weighted * mask).sum(dim=0)
        divisor = (w * mask).sum(dim=0)
        divisor[divisor == 0] = 1
    else:
        mixed = weighted.sum(dim=0)
        divisor = w.sum(dim=0)
        divisor[divisor.abs() < 1e-8] = 1
    if normalize:
        mixed /= divisor
    if lam != 1:
        mixed *= lam
    return base + mixed


def linear(models, weights, normalize):
    t = torch.stack(models, dim=0)
    w = torch.tensor(weights, dtype=t.dtype)
    while len(w.shape) < len(t.shape):
        w.unsqueeze_(-1)
    res = (w * t).sum(dim=0)
    if normalize:
        res = res / w.sum(dim=0)
    return res


def slerp(t, v0, v1, threshold=0.9995, eps=1e-8):
    a, b = v0.double().flatten(), v1.double().flatten()
    n0, n1 = a.norm().item(), b.norm().item()
    dot = (a * b).sum().item() / (n0 if n0 > eps else 1) / (n1 if n1 > eps else 1)
    if abs(dot) > threshold:
        s0, s1 = 1 - t, t
    else:
        theta0 = np.arccos(dot)
        sin0 = np.sin(theta0)
        theta_t = theta0 * t
        s0, s1 = np.sin(theta0 - theta_t) / sin0, np.sin(theta_t) / sin0
    return torch.tensor(np.float32(s0)) * v0 + torch.tensor(np.float32(s1)) * v1


GENERALIZED = {
    "task_arithmetic": ("none", "none", False, False),
    "ties": ("magnitude", "sum", True, False),
    "dare_linear": ("random", "none", False, True),
    "dare_ties": ("random", "sum", False, True),
}


def merge(case, models):
    """models: name -> state dict as stored; returns the merged state dict (float32 for floats)."""
    method = case["merge_method"]
    params = case.get("parameters", {})
    base_name = case.get("base_model")
    entries = [m for m in case["models"] if m["model"] != base_name or method == "linear"]
    out = {}
    template = models[base_name] if method != "linear" else models[entries[0]["model"]]
    for key, base_t in template.items():
        if not base_t.is_floating_point():
            out[key] = base_t
            continue
        xs = [models[m["model"]][key].float() for m in entries]
        if method == "linear":
            out[key] = linear(xs, [m["parameters"]["weight"] for m in entries], params.get("normalize", True))
        elif method == "slerp":
            out[key] = slerp(params["t"], base_t.float(), xs[0])
        else:
            sp, cons, norm, resc = GENERALIZED[method]
            out[key] = generalized(
                key,
                base_t.float(),
                xs,
                [m["parameters"]["weight"] for m in entries],
                [m["parameters"].get("density", 1.0) for m in entries],
                sp,
                cons,
                params.get("normalize", norm),
                params.get("lambda", 1.0),
                params.get("rescale", resc),
                case.get("seed", 0),
            )
    return out


def yaml_of(case):
    # JSON is YAML; mergebench's command reads it with a YAML parser, as it reads mergekit's files.
    return json.dumps({k: v for k, v in case.items() if k != "seed"}, indent=2) + "\n"


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    gen = torch.Generator().manual_seed(0)
    llama_config = {"model_type": "llama", "hidden_size": 16, "intermediate_size": 32, "vocab_size": 64,
                    "num_hidden_layers": 2, "tie_word_embeddings": False, "torch_dtype": "bfloat16"}
    gpt2_config = {"model_type": "gpt2", "n_embd": 16, "vocab_size": 48, "n_layer": 1, "tie_word_embeddings": True,
                   "torch_dtype": "float32"}
    stored = {}
    lb = llama_tensors(gen)
    for name, sd in [("base", lb), ("a", finetune(lb, gen, 0.01)), ("b", finetune(lb, gen, 0.02)), ("c", finetune(lb, gen, 0.005))]:
        sd = {k: v.to(torch.bfloat16) for k, v in sd.items()}
        stored[f"../../llama/{name}"] = sd
        write_folder(os.path.join(OUT, "llama", name), sd, llama_config, shard_bytes=4096)
    gb = gpt2_tensors(gen)
    for name, sd in [("base", gb), ("a", finetune(gb, gen, 0.01)), ("b", finetune(gb, gen, 0.02))]:
        stored[f"../../gpt2/{name}"] = sd
        write_folder(os.path.join(OUT, "gpt2", name), sd, gpt2_config)

    L = lambda n: f"../../llama/{n}"  # noqa: E731
    G = lambda n: f"../../gpt2/{n}"  # noqa: E731
    cases = {
        "llama-linear": {"merge_method": "linear", "models": [
            {"model": L("a"), "parameters": {"weight": 1.0}}, {"model": L("b"), "parameters": {"weight": 2.0}},
            {"model": L("c"), "parameters": {"weight": 0.7}}], "dtype": "bfloat16"},
        "llama-task-arithmetic": {"merge_method": "task_arithmetic", "base_model": L("base"), "models": [
            {"model": L("a"), "parameters": {"weight": 0.5}}, {"model": L("b"), "parameters": {"weight": 0.3}},
            {"model": L("c"), "parameters": {"weight": 0.7}}], "parameters": {"lambda": 0.9}, "dtype": "bfloat16"},
        "llama-ties": {"merge_method": "ties", "base_model": L("base"), "models": [
            {"model": L("base")},
            {"model": L("a"), "parameters": {"weight": 1.0, "density": 0.5}},
            {"model": L("b"), "parameters": {"weight": 0.5, "density": 0.3}},
            {"model": L("c"), "parameters": {"weight": 0.8, "density": 0.7}}], "dtype": "bfloat16",
            "tokenizer_source": "base"},
        "llama-dare-linear": {"merge_method": "dare_linear", "base_model": L("base"), "models": [
            {"model": L("a"), "parameters": {"weight": 0.6, "density": 0.5}},
            {"model": L("b"), "parameters": {"weight": 0.6, "density": 0.7}},
            {"model": L("c"), "parameters": {"weight": 0.6, "density": 0.9}}], "dtype": "bfloat16", "seed": 7},
        "llama-dare-ties": {"merge_method": "dare_ties", "base_model": L("base"), "models": [
            {"model": L("a"), "parameters": {"weight": 1.0, "density": 0.4}},
            {"model": L("b"), "parameters": {"weight": 0.7, "density": 0.4}},
            {"model": L("c"), "parameters": {"weight": 0.5, "density": 0.6}}], "parameters": {"normalize": True},
            "dtype": "bfloat16", "seed": 7},
        "llama-slerp": {"merge_method": "slerp", "base_model": L("base"), "models": [
            {"model": L("base")}, {"model": L("b")}], "parameters": {"t": 0.3}, "dtype": "bfloat16"},
        "gpt2-ties-f32-to-bf16": {"merge_method": "ties", "base_model": G("base"), "models": [
            {"model": G("a"), "parameters": {"weight": 0.6, "density": 0.2}},
            {"model": G("b"), "parameters": {"weight": 0.4, "density": 0.9}}], "dtype": "bfloat16"},
        "gpt2-task-arithmetic-f32": {"merge_method": "task_arithmetic", "base_model": G("base"), "models": [
            {"model": G("a"), "parameters": {"weight": 0.3}},
            {"model": G("b"), "parameters": {"weight": 0.3}}], "dtype": "float32"},
    }
    out_dtypes = {"bfloat16": torch.bfloat16, "float32": torch.float32}
    for name, case in cases.items():
        folder = os.path.join(OUT, "cases", name)
        os.makedirs(folder)
        with open(os.path.join(folder, "config.yaml"), "w") as f:
            f.write(yaml_of(case))
        merged = merge(case, stored)
        dtype = out_dtypes[case["dtype"]]
        expected = {k: v.to(dtype) if v.is_floating_point() else v for k, v in merged.items()}
        write_safetensors(os.path.join(folder, "expected.safetensors"), expected)
        with open(os.path.join(folder, "case.json"), "w") as f:
            json.dump({"seed": case.get("seed", 0)}, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
