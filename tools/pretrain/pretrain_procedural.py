#!/usr/bin/python3
"""Broad pretraining of the offline benchmark's CLIP vision encoder on procedural images.

It plays the part of CLIP's pretraining: an encoder trained on many concepts (the classes of
procedural_images.py), none of them the eight tasks the benchmark fine-tunes and merges on. Each
class has a learned unit vector and the loss is cross-entropy over scaled cosines, the shape of
the cosine heads the zoo gives its tasks. Images come from the generator, drawn fresh every step,
so the encoder never sees one twice.

    /usr/bin/python3 tools/pretrain/pretrain_procedural.py --out DIR

writes DIR/config.json and DIR/model.safetensors, a Hugging Face CLIPVisionModelWithProjection
folder that `@mergebench/modelpool-clip-vit` loads. The defaults are the settings of the
committed encoder, benchmarks/offline/pretrained/procedural-strokes-blobs (see README.md beside
this file). On a GPU it trains in bf16 autocast; on a CPU it runs too, far more slowly.
"""

import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reference"))

# The reference tower (Hugging Face names and semantics) and its writers.
from clip_fixtures import VisionModelWithProjection, write_json, write_safetensors  # noqa: E402
from procedural_images import ProceduralImages  # noqa: E402

VISION = {
    "hidden_size": 256,
    "intermediate_size": 1024,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_channels": 3,
    "image_size": 32,
    "patch_size": 8,
    "projection_dim": 128,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
}
PIXEL_MEAN, PIXEL_STD = 0.5, 0.5  # the task pool's normalisation
LOGIT_SCALE = 20.0  # the zoo heads' scale


def init_like_hf(model, std=0.02):
    """Hugging Face's CLIP initialisation, simplified: normal(0, 0.02) weights, zero biases."""
    for name, p in model.named_parameters():
        if "layer_norm" in name or "layrnorm" in name or "layernorm" in name:
            torch.nn.init.ones_(p) if name.endswith("weight") else torch.nn.init.zeros_(p)
        elif name.endswith("bias"):
            torch.nn.init.zeros_(p)
        else:
            torch.nn.init.normal_(p, std=std)


def save_hf_folder(model, out):
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"),
                      {name: t.detach().float().cpu() for name, t in model.state_dict().items()})
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["CLIPVisionModelWithProjection"], "model_type": "clip_vision_model", **VISION,
        "attention_dropout": 0, "torch_dtype": "float32"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--families", default="strokes,blobs", help="comma-separated: strokes,blobs,gratings,counts,hues")
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    images = ProceduralImages(size=VISION["image_size"], seed=args.seed, device=device,
                              families=args.families.split(","))
    gen = torch.Generator(device=device).manual_seed(args.seed + 1)
    model = VisionModelWithProjection(VISION, VISION["projection_dim"]).to(device)
    init_like_hf(model)
    classes = torch.nn.Parameter(torch.randn(images.num_classes, VISION["projection_dim"], device=device) * 0.02)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2] + [classes]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0}], lr=args.lr, betas=(0.9, 0.98))
    autocast = torch.autocast(device_type="cuda", dtype=torch.bfloat16) if device == "cuda" else \
        torch.autocast(device_type="cpu", enabled=False)

    total, warmup = args.steps, 200
    start = time.time()
    step = 0
    print(f"device {device}, {images.num_classes} classes, batch {args.batch}", flush=True)
    while step < total:
        lr = args.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step / total, 1.0)))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = images.sample(args.batch, gen)
        x = (x - PIXEL_MEAN) / PIXEL_STD
        with autocast:
            _, _, embeds = model(x)
        logits = LOGIT_SCALE * F.normalize(embeds.float(), dim=-1) @ F.normalize(classes, dim=-1).t()
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0 or step == total:
            accuracy = float((logits.argmax(-1) == y).float().mean())
            print(f"step {step}/{total} loss {loss.item():.4f} batch accuracy {accuracy:.3f} lr {lr:.2e} "
                  f"{time.time() - start:.0f} s", flush=True)
    save_hf_folder(model, args.out)
    print(f"saved {args.out} after {step} steps, {time.time() - start:.0f} s, {step * args.batch} images", flush=True)


if __name__ == "__main__":
    main()
