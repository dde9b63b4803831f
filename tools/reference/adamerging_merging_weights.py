#!/usr/bin/python3
"""Converts layer-wise AdaMerging merging weights between FusionBench's file and mergebench's.

FusionBench (commit 54c9e8c9d9621620c720452cd8533332a32d3689, 2026-08-05):
  fusion_bench/method/adamerging/layer_wise_adamerging.py
    save_merging_weights: torch.save(module.merge_weight.detach().cpu(), path), by default
      `merging_weights.pt` in the log directory (config/method/adamerging/clip.yaml).
    `weights: <path>`: load_tensor_from_file (torch.load(path, weights_only=True)), then no training.
  fusion_bench/models/wrappers/layer_wise_fusion.py
    the tensor is float32 [num_models, num_params]: row i is modelpool.model_names[i], column j
    is the j-th trainable parameter of the PyTorch model in named_parameters() order (merge_weights
    zips each row with task_vector.named_parameters()). For CLIP that model is Hugging Face's
    CLIPVisionModel: 7 + 16·L columns (199 for ViT-B/32), attention as k_proj, v_proj, q_proj,
    out_proj, and no visual_projection. The file holds no names.

mergebench (packages/method-adamerging): `merging_weights.safetensors`, one F32 tensor
`merging_weights` [num_models, num_params] with __metadata__ {"format":
"mergebench.layer-wise-merging-weights/1", "parameter_names": JSON list, "model_names": JSON list},
matched by name. A run writes one (columns in mergebench's parameter order, with
visual_projection.weight); `method.merging_weights=<file>` merges with one.

Usage (Debian's Python, which sees python3-torch):
    /usr/bin/python3 tools/reference/adamerging_merging_weights.py to-safetensors merging_weights.pt out.safetensors \
        [--models sun397,stanford-cars,...] [--layers 12 | --config clip-vit-base-patch32/config.json]
    /usr/bin/python3 tools/reference/adamerging_merging_weights.py to-pt merging_weights.safetensors merging_weights.pt \
        [--models ...] [--layers 12 | --config ...]

The column names are CLIPVisionModel's parameter names in PyTorch's order for L encoder layers:
from transformers' CLIPVisionModel itself when `--config` is given and transformers is
installed, otherwise from a module tree with the same structure (CLIPVisionLayout below). L is
taken from the column count (to-safetensors) or the names in the file (to-pt) when not given.
to-pt drops columns the PyTorch model has no parameter for (visual_projection.weight, which
FusionBench's CLIP classifier keeps frozen outside the merged model) and says so; a column the
model needs and the file lacks is an error. `--models` gives FusionBench's model order (its
modelpool's model_names); without it the rows keep their order.
"""

import argparse
import json
import pathlib
import struct
import sys

import torch
from torch import nn

FORMAT = "mergebench.layer-wise-merging-weights/1"
TENSOR = "merging_weights"


class _Attention(nn.Module):
    def __init__(self):
        super().__init__()
        # transformers' CLIPAttention defines them in this order.
        self.k_proj = nn.Linear(1, 1)
        self.v_proj = nn.Linear(1, 1)
        self.q_proj = nn.Linear(1, 1)
        self.out_proj = nn.Linear(1, 1)


class _Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(1, 1)
        self.fc2 = nn.Linear(1, 1)


class _EncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn = _Attention()
        self.layer_norm1 = nn.LayerNorm(1)
        self.mlp = _Mlp()
        self.layer_norm2 = nn.LayerNorm(1)


class _Encoder(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList([_EncoderLayer() for _ in range(layers)])


class _Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(1))
        self.patch_embedding = nn.Conv2d(1, 1, 1, bias=False)
        self.position_embedding = nn.Embedding(1, 1)


class _VisionTransformer(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.embeddings = _Embeddings()
        self.pre_layrnorm = nn.LayerNorm(1)
        self.encoder = _Encoder(layers)
        self.post_layernorm = nn.LayerNorm(1)


class CLIPVisionLayout(nn.Module):
    """The module tree of transformers' CLIPVisionModel (sizes 1: only names and order matter)."""

    def __init__(self, layers):
        super().__init__()
        self.vision_model = _VisionTransformer(layers)


def clip_vision_names(layers=None, config=None):
    """CLIPVisionModel's trainable parameter names, in FusionBench's column order."""
    if config is not None:
        try:
            from transformers import CLIPVisionConfig, CLIPVisionModel

            model = CLIPVisionModel(CLIPVisionConfig.from_pretrained(str(pathlib.Path(config).parent)))
            return [n for n, p in model.named_parameters() if p.requires_grad]
        except ImportError:
            cfg = json.loads(pathlib.Path(config).read_text())
            layers = cfg.get("vision_config", cfg)["num_hidden_layers"]
    return [n for n, p in CLIPVisionLayout(layers).named_parameters() if p.requires_grad]


def layers_for_columns(columns):
    if (columns - 7) % 16 != 0 or columns < 23:
        sys.exit(f"{columns} columns are not a CLIPVisionModel's 7 + 16·L parameters: give --layers or --config")
    return (columns - 7) // 16


def read_safetensors(path):
    data = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {}) or {}
    if TENSOR not in header:
        sys.exit(f"{path}: no tensor '{TENSOR}'")
    info = header[TENSOR]
    if info["dtype"] != "F32" or len(info["shape"]) != 2:
        sys.exit(f"{path}: '{TENSOR}' is {info['dtype']} {info['shape']}, expected F32 [num_models, num_params]")
    begin, end = info["data_offsets"]
    raw = bytearray(data[8 + n + begin : 8 + n + end])
    tensor = torch.frombuffer(raw, dtype=torch.float32).reshape(info["shape"]).clone()
    return tensor, metadata


def write_safetensors(path, tensor, metadata):
    tensor = tensor.detach().to(torch.float32).contiguous()
    raw = tensor.numpy().tobytes()
    header = {"__metadata__": metadata, TENSOR: {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [0, len(raw)]}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    pathlib.Path(path).write_bytes(struct.pack("<Q", len(text)) + text + raw)


def pt_to_safetensors(src, dst, models=None, layers=None, config=None):
    """FusionBench's merging_weights.pt → mergebench's by-name safetensors."""
    tensor = torch.load(src, map_location="cpu", weights_only=True)
    if not isinstance(tensor, torch.Tensor) or tensor.dim() != 2:
        sys.exit(f"{src}: expected a [num_models, num_params] tensor (layer-wise AdaMerging), got {getattr(tensor, 'shape', type(tensor))}")
    if layers is None and config is None:
        layers = layers_for_columns(tensor.shape[1])
    names = clip_vision_names(layers, config)
    if len(names) != tensor.shape[1]:
        sys.exit(f"{src}: {tensor.shape[1]} columns, but the model has {len(names)} parameters")
    metadata = {"format": FORMAT, "parameter_names": json.dumps(names)}
    if models is not None:
        if len(models) != tensor.shape[0]:
            sys.exit(f"{src}: {tensor.shape[0]} rows, but --models names {len(models)} models")
        metadata["model_names"] = json.dumps(models)
    write_safetensors(dst, tensor, metadata)


def safetensors_to_pt(src, dst, models=None, layers=None, config=None):
    """mergebench's by-name safetensors → FusionBench's merging_weights.pt (its order, its columns)."""
    tensor, metadata = read_safetensors(src)
    columns = json.loads(metadata.get("parameter_names", "null") or "null")
    if not isinstance(columns, list) or len(columns) != tensor.shape[1]:
        sys.exit(f"{src}: __metadata__.parameter_names must list {tensor.shape[1]} names")
    if layers is None and config is None:
        indices = {int(n.split(".")[3]) for n in columns if n.startswith("vision_model.encoder.layers.")}
        layers = max(indices) + 1 if indices else 0
    names = clip_vision_names(layers, config)
    position = {n: j for j, n in enumerate(columns)}
    missing = [n for n in names if n not in position]
    if missing:
        sys.exit(f"{src}: no column for {missing[:3]}{' …' if len(missing) > 3 else ''} ({len(missing)} of the model's {len(names)} parameters)")
    dropped = [n for n in columns if n not in set(names)]
    if dropped:
        print(f"dropped columns the PyTorch model has no parameter for: {', '.join(dropped)}", file=sys.stderr)
    out = tensor[:, [position[n] for n in names]]
    if models is not None:
        rows = json.loads(metadata.get("model_names", "null") or "null")
        if not isinstance(rows, list) or sorted(rows) != sorted(models):
            sys.exit(f"{src}: __metadata__.model_names {rows} do not match --models {models}")
        out = out[[rows.index(m) for m in models]]
    torch.save(out.clone().contiguous(), dst)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("direction", choices=["to-safetensors", "to-pt"])
    parser.add_argument("src")
    parser.add_argument("dst")
    parser.add_argument("--models", help="comma-separated model names in FusionBench's order (its modelpool's)")
    parser.add_argument("--layers", type=int, help="encoder layers of the CLIP vision model")
    parser.add_argument("--config", help="the CLIP model's config.json (exact names through transformers, when installed)")
    args = parser.parse_args()
    models = args.models.split(",") if args.models else None
    convert = pt_to_safetensors if args.direction == "to-safetensors" else safetensors_to_pt
    convert(args.src, args.dst, models, args.layers, args.config)
    print(f"wrote {args.dst}")


if __name__ == "__main__":
    main()
