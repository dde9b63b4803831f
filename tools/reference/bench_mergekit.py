"""PyTorch reference for benchmarks of out-of-core merges (benchmarks/speed/src/weights-merge).

  make DIR [--layers 22]      writes base + 3 fine-tuned synthetic models with the parameters of a
                              1.1B Llama (hidden 2048, intermediate 5632, 4 KV heads, vocabulary
                              32000), BF16, sharded at 1 GB, unless they are there already
  merge DIR METHOD OUT        the same merge as `mergebench merge` with DIR/METHOD.yaml
                              (task_arithmetic or ties, as mergekit defines them, float32
                              arithmetic, BF16 out), reading the same files tensor by tensor;
                              prints JSON {seconds, cpu_seconds, input_bytes,
                              max_rss_bytes}

Run with Debian's PyTorch: /usr/bin/python3 tools/reference/bench_mergekit.py ...
"""

import json
import os
import resource
import struct
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from mergekit_fixtures import generalized  # noqa: E402

MODELS = ["base", "a", "b", "c"]
WEIGHTS = {"task_arithmetic": [0.5, 0.3, 0.7], "ties": [1.0, 0.5, 0.8]}
DENSITIES = {"task_arithmetic": [1.0, 1.0, 1.0], "ties": [0.5, 0.3, 0.7]}
SHARD = 1_000_000_000


def llama_shapes(layers, hidden=2048, inter=5632, vocab=32000, kv=256):
    shapes = [("model.embed_tokens.weight", [vocab, hidden])]
    for i in range(layers):
        p = f"model.layers.{i}."
        shapes += [(p + "self_attn.q_proj.weight", [hidden, hidden]), (p + "self_attn.k_proj.weight", [kv, hidden]),
                   (p + "self_attn.v_proj.weight", [kv, hidden]), (p + "self_attn.o_proj.weight", [hidden, hidden]),
                   (p + "mlp.gate_proj.weight", [inter, hidden]), (p + "mlp.up_proj.weight", [inter, hidden]),
                   (p + "mlp.down_proj.weight", [hidden, inter]), (p + "input_layernorm.weight", [hidden]),
                   (p + "post_attention_layernorm.weight", [hidden])]
    return shapes + [("model.norm.weight", [hidden]), ("lm_head.weight", [vocab, hidden])]


def write_shard(path, tensors):
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, t in tensors:
        n = t.numel() * 2
        header[name] = {"dtype": "BF16", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for _, t in tensors:
            f.write(t.contiguous().view(torch.int16).numpy().tobytes())


def write_model(folder, tensors):
    os.makedirs(folder, exist_ok=True)
    groups, current, size = [], [], 0
    for name, t in tensors:
        if current and size + t.numel() * 2 > SHARD:
            groups.append(current)
            current, size = [], 0
        current.append((name, t))
        size += t.numel() * 2
    groups.append(current)
    weight_map = {}
    for i, group in enumerate(groups):
        file = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        write_shard(os.path.join(folder, file), group)
        weight_map.update({name: file for name, _ in group})
    total = sum(t.numel() * 2 for _, t in tensors)
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632, "vocab_size": 32000,
                   "num_hidden_layers": len([n for n, _ in tensors if n.endswith("q_proj.weight")]),
                   "num_key_value_heads": 4, "tie_word_embeddings": False, "torch_dtype": "bfloat16"}, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 2048}, f)


def write_configs(folder):
    for method in WEIGHTS:
        models = [{"model": n, "parameters": {"weight": w, **({"density": d} if method == "ties" else {})}}
                  for n, w, d in zip(MODELS[1:], WEIGHTS[method], DENSITIES[method])]
        with open(os.path.join(folder, f"{method}.yaml"), "w") as f:
            json.dump({"merge_method": method, "base_model": "base", "models": models, "dtype": "bfloat16"}, f)


def make(folder, layers):
    os.makedirs(folder, exist_ok=True)
    write_configs(folder)
    stamp = os.path.join(folder, f"complete-{layers}")
    if os.path.exists(stamp):
        return
    gen = torch.Generator().manual_seed(0)
    shapes = llama_shapes(layers)
    for m, name in enumerate(MODELS):
        tensors = []
        for key, shape in shapes:
            g = torch.Generator().manual_seed(hash((key,)) % 2**31)  # the same base values in every model
            base = torch.randn(shape, generator=g) * 0.02
            t = base if m == 0 else base + torch.randn(shape, generator=gen) * 0.002
            tensors.append((key, t.to(torch.bfloat16)))
        write_model(os.path.join(folder, name), tensors)
        del tensors
    open(stamp, "w").close()


class Checkpoint:
    def __init__(self, folder):
        index = json.load(open(os.path.join(folder, "model.safetensors.index.json")))
        self.files, self.entries = {}, {}
        for key, file in index["weight_map"].items():
            if file not in self.files:
                f = open(os.path.join(folder, file), "rb")
                n = struct.unpack("<Q", f.read(8))[0]
                header = json.loads(f.read(n))
                self.files[file] = (f, 8 + n, header)
            f, start, header = self.files[file]
            e = header[key]
            self.entries[key] = (f, start + e["data_offsets"][0], e["data_offsets"][1] - e["data_offsets"][0], e["shape"])
        self.keys = list(index["weight_map"].keys())

    def read(self, key):
        f, offset, n, shape = self.entries[key]
        buf = bytearray(n)
        f.seek(offset)
        f.readinto(buf)
        return torch.frombuffer(buf, dtype=torch.bfloat16).view(shape)


def peak_rss(usage):
    """VmHWM where Linux has it: ru_maxrss can carry over the peak of the process that started this one."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return usage.ru_maxrss * 1024


def merge(folder, method, out):
    cfgs = [Checkpoint(os.path.join(folder, n)) for n in MODELS]
    sparsify = "magnitude" if method == "ties" else "none"
    consensus = "sum" if method == "ties" else "none"
    os.makedirs(out, exist_ok=True)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    input_bytes, group, size, shard = 0, [], 0, 0
    for key in cfgs[0].keys:
        xs = [c.read(key).float() for c in cfgs]
        input_bytes += sum(x.numel() * 2 for x in xs)
        merged = generalized(key, xs[0], xs[1:], WEIGHTS[method], DENSITIES[method], sparsify, consensus,
                             method == "ties", 1.0, False, 0).to(torch.bfloat16)
        del xs
        if group and size + merged.numel() * 2 > SHARD:
            write_shard(os.path.join(out, f"shard-{shard:05d}.safetensors"), group)
            group, size, shard = [], 0, shard + 1
        group.append((key, merged))
        size += merged.numel() * 2
    write_shard(os.path.join(out, f"shard-{shard:05d}.safetensors"), group)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "input_bytes": input_bytes,
                      "max_rss_bytes": peak_rss(usage)}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        layers = int(sys.argv[sys.argv.index("--layers") + 1]) if "--layers" in sys.argv else 22
        make(sys.argv[2], layers)
    else:
        merge(sys.argv[2], sys.argv[3], sys.argv[4])
