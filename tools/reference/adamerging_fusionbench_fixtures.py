#!/usr/bin/python3
"""Fixture for reading FusionBench's layer-wise AdaMerging merging weights by name
(packages/method-adamerging/fixtures/fusionbench/), made with PyTorch in FusionBench's exact layout:

    merging_weights.pt           torch.save of a float32 [3 models, 39 params] tensor, as FusionBench's
                                 save_merging_weights writes it for a 2-layer CLIPVisionModel (columns
                                 in its named_parameters() order: k, v, q, out; no visual_projection)
    merging_weights.safetensors  the same, converted by adamerging_merging_weights.py to-safetensors
    expected.json                model_names, parameter_names (FusionBench's column order), weights

It also checks the converter both ways: to-pt of the safetensors gives the .pt's tensor back, and
to-pt of a file in mergebench's column order (q, k, v, out, plus visual_projection.weight) gives
FusionBench's order without the projection.

    /usr/bin/python3 tools/reference/adamerging_fusionbench_fixtures.py
"""

import json
import pathlib
import random
import sys
import tempfile

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import adamerging_merging_weights as mw  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "packages" / "method-adamerging" / "fixtures" / "fusionbench"
MODELS = ["sun397", "stanford-cars", "dtd"]
LAYERS = 2


def mergebench_order(names):
    """mergebench's CLIP vision parameter order: attention q, k, v, out; visual_projection last."""
    out = []
    for name in names:
        if ".self_attn.k_proj." in name or ".self_attn.v_proj." in name:
            continue
        if ".self_attn.q_proj." in name:
            prefix, leaf = name.split(".self_attn.q_proj.")
            if leaf == "weight":
                for proj in ("q_proj", "k_proj", "v_proj"):
                    out += [f"{prefix}.self_attn.{proj}.weight", f"{prefix}.self_attn.{proj}.bias"]
            continue
        out.append(name)
    return out + ["visual_projection.weight"]


def main():
    torch.manual_seed(20260805)
    random.seed(20260805)
    names = mw.clip_vision_names(LAYERS)
    assert len(names) == 7 + 16 * LAYERS
    weights = (0.3 + 0.05 * torch.randn(len(MODELS), len(names))).to(torch.float32)
    OUT.mkdir(parents=True, exist_ok=True)
    pt = OUT / "merging_weights.pt"
    torch.save(weights.detach().cpu(), pt)
    mw.pt_to_safetensors(pt, OUT / "merging_weights.safetensors", models=MODELS)
    (OUT / "expected.json").write_text(
        json.dumps({"model_names": MODELS, "parameter_names": names, "weights": weights.tolist()}) + "\n"
    )

    original = torch.load(pt, weights_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        back = pathlib.Path(tmp) / "back.pt"
        mw.safetensors_to_pt(OUT / "merging_weights.safetensors", back, models=MODELS)
        assert torch.equal(torch.load(back, weights_only=True), original)

        ours = mergebench_order(names)
        assert sorted(ours) == sorted(names + ["visual_projection.weight"])
        position = {n: j for j, n in enumerate(names)}
        shuffled = list(reversed(MODELS))
        table = torch.stack(
            [torch.tensor([original[MODELS.index(m), position[n]].item() if n in position else 0.0 for n in ours])
             for m in shuffled]
        )
        ours_file = pathlib.Path(tmp) / "ours.safetensors"
        mw.write_safetensors(ours_file, table, {"format": mw.FORMAT, "parameter_names": json.dumps(ours),
                                                "model_names": json.dumps(shuffled)})
        mw.safetensors_to_pt(ours_file, back, models=MODELS)
        assert torch.equal(torch.load(back, weights_only=True), original)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(MODELS)}×{len(names)} merging weights; converter round trips checked")


if __name__ == "__main__":
    main()
