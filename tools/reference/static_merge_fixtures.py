#!/usr/bin/python3
"""Parity fixtures for the static merge methods: simple average, weighted average, task
arithmetic and TIES-merging, each computed here in PyTorch from its paper definition.

Run from the repository root with Debian's Python (the one that sees python3-torch):

    /usr/bin/python3 tools/reference/static_merge_fixtures.py

Each case is a small pool of state dicts (a pretrained model `_pretrained_` and fine-tuned
models, a few tensors of different shapes, an integer buffer in one case) and the expected
merged state dict for several parameter settings, written as safetensors (checked in; tests
never run Python, and read them through the same checkpoint reader a real merge uses):

    packages/method-<name>/fixtures/<case>/
        models/_pretrained_.safetensors, models/model0.safetensors, ...   the pool
        expected/<i>.safetensors                                          the merge for results[i]
        case.json   {"name", "torch", "seed", "model_names": [...], "results": [{"params": {...},
                    "expected": "expected/<i>.safetensors"}]}; TIES results also carry the
                    per-model thresholds (float32 bit patterns) and the majority sign.

Definitions (tau_i = theta_i - theta_0, float32 throughout, sums over models in pool order):
- simple average: (theta_1 + ... + theta_n) / n.
- weighted average: w normalised in float64 when asked (w / sum(w)), then sum_i w_i * theta_i.
- task arithmetic: theta_0 + lambda * sum_i tau_i.
- TIES: every task vector flattened over all merged keys; keep = int(d * (k / 100)) entries:
  unless keep == d, the threshold is torch.kthvalue(|tau_i|, d - keep) and entries with
  |tau_i| >= threshold survive (keep == d keeps all); the elected sign is sign(sum_i trimmed);
  where it is 0 it becomes sign(sum of all elected signs) (the majority sign, which may itself
  be 0); entries agree when sign > 0 and entry > 0, or sign <= 0 and entry < 0; merge_func sum
  adds the agreeing entries, mean divides that by their count clamped to >= 1, max takes the
  largest agreeing magnitude times the sign; theta = theta_0 + lambda * merged.
Keys matched by exclude_keys (a glob with fnmatch, or /regex/ searched) and integer tensors keep
theta_0's value and take no part (they are not in the flattened vector).
"""

import fnmatch
import json
import pathlib
import re
import shutil

import torch

from safetensors_fixtures import write_safetensors

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packages"
SEED = 20240611
PRETRAINED = "_pretrained_"


# ---------------------------------------------------------------- writing


def bits(t: torch.Tensor) -> list:
    return [v & 0xFFFFFFFF for v in t.detach().reshape(-1).contiguous().view(torch.int32).tolist()]


def write_case(package: str, name: str, models: dict, results: list) -> None:
    """results: [{"params", "expected": state dict, ...extras}]."""
    out_dir = PACKAGES / package / "fixtures" / name
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    for model, sd in models.items():
        write_safetensors(str(out_dir / "models" / f"{model}.safetensors"), list(sd.items()))
    listed = []
    for i, result in enumerate(results):
        file = f"expected/{i}.safetensors"
        write_safetensors(str(out_dir / file), list(result["expected"].items()))
        listed.append({**result, "expected": file})
    case = {
        "name": name,
        "torch": torch.__version__,
        "seed": SEED,
        "model_names": [m for m in models if m != PRETRAINED],
        "results": listed,
    }
    (out_dir / "case.json").write_text(json.dumps(case, indent=1) + "\n")
    print(f"wrote {out_dir.relative_to(ROOT)}/ ({len(models)} models, {len(results)} results)")


# ---------------------------------------------------------------- the methods


def is_excluded(key: str, patterns: list) -> bool:
    for p in patterns:
        if len(p) >= 2 and p.startswith("/") and p.endswith("/"):
            if re.search(p[1:-1], key):
                return True
        elif fnmatch.fnmatchcase(key, p):
            return True
    return False


def merged_keys(pre: dict, patterns: list) -> list:
    return [k for k, t in pre.items() if t.dtype == torch.float32 and not is_excluded(k, patterns)]


def simple_average(fts: list) -> dict:
    out = {}
    for key in fts[0]:
        if fts[0][key].dtype != torch.float32:
            out[key] = fts[0][key].clone()
            continue
        acc = torch.zeros_like(fts[0][key])
        for sd in fts:
            acc = acc + sd[key]
        out[key] = acc / len(fts)
    return out


def weighted_average(fts: list, weights: list, normalize: bool) -> dict:
    w = torch.tensor(weights, dtype=torch.float64)
    if normalize:
        w = w / w.sum()
    out = {}
    for key in fts[0]:
        if fts[0][key].dtype != torch.float32:
            out[key] = fts[0][key].clone()
            continue
        acc = torch.zeros_like(fts[0][key])
        for sd, wi in zip(fts, w.tolist()):
            acc = acc + sd[key] * wi
        out[key] = acc
    return out


def task_arithmetic(pre: dict, fts: list, lam: float, patterns: list) -> dict:
    keys = merged_keys(pre, patterns)
    out = {}
    for key, p in pre.items():
        if key not in keys:
            out[key] = p.clone()
            continue
        acc = torch.zeros_like(p)
        for sd in fts:
            acc = acc + (sd[key] - p)
        out[key] = p + lam * acc
    return out


def trim_row(row: torch.Tensor, k: float):
    d = row.numel()
    # FusionBench's topk_values_mask: k above 1 is a percentage, up to 1 a fraction.
    keep = int(d * (k / 100 if k > 1 else k))
    if keep == d:
        return row.clone(), 0.0
    threshold, _ = row.abs().kthvalue(d - keep)
    return row * (row.abs() >= threshold), threshold


def ties(pre: dict, fts: list, lam: float, k: float, merge_func: str, patterns: list):
    keys = merged_keys(pre, patterns)
    flat_pre = torch.cat([pre[key].reshape(-1) for key in keys])
    rows, thresholds = [], []
    for sd in fts:
        row = torch.cat([(sd[key] - pre[key]).reshape(-1) for key in keys])
        trimmed, threshold = trim_row(row, k)
        rows.append(trimmed)
        thresholds.append(float(threshold))
    tv = torch.stack(rows)  # [T, d]
    acc = torch.zeros_like(flat_pre)
    for row in tv:
        acc = acc + row
    sign = torch.sign(acc)
    majority = torch.sign(sign.sum())
    sign[sign == 0] = majority
    agree = torch.where(sign.unsqueeze(0) > 0, tv > 0, tv < 0)
    selected = tv * agree
    if merge_func == "sum":
        merged = torch.zeros_like(flat_pre)
        for row in selected:
            merged = merged + row
    elif merge_func == "mean":
        merged = torch.zeros_like(flat_pre)
        for row in selected:
            merged = merged + row
        merged = merged / torch.clamp((selected != 0).sum(dim=0).float(), min=1)
    elif merge_func == "max":
        merged = selected.abs().max(dim=0)[0] * sign
    else:
        raise ValueError(merge_func)
    flat = flat_pre + lam * merged

    out, offset = {}, 0
    for key, p in pre.items():
        if key in keys:
            out[key] = flat[offset : offset + p.numel()].reshape(p.shape).clone()
            offset += p.numel()
        else:
            out[key] = p.clone()
    extra = {"thresholds": bits(torch.tensor(thresholds, dtype=torch.float32)), "majority_sign": int(majority)}
    return out, extra


# ---------------------------------------------------------------- the cases


SHAPES = {
    "embed.weight": (6, 5),
    "embed.bias": (5,),
    "layers.0.mlp.weight": (3, 4, 2),
    "layers.0.norm.weight": (7,),
    "head.weight": (2, 3),
    "logit_scale": (),
}


def random_pool(n_models: int, tau_of) -> dict:
    """theta_0 ~ N(0, 1) and theta_i = theta_0 + tau_of(shape) for every tensor."""
    pre = {key: torch.randn(shape) for key, shape in SHAPES.items()}
    pool = {PRETRAINED: pre}
    for i in range(n_models):
        pool[f"model{i}"] = {key: p + tau_of(p.shape) for key, p in pre.items()}
    return pool


def quantized_pool(n_models: int, levels: int, step: float) -> dict:
    """theta_0 and tau on coarse grids, so that theta_i - theta_0 is exact and magnitudes tie."""
    pre = {key: torch.round(torch.randn(shape) * 8) / 8 for key, shape in SHAPES.items()}
    pool = {PRETRAINED: pre}
    for i in range(n_models):
        pool[f"model{i}"] = {
            key: p + torch.randint(-levels, levels + 1, p.shape).float() * step for key, p in pre.items()
        }
    return pool


def with_zero_task_vector(pool: dict, name: str) -> dict:
    pool = dict(pool)
    pool[name] = {key: t.clone() for key, t in pool[PRETRAINED].items()}
    return pool


def with_buffer(pool: dict) -> dict:
    """Adds an int64 buffer (position ids), equal in every model: it is copied, never merged."""
    ids = torch.arange(5, dtype=torch.int64).reshape(1, 5)
    return {name: {**sd, "position_ids": ids.clone()} for name, sd in pool.items()}


def cancelling_pool(majority: int) -> dict:
    """Coordinates whose task-vector entries cancel exactly, plus a key 'balance' that makes the
    majority sign of the merge `majority` (+1, -1 or 0 for a tie) when nothing is trimmed."""
    pre = {"w": torch.round(torch.randn(4, 4) * 8) / 8, "b": torch.round(torch.randn(3) * 8) / 8}
    taus = [{key: torch.randint(-2, 3, p.shape).float() * 0.5 for key, p in pre.items()} for _ in range(3)]
    for (i, j), values in {(0, 0): (0.5, -0.5, 0.0), (0, 1): (1.0, -0.5, -0.5), (1, 2): (-1.0, 1.0, 0.0)}.items():
        for tau, v in zip(taus, values):
            tau["w"][i, j] = v
    signs = torch.sign(sum(torch.cat([t[key].reshape(-1) for key in pre]) for t in taus))
    lead = int((signs > 0).sum() - (signs < 0).sum())
    wanted = {1: 2, -1: -2, 0: 0}[majority]
    fill = wanted - lead  # that many +1 coordinates (or -fill negative ones) make P - N == wanted
    n = max(abs(fill), 1)
    pre["balance"] = torch.round(torch.randn(n) * 8) / 8
    for t in taus:
        t["balance"] = torch.full((n,), 0.25 if fill > 0 else -0.25) if fill != 0 else torch.zeros(n)
    if fill == 0 and lead != wanted:
        raise AssertionError("could not balance")
    pool = {PRETRAINED: pre}
    for i, tau in enumerate(taus):
        pool[f"model{i}"] = {key: pre[key] + tau[key] for key in pre}
    return pool


def fine_tuned(pool: dict) -> list:
    return [sd for name, sd in pool.items() if name != PRETRAINED]


def ties_results(pool: dict, settings: list) -> list:
    out = []
    for s in settings:
        params = {"scaling_factor": 0.3, "threshold": 20, "merge_func": "sum", "exclude_keys": [], **s}
        expected, extra = ties(
            pool[PRETRAINED],
            fine_tuned(pool),
            params["scaling_factor"],
            params["threshold"],
            params["merge_func"],
            params["exclude_keys"],
        )
        out.append({"params": params, "expected": expected, **extra})
    return out


def ta_results(pool: dict, settings: list) -> list:
    out = []
    for s in settings:
        params = {"scaling_factor": 0.3, "exclude_keys": [], **s}
        expected = task_arithmetic(pool[PRETRAINED], fine_tuned(pool), params["scaling_factor"], params["exclude_keys"])
        out.append({"params": params, "expected": expected})
    return out


def main() -> None:
    torch.manual_seed(SEED)
    merge_funcs = [{"merge_func": f} for f in ("sum", "mean", "max")]

    random3 = with_buffer(random_pool(3, lambda shape: torch.randn(shape) * 0.1))
    ties_ties = quantized_pool(3, levels=4, step=0.25)
    zero = with_zero_task_vector(random_pool(3, lambda shape: torch.randn(shape) * 0.1), "model1")
    single = random_pool(1, lambda shape: torch.randn(shape) * 0.1)

    write_case(
        "method-ties",
        "random",
        random3,
        ties_results(
            random3,
            merge_funcs
            + [
                {"threshold": 100},
                {"threshold": 100, "merge_func": "mean"},
                {"scaling_factor": 0.7},
                {"scaling_factor": -0.4, "threshold": 35, "merge_func": "max"},
                {"threshold": 50, "exclude_keys": ["head.*", "/^embed\\.b/"]},
                {"threshold": 0.5},
            ],
        ),
    )
    write_case(
        "method-ties",
        "threshold-ties",
        ties_ties,
        ties_results(ties_ties, merge_funcs + [{"threshold": 30}, {"threshold": 55, "merge_func": "mean"}]),
    )
    write_case("method-ties", "zero-task-vector", zero, ties_results(zero, merge_funcs))
    write_case("method-ties", "single-model", single, ties_results(single, merge_funcs + [{"threshold": 100}]))
    for majority, name in ((1, "cancel-positive"), (-1, "cancel-negative"), (0, "cancel-balanced")):
        pool = cancelling_pool(majority)
        results = ties_results(pool, [{"threshold": 100, **f} for f in merge_funcs])
        assert all(r["majority_sign"] == majority for r in results), name
        write_case("method-ties", name, pool, results)

    write_case(
        "method-task-arithmetic",
        "random",
        random3,
        ta_results(
            random3,
            [{}, {"scaling_factor": 1.0}, {"scaling_factor": -0.5}, {"exclude_keys": ["head.*", "/norm/"]}],
        ),
    )
    write_case("method-task-arithmetic", "zero-task-vector", zero, ta_results(zero, [{}]))
    write_case("method-task-arithmetic", "single-model", single, ta_results(single, [{}, {"scaling_factor": 0.7}]))

    for pool_name, pool in (("random", random3), ("single-model", single)):
        write_case(
            "method-simple-average",
            pool_name,
            pool,
            [{"params": {}, "expected": simple_average(fine_tuned(pool))}],
        )
    weighted = []
    for weights, normalize in (([0.2, 0.5, 0.3], True), ([1, 2, 3], True), ([1, 2, 3], False), ([0, 1, 0], True)):
        expected = weighted_average(fine_tuned(random3), weights, normalize)
        weighted.append({"params": {"weights": weights, "normalize": normalize}, "expected": expected})
    write_case("method-weighted-average", "random", random3, weighted)


if __name__ == "__main__":
    main()
