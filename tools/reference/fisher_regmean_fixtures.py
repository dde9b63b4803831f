#!/usr/bin/python3
"""Parity fixtures for Fisher merging and RegMean, each computed here in PyTorch from its paper's
definition with the reference framework's (FusionBench's) choices where the paper leaves room.

Run from the repository root with Debian's Python (the one that sees python3-torch):

    /usr/bin/python3 tools/reference/fisher_regmean_fixtures.py

The model is core's ToyEncoder rebuilt in torch with the same parameter names (embed Linear; per
layer a LayerNorm and an MLP fc1 -> exact GELU -> fc2 added back to its input; a final LayerNorm;
the mean over tokens), with one frozen Linear head per task. A case is a few fine-tuned copies
(named after their tasks), labelled training data per task, and what the methods must produce,
written into packages/method-<fisher|regmean>/fixtures/<case>/ (checked in; tests never run
Python):

    models/<task>.safetensors   the fine-tuned encoders
    heads.safetensors           <task>.weight [classes, hidden], <task>.bias [classes]
    data.json                   {"config", "classes", "tasks": {task: {"inputs": flat row-major
                                [n, tokens, input_dim], "labels": [n]}}}
    expected/<i>.safetensors    the merged encoder for results[i]
    fisher/<estimate>/<task>.safetensors   Fisher diagonals (method-fisher)
    grams/<task>.safetensors    mean Gram matrix of every Linear's inputs, keyed by the module's
                                name (method-regmean)
    case.json                   {"name", "torch", "seed", "config", "tasks", "num_examples",
                                "batch_size", "results": [{"params", "expected", ...}]}

Data order: the first num_examples training examples of each task, in stored order, in batches
of batch_size (the last one shorter when they do not divide).

Fisher merging (Matena & Raffel 2022; FusionBench's fisher_merging / clip_fisher_merging):
- estimate "batched" (FusionBench): per batch, g = d/dtheta sum_b sum_c sqrt(p_bc) log p_bc with
  p = softmax(logits) held constant; F += g**2; after the last batch F /= number of examples.
- estimate "exact" (the paper's diagonal Fisher of the model's predictive distribution): per
  example, F += sum_c p_c (d log p_c / dtheta)**2; then F /= number of examples.
- merge: norm_i = L2 norm of model i's whole Fisher; coefficients 1/T, and when normalising,
  times (1 / (norm_i + m)) / sum_j (1 / (norm_j + m)); merged = sum_i c_i (F_i + m) theta_i /
  sum_i c_i (F_i + m), m = minimal_fisher_weight. Every encoder parameter has a Fisher here.

RegMean (Jin et al. 2023; FusionBench's regmean / clip_regmean):
- for every Linear of the encoder, G_i = X^T X / rows over all tokens of the examples (float32
  sums over batches, divided once: the reference's running mean); off-diagonal entries times
  alpha = reduce_non_diagonal_ratio, per model; S = sum_i G_i, B = sum_i G_i W_i^T (W_i [out,
  in]); the merged weight is solve(S, B)^T. From the float32 Gram matrices on, everything is
  float64 (Cholesky), so the expected weights are the exact solution for those matrices.
- a Cholesky pivot not above 1e-6 times its diagonal entry (or a non-finite one) makes the
  system singular: then S + eps I, eps = 1e-5 * mean(diag S) (1 if that is 0), and B + eps *
  mean_i(W_i)^T, i.e. a ridge that pulls the solution towards the plain average, solved again.
- every other parameter (biases, LayerNorms) is the plain mean of the models.
"""

import json
import math
import pathlib
import shutil

import torch
import torch.nn.functional as F
from torch import nn

from safetensors_fixtures import write_safetensors

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packages"
SEED = 20240717
CONFIG = {"inputDim": 5, "tokens": 3, "hidden": 6, "layers": 2}
CLASSES = 3
TASKS = ["task_a", "task_b", "task_c"]
TRAIN_SIZE = 12
NUM_EXAMPLES = 10
BATCH_SIZE = 4
PIVOT_TOLERANCE = 1e-6
RIDGE = 1e-5


# ---------------------------------------------------------------- the toy encoder


class ToyMlp(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = nn.Linear(hidden, 2 * hidden)
        self.fc2 = nn.Linear(2 * hidden, hidden)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class ToyLayer(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.layer_norm = nn.LayerNorm(hidden, eps=1e-5)
        self.mlp = ToyMlp(hidden)

    def forward(self, x):
        return x + self.mlp(self.layer_norm(x))


class ToyEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = nn.Linear(c["inputDim"], c["hidden"])
        self.layers = nn.ModuleList([ToyLayer(c["hidden"]) for _ in range(c["layers"])])
        self.final_norm = nn.LayerNorm(c["hidden"], eps=1e-5)

    def forward(self, x):
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h)
        return self.final_norm(h).mean(1)


def encoder(sd: dict) -> ToyEncoder:
    model = ToyEncoder(CONFIG)
    model.load_state_dict(sd)
    return model.eval()


def head(weights: dict, task: str) -> nn.Linear:
    h = nn.Linear(CONFIG["hidden"], CLASSES)
    h.load_state_dict({"weight": weights[f"{task}.weight"], "bias": weights[f"{task}.bias"]})
    return h.requires_grad_(False)


# ---------------------------------------------------------------- the world


def pretrained_weights() -> dict:
    model = ToyEncoder(CONFIG)
    sd = {}
    for name, p in model.state_dict().items():
        if name.endswith("norm.weight"):
            sd[name] = torch.ones_like(p)
        elif name.endswith("bias"):
            sd[name] = torch.zeros_like(p)
        else:
            sd[name] = torch.randn(p.shape) / math.sqrt(p.shape[1])
    return sd


def fine_tuned(pre: dict, scale: float) -> dict:
    return {name: p + torch.randn(p.shape) * scale for name, p in pre.items()}


def make_world(n_tasks: int, dead_feature=None):
    pre = pretrained_weights()
    tasks = TASKS[:n_tasks]
    models = {task: fine_tuned(pre, 0.15) for task in tasks}
    heads = {}
    data = {}
    for task in tasks:
        heads[f"{task}.weight"] = torch.randn(CLASSES, CONFIG["hidden"]) / math.sqrt(CONFIG["hidden"])
        heads[f"{task}.bias"] = torch.randn(CLASSES) * 0.1
        inputs = torch.randn(TRAIN_SIZE, CONFIG["tokens"], CONFIG["inputDim"])
        if dead_feature is not None:
            inputs[:, :, dead_feature] = 0
        data[task] = {"inputs": inputs, "labels": torch.randint(0, CLASSES, (TRAIN_SIZE,))}
    return models, heads, data


def batches(inputs: torch.Tensor):
    for start in range(0, NUM_EXAMPLES, BATCH_SIZE):
        yield inputs[start : min(NUM_EXAMPLES, start + BATCH_SIZE)]


# ---------------------------------------------------------------- Fisher merging


def fisher_batched(model: nn.Module, h: nn.Module, inputs: torch.Tensor) -> dict:
    params = dict(model.named_parameters())
    fisher = {name: torch.zeros_like(p) for name, p in params.items()}
    count = 0
    for x in batches(inputs):
        logits = h(model(x))
        p = torch.softmax(logits, dim=-1).detach()
        objective = (torch.sqrt(p) * torch.log_softmax(logits, dim=-1)).sum()
        grads = torch.autograd.grad(objective, list(params.values()))
        for name, g in zip(params, grads):
            fisher[name] = fisher[name] + g**2
        count += x.shape[0]
    return {name: f / count for name, f in fisher.items()}


def fisher_exact(model: nn.Module, h: nn.Module, inputs: torch.Tensor) -> dict:
    params = dict(model.named_parameters())
    fisher = {name: torch.zeros_like(p) for name, p in params.items()}
    count = 0
    for x in batches(inputs):
        for b in range(x.shape[0]):
            logits = h(model(x[b : b + 1]))[0]
            p = torch.softmax(logits, dim=-1).detach()
            log_p = torch.log_softmax(logits, dim=-1)
            for c in range(CLASSES):
                grads = torch.autograd.grad(log_p[c], list(params.values()), retain_graph=True)
                for name, g in zip(params, grads):
                    fisher[name] = fisher[name] + p[c] * g**2
            count += 1
    return {name: f / count for name, f in fisher.items()}


def fisher_merge(models: list, fishers: list, normalize: bool, minimal: float) -> dict:
    n = len(models)
    coefficients = torch.ones(n) / n
    if normalize:
        norms = torch.stack(
            [torch.norm(torch.stack([torch.linalg.vector_norm(f) for f in fisher.values()])) for fisher in fishers]
        )
        inverse = 1.0 / (norms + minimal)
        coefficients = coefficients * (inverse / inverse.sum())
    merged = {}
    for name in models[0]:
        numerator = torch.zeros_like(models[0][name])
        denominator = torch.zeros_like(models[0][name])
        for c, sd, fisher in zip(coefficients, models, fishers):
            weight = c * (fisher[name] + minimal)
            numerator = numerator + weight * sd[name]
            denominator = denominator + weight
        merged[name] = numerator / denominator
    return merged


# ---------------------------------------------------------------- RegMean


def gram_matrices(model: nn.Module, inputs: torch.Tensor) -> dict:
    sums, rows, handles = {}, {}, []

    def hook_for(name):
        def hook(module, args, output):
            x = args[0].detach().reshape(-1, args[0].shape[-1])
            xtx = x.t() @ x
            sums[name] = sums[name] + xtx if name in sums else xtx
            rows[name] = rows.get(name, 0) + x.shape[0]

        return hook

    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(hook_for(name)))
    with torch.no_grad():
        for x in batches(inputs):
            model(x)
    for handle in handles:
        handle.remove()
    return {name: sums[name] / rows[name] for name in sums}


def reduce_off_diagonal(g: torch.Tensor, alpha: float) -> torch.Tensor:
    scale = torch.full_like(g, alpha)
    scale.fill_diagonal_(1.0)
    return g * scale


def cholesky(a: torch.Tensor, tolerance: float):
    """Lower factor of a float64 matrix, or None when a pivot is not above tolerance * a_jj."""
    n = a.shape[0]
    low = torch.zeros_like(a)
    for j in range(n):
        pivot = a[j, j] - (low[j, :j] ** 2).sum()
        if not (math.isfinite(pivot) and pivot > tolerance * a[j, j]) or pivot <= 0:
            return None
        low[j, j] = torch.sqrt(pivot)
        for i in range(j + 1, n):
            low[i, j] = (a[i, j] - (low[i, :j] * low[j, :j]).sum()) / low[j, j]
    return low


def regmean_merge(models: list, grams: list, alpha: float):
    """The exact solution for the given (float32) Gram matrices: sums and solve in float64."""
    merged, fallbacks = {}, []
    for key in models[0]:
        module = key[: -len(".weight")]
        if not (key.endswith(".weight") and module in grams[0]):
            merged[key] = torch.stack([sd[key] for sd in models]).mean(0)
            continue
        s = torch.zeros(grams[0][module].shape, dtype=torch.float64)
        b = torch.zeros(models[0][key].shape[1], models[0][key].shape[0], dtype=torch.float64)
        for sd, g in zip(models, grams):
            r = reduce_off_diagonal(g[module].double(), alpha)
            s = s + r
            b = b + r @ sd[key].double().t()
        low = cholesky(s, PIVOT_TOLERANCE)
        if low is None:
            fallbacks.append(module)
            diagonal_mean = float(torch.diagonal(s).mean())
            eps = RIDGE * diagonal_mean if diagonal_mean > 0 else 1.0
            s = s + eps * torch.eye(s.shape[0], dtype=torch.float64)
            b = b + eps * torch.stack([sd[key].double() for sd in models]).mean(0).t()
            low = cholesky(s, 0.0)
            assert low is not None
        solution = torch.cholesky_solve(b, low)
        merged[key] = solution.t().float().contiguous()
    return merged, fallbacks


# ---------------------------------------------------------------- writing


def write_case(package: str, name: str, world, results: list, extra_files: dict) -> None:
    models, heads, data = world
    out_dir = PACKAGES / package / "fixtures" / name
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    for task, sd in models.items():
        write_safetensors(str(out_dir / "models" / f"{task}.safetensors"), list(sd.items()))
    write_safetensors(str(out_dir / "heads.safetensors"), list(heads.items()))
    encoded = {
        task: {"inputs": d["inputs"].reshape(-1).double().tolist(), "labels": d["labels"].tolist()}
        for task, d in data.items()
    }
    (out_dir / "data.json").write_text(
        json.dumps({"config": CONFIG, "classes": CLASSES, "tasks": encoded}) + "\n"
    )
    for file, tensors in extra_files.items():
        write_safetensors(str(out_dir / file), list(tensors.items()))
    listed = []
    for i, result in enumerate(results):
        file = f"expected/{i}.safetensors"
        write_safetensors(str(out_dir / file), list(result["expected"].items()))
        listed.append({**result, "expected": file})
    case = {
        "name": name,
        "torch": torch.__version__,
        "seed": SEED,
        "config": CONFIG,
        "tasks": list(models),
        "num_examples": NUM_EXAMPLES,
        "batch_size": BATCH_SIZE,
        "results": listed,
    }
    (out_dir / "case.json").write_text(json.dumps(case, indent=1) + "\n")
    print(f"wrote {out_dir.relative_to(ROOT)}/ ({len(models)} models, {len(results)} results)")


def fisher_case(name: str, world, settings: list) -> None:
    models, heads, data = world
    estimators = {"batched": fisher_batched, "exact": fisher_exact}
    fishers = {
        estimate: {task: fn(encoder(sd), head(heads, task), data[task]["inputs"]) for task, sd in models.items()}
        for estimate, fn in estimators.items()
    }
    results = []
    for s in settings:
        params = {"fisher_estimate": "batched", "normalize_fisher_weight": True, "minimal_fisher_weight": 1e-6, **s}
        per_task = fishers[params["fisher_estimate"]]
        expected = fisher_merge(
            list(models.values()),
            [per_task[task] for task in models],
            params["normalize_fisher_weight"],
            params["minimal_fisher_weight"],
        )
        results.append({"params": params, "expected": expected})
    extra = {
        f"fisher/{estimate}/{task}.safetensors": fisher for estimate, per_task in fishers.items() for task, fisher in per_task.items()
    }
    write_case("method-fisher", name, world, results, extra)


def regmean_case(name: str, world, settings: list) -> None:
    models, _, data = world
    grams = {task: gram_matrices(encoder(sd), data[task]["inputs"]) for task, sd in models.items()}
    results = []
    for s in settings:
        params = {"reduce_non_diagonal_ratio": 0.95, **s}
        expected, fallbacks = regmean_merge(
            list(models.values()), [grams[task] for task in models], params["reduce_non_diagonal_ratio"]
        )
        results.append({"params": params, "expected": expected, "fallback_layers": fallbacks})
    extra = {f"grams/{task}.safetensors": g for task, g in grams.items()}
    write_case("method-regmean", name, world, results, extra)


def main() -> None:
    torch.manual_seed(SEED)
    three = make_world(3)
    single = make_world(1)
    dead = make_world(3, dead_feature=2)

    fisher_case(
        "three-tasks",
        three,
        [
            {},
            {"normalize_fisher_weight": False},
            {"fisher_estimate": "exact"},
            {"fisher_estimate": "exact", "normalize_fisher_weight": False, "minimal_fisher_weight": 1e-3},
        ],
    )
    fisher_case("single-model", single, [{}, {"fisher_estimate": "exact"}])

    regmean_case("three-tasks", three, [{}, {"reduce_non_diagonal_ratio": 1.0}, {"reduce_non_diagonal_ratio": 0.6}])
    regmean_case("single-model", single, [{}])
    regmean_case("dead-feature", dead, [{}, {"reduce_non_diagonal_ratio": 0.6}])


if __name__ == "__main__":
    main()
