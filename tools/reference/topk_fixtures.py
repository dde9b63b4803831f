"""Writes top-k% magnitude trimming fixtures computed with PyTorch.

The thresholds and masks follow the reference TIES implementation (`topk_values_mask`): for d
entries and k percent, keep = int(d * (k / 100)); unless keep == d, the threshold is
torch.kthvalue(|x|, d - keep) and the mask is |x| >= threshold; trimmed values are x * mask.
keep == d keeps everything (the reference would call kthvalue(0), which fails), recorded as a null
threshold. Each case is one "model" (a list of tensors) with results for the whole model (one
threshold over all tensors concatenated) and per tensor (each tensor on its own).

Float values are stored as their uint32 bit patterns so that -0, subnormals and infinities
round-trip exactly.

Run from the repository root: /usr/bin/python3 tools/reference/topk_fixtures.py
"""

import json
import math
import pathlib

import torch

OUT_DIR = pathlib.Path(__file__).resolve().parents[2] / "packages" / "task-vectors" / "fixtures" / "topk"
SEED = 1234


def bits(t: torch.Tensor) -> list:
    return [v & 0xFFFFFFFF for v in t.detach().reshape(-1).contiguous().view(torch.int32).tolist()]


def trim(flat: torch.Tensor, k: float) -> dict:
    d = flat.numel()
    keep = int(d * (k / 100))
    if keep == d:
        mask = torch.ones(d, dtype=torch.bool)
        threshold = None
    else:
        values, _ = flat.abs().kthvalue(d - keep)
        threshold = values
        mask = flat.abs() >= threshold
    return {
        "keep": keep,
        "threshold": None if threshold is None else bits(threshold)[0],
        "mask": [int(m) for m in mask.tolist()],
        "trimmed": bits(flat * mask),
    }


def results(tensors: list, ks: list) -> list:
    out = []
    for k in ks:
        whole = trim(torch.cat([t.reshape(-1) for t in tensors]), k)
        per_tensor = [trim(t.reshape(-1), k) for t in tensors]
        out.append({"k": k, "model": whole, "tensor": per_tensor})
    return out


def write_case(name: str, tensors: list, ks: list) -> None:
    tensors = [t.to(torch.float32) for t in tensors]
    case = {
        "name": name,
        "torch": torch.__version__,
        "seed": SEED,
        "tensors": [{"shape": list(t.shape), "bits": bits(t)} for t in tensors],
        "results": results(tensors, ks),
    }
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(case, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(OUT_DIR.parents[3])}")


def main() -> None:
    torch.manual_seed(SEED)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    standard = [10, 20, 50, 100]

    write_case("normal", [torch.randn(50)], standard + [1, 0.5, 29])
    # Quarter steps in [-0.75, 0.75]: heavy ties at every possible threshold.
    write_case("ties", [torch.randint(-3, 4, (40,)) * 0.25], standard + [2.5, 35])
    write_case("all-zero", [torch.zeros(16), torch.zeros(3, 2)], standard + [1])
    signed_zeros = torch.tensor([0.0, -0.0, 1.5, -1.5, 0.0, -0.0, 2.0, -0.0, 0.5, -0.5, -0.0, 0.0])
    write_case("signed-zeros", [signed_zeros], standard + [30, 75])
    subnormals = torch.tensor([1e-45, -1e-45, 1e-40, -3e-39, 1e-38, -1e-38, 0.0, -0.0, 2e-45, -2e-45])
    write_case("subnormals", [subnormals, torch.randn(6) * 1e-39], standard + [30])
    infinities = torch.tensor([math.inf, -math.inf, 1.0, -2.0, 3.0, 0.0, -math.inf, 0.25])
    write_case("infinities", [infinities], standard + [25, 30])
    write_case("single", [torch.tensor([-0.75])], standard + [1])
    # floor(d * k / 100) in float64 is below the exact value for these k (29% of 100 is 28).
    write_case("percent-rounding", [torch.randn(100)], [7, 29, 57, 58, 0.1])
    model = [
        torch.randn(4, 5),
        torch.randn(5),
        torch.randint(-2, 3, (3, 2, 2)) * 0.5,
        torch.randn(1),
        torch.randn(()),
        torch.round(torch.randn(8, 3) * 4) / 4,
    ]
    write_case("model", model, standard + [1, 15, 0.01])
    large = torch.round(torch.randn(1200) * 100) / 100
    write_case("large", [large[:500].reshape(5, 100), large[500:]], [10, 20, 50, 33.3])


if __name__ == "__main__":
    main()
