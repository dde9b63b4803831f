"""Reference trajectories of torch.optim optimizers and schedulers, and reference loss values and
gradients, for the parity tests of packages/core/src/train.

Writes, as JSON in packages/core/fixtures/train/:

optimizers.json
  problems   two small problems, each from fixed initial values:
             quadratic  f(x) = sum(a * (x - b)^2) + 0.1 * sum(x^3 * c), x of shape [6]
             linear     mean cross-entropy of softmax(inputs @ weight.T + bias) against labels
  cases      one run per optimizer setting: the problem, the optimizer and its options, an
             optional CosineAnnealingLR, the learning rate used at each step (`lrs`), and the
             parameters after each step (`params[name][step]`, flat row-major). Gradients come
             from autograd on the problem's loss at the current parameters, so a faithful
             re-implementation that computes the same loss follows the same trajectory.

losses.json
  entropy        a fixed logits tensor (with one row of large logits), the entropy loss
                 mean over rows of -sum(p * log(p + 1e-8)), p = softmax(logits), and its gradient
  cross_entropy  the same logits, labels, F.cross_entropy (mean) and its gradient

Tensors are {"shape": [...], "data": [flat, row-major]}; float32 values are written with 9
significant digits, which round-trips them exactly; learning rates are Python floats (doubles).

Run with a Python that has torch (1.13 is enough):
  /usr/bin/python3 tools/reference/adam_fixtures.py
"""

import json
import os

import torch
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "core", "fixtures", "train")
STEPS = 20


def encode(t):
    t = t.detach().contiguous().float()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.flatten().tolist()]}


def make_problems():
    g = torch.Generator().manual_seed(7)
    quadratic = {
        "x": torch.randn(6, generator=g),
        "a": torch.tensor([0.01, 0.1, 1.0, 3.0, 10.0, 0.5]),
        "b": torch.randn(6, generator=g),
        "c": torch.randn(6, generator=g),
    }
    linear = {
        "weight": torch.randn(3, 4, generator=g) * 0.5,
        "bias": torch.randn(3, generator=g) * 0.1,
        "inputs": torch.randn(8, 4, generator=g),
        "labels": torch.randint(0, 3, (8,), generator=g),
    }
    return quadratic, linear


def quadratic_loss(params, p):
    x = params["x"]
    return (p["a"] * (x - p["b"]) ** 2).sum() + 0.1 * (x ** 3 * p["c"]).sum()


def linear_loss(params, p):
    logits = p["inputs"] @ params["weight"].t() + params["bias"]
    return F.cross_entropy(logits, p["labels"])


PROBLEMS = {
    "quadratic": (["x"], quadratic_loss),
    "linear": (["weight", "bias"], linear_loss),
}

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
}

# (name, problem, optimizer, torch keyword options, cosine schedule or None)
CASES = [
    ("adam_quadratic", "quadratic", "adam", {"lr": 0.1}, None),
    ("adam_quadratic_l2", "quadratic", "adam",
     {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}, None),
    ("adam_linear_cosine", "linear", "adam", {"lr": 0.1}, {"steps": STEPS, "min_factor": 0.1}),
    ("adamw_linear", "linear", "adamw", {"lr": 0.05, "weight_decay": 0.5}, None),
    ("adamw_quadratic_cosine", "quadratic", "adamw", {"lr": 0.1}, {"steps": 12, "min_factor": 0.0}),
    ("sgd_quadratic", "quadratic", "sgd", {"lr": 0.02}, None),
    ("sgd_momentum_quadratic", "quadratic", "sgd",
     {"lr": 0.02, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}, None),
    ("sgd_nesterov_linear", "linear", "sgd",
     {"lr": 0.3, "momentum": 0.9, "nesterov": True, "weight_decay": 0.001}, None),
]


def run_case(problem_name, problem, optimizer_name, options, cosine):
    names, loss_fn = PROBLEMS[problem_name]
    params = {n: problem[n].clone().requires_grad_(True) for n in names}
    optimizer = OPTIMIZERS[optimizer_name]([params[n] for n in names], **options)
    scheduler = None
    if cosine is not None:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=cosine["steps"], eta_min=cosine["min_factor"] * options["lr"])
    lrs = []
    trajectory = {n: [] for n in names}
    steps = min(STEPS, cosine["steps"]) if cosine is not None else STEPS
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(params, problem).backward()
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        for n in names:
            trajectory[n].append(encode(params[n])["data"])
    return lrs, trajectory


def optimizer_fixtures():
    quadratic, linear = make_problems()
    problems = {"quadratic": quadratic, "linear": linear}
    cases = {}
    for name, problem_name, optimizer_name, options, cosine in CASES:
        lrs, trajectory = run_case(problem_name, problems[problem_name], optimizer_name, options, cosine)
        json_options = {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}
        cases[name] = {
            "problem": problem_name,
            "optimizer": optimizer_name,
            "options": json_options,
            "cosine": cosine,
            "lrs": lrs,
            "params": trajectory,
        }
    encoded_problems = {
        "quadratic": {k: encode(v) for k, v in quadratic.items()},
        "linear": {
            **{k: encode(v) for k, v in linear.items() if k != "labels"},
            "labels": {"shape": list(linear["labels"].shape), "data": linear["labels"].tolist()},
        },
    }
    return {"steps": STEPS, "problems": encoded_problems, "cases": cases}


def loss_fixtures():
    g = torch.Generator().manual_seed(11)
    logits = torch.randn(5, 7, generator=g) * 2.0
    logits[3] = torch.tensor([60.0, -40.0, 59.5, 0.0, -80.0, 10.0, 60.0])
    labels = torch.randint(0, 7, (5,), generator=g)

    x = logits.clone().requires_grad_(True)
    probs = torch.softmax(x, dim=-1)
    entropy = -(probs * torch.log(probs + 1e-8)).sum(dim=-1).mean()
    entropy.backward()
    entropy_case = {"logits": encode(logits), "value": float("%.9g" % entropy.item()), "grad": encode(x.grad)}

    x = logits.clone().requires_grad_(True)
    ce = F.cross_entropy(x, labels)
    ce.backward()
    ce_case = {
        "logits": encode(logits),
        "labels": labels.tolist(),
        "value": float("%.9g" % ce.item()),
        "grad": encode(x.grad),
    }
    return {"entropy": entropy_case, "cross_entropy": ce_case}


def write(name, data):
    with open(os.path.join(OUT_DIR, name), "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    write("optimizers.json", optimizer_fixtures())
    write("losses.json", loss_fixtures())


if __name__ == "__main__":
    main()
