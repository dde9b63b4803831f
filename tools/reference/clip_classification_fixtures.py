#!/usr/bin/python3
"""End-to-end parity fixture of @mergebench/taskpool-clip-classification: image bytes as stored in a
data set -> Pillow decode and convert("RGB") -> CLIPImageProcessor -> CLIP vision tower -> the
eurosat zero-shot head (FusionBench's class names and templates) -> logits.

The CLIP towers, tokenizer and preprocessing are those of clip_fixtures.py (the PyTorch reference of
@mergebench/modelpool-clip-vit); the model is its tiny random CLIP (fixtures/tiny-clip of that
package), loaded here from its safetensors. The images are the first three of the eurosat fixture's
test split (written as files by the package's scripts/make-fixtures.mjs: two JPEGs and a grayscale
PNG).

Run from the repository root with Debian's Python (python3-torch, python3-pil, python3-numpy):

    /usr/bin/python3 tools/reference/clip_classification_fixtures.py

It writes packages/taskpool-clip-classification/fixtures/parity/expected.safetensors:
pixel_values [3,3,32,32], image_embeds [3,16], class_embeddings [10,16], logits [3,10].
"""

import json
import os
import struct
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import clip_fixtures as ref  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
MODEL = os.path.join(ROOT, "packages", "modelpool-clip-vit", "fixtures", "tiny-clip")
PACKAGE = os.path.join(ROOT, "packages", "taskpool-clip-classification")
PARITY = os.path.join(PACKAGE, "fixtures", "parity")
IMAGES = ["image0.jpg", "image1.jpg", "image2.png"]
TASK = "eurosat"

ST_TO_TORCH = {"F32": torch.float32, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = ST_TO_TORCH[entry["dtype"]]
        out[name] = torch.frombuffer(bytearray(data[start:end]), dtype=dtype).reshape(entry["shape"])
    return out


def read_merges(path):
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    return [tuple(line.split(" ")) for line in lines[1:] if line]


def main():
    with open(os.path.join(MODEL, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    with open(os.path.join(MODEL, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    tokenizer = ref.ClipTokenizer(vocab, read_merges(os.path.join(MODEL, "merges.txt")))
    weights = read_safetensors(os.path.join(MODEL, "model.safetensors"))

    projection = config["projection_dim"]
    vision = ref.VisionModelWithProjection(config["vision_config"], projection)
    text = ref.TextModelWithProjection(config["text_config"], projection)
    for module, prefixes in ((vision, ("vision_model.", "visual_projection.")), (text, ("text_model.", "text_projection."))):
        own = {k: v for k, v in weights.items() if k.startswith(prefixes) and not k.endswith("position_ids")}
        module.load_state_dict(own, strict=True)
    logit_scale = weights["logit_scale"]

    with open(os.path.join(PACKAGE, "prompts", f"{TASK}.json"), encoding="utf-8") as f:
        prompts = json.load(f)

    size = config["vision_config"]["image_size"]
    pixel_values = []
    for name in IMAGES:
        image = np.array(Image.open(os.path.join(PARITY, name)).convert("RGB"))
        pixel_values.append(ref.clip_preprocess(image, size, size))
    pixel_values = torch.stack(pixel_values)

    eos_id = tokenizer.encoder[ref.EOS]
    with torch.no_grad():
        _, _, image_embeds = vision(pixel_values)
        classes = []
        for name in prompts["class_names"]:
            rows = [tokenizer.encode(t.replace("{}", name)) for t in prompts["templates"]]
            ids, mask = ref.pad_batch(rows, eos_id, max(len(r) for r in rows))
            _, embeds = text(ids, mask)
            embeds = embeds / embeds.norm(dim=-1, keepdim=True)
            mean = embeds.mean(dim=0)
            classes.append(mean / mean.norm())
        class_embeddings = torch.stack(classes)
        images = image_embeds / image_embeds.norm(dim=-1, keepdim=True)
        logits = logit_scale.exp() * images @ class_embeddings.t()

    ref.write_safetensors(os.path.join(PARITY, "expected.safetensors"), {
        "pixel_values": pixel_values,
        "image_embeds": image_embeds,
        "class_embeddings": class_embeddings,
        "logits": logits,
    })


if __name__ == "__main__":
    main()
