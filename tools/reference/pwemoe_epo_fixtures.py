"""EPO weights for packages/method-pwemoe/fixtures/epo-lp.json.

The exact-Pareto-optimal linear program of EPO search (Mahapatra & Rajan 2020), as the reference
PWEMoE code sets it up (FusionBench fusion_bench/method/pwe_moe/phn/solvers.py, ExactParetoLP,
after the EPOSearch repository's epo_lp.py, which solves it with cvxpy and GLPK), solved here by
scipy.optimize.linprog (HiGHS) on small Gram matrices, in float64. Each case records the
adjustments, which LP was solved ("balance" when the non-uniformity mu exceeds eps = 1e-4, else
"descent"), the optimal alpha (or null when the LP is infeasible: the reference then falls back
to ray / sum(ray)), the optimal objective, and whether the optimum is unique (every alpha_i has
the same minimum and maximum over the optimal face), so that tests compare alpha only where it
is determined. Two cases have no solution: a zero loss (no LP can be set up) and an indefinite matrix
(an infeasible LP).

Run: /usr/bin/python3 tools/reference/pwemoe_epo_fixtures.py
"""

import json
import os

import numpy as np
from scipy.optimize import linprog

EPS = 1e-4
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "method-pwemoe", "fixtures", "epo-lp.json")


def adjustments(l, r):
    m = len(l)
    rl = r * l
    l_hat = rl / rl.sum()
    with np.errstate(divide="ignore"):
        log_l_hat = np.log(l_hat * m)
    keep = l_hat[l_hat > np.finfo(np.float64).eps]
    mu = float(np.sum(keep * np.log(keep * m)))
    a = r * (log_l_hat - mu)
    return rl, mu, a


def lp(l, C, r):
    """(move, A_ub, b_ub, c) of the LP in linprog's form: minimise c.x, A_ub x <= b_ub, sum x = 1, x >= 0."""
    m = len(l)
    rl, mu, a = adjustments(l, r)
    if not np.all(np.isfinite(a)):
        return None, mu, a, None, None, None
    Ca = C @ a
    rows, rhs = [], []
    if mu > EPS:
        move = "balance"
        J = Ca > 0
        if J.any():
            target = Ca.copy()
            target[J] = -np.inf
            target[rl == rl.max()] = 0
        else:
            target = np.zeros(m)
        for j in range(m):
            if np.isfinite(target[j]):
                rows.append(-C[j])
                rhs.append(-target[j])
        objective = -Ca
    else:
        move = "descent"
        rows.append(-Ca)
        rhs.append(-min(Ca.max(), 0.0))
        for j in range(m):
            rows.append(-C[j])
            rhs.append(0.0)
        objective = -C.sum(axis=0)
    return move, mu, a, np.array(rows), np.array(rhs), objective


def solve(l, C, r):
    m = len(l)
    move, mu, a, A, b, c = lp(l, C, r)
    if move is None:
        return {"move": "balance" if mu > EPS else "descent", "nonUniformity": mu, "adjustments": None, "alpha": None, "objective": None, "unique": None}
    eq = (np.ones((1, m)), np.array([1.0]))
    res = linprog(c, A_ub=A, b_ub=b, A_eq=eq[0], b_eq=eq[1], bounds=[(0, None)] * m, method="highs")
    case = {"move": move, "nonUniformity": mu, "adjustments": a.tolist()}
    if res.status == 2:
        case.update(alpha=None, objective=None, unique=None)
        return case
    assert res.status == 0, res.message
    best = res.fun
    # The optimal face: the same constraints plus objective within a tolerance of the optimum.
    A_face = np.vstack([A, c[None, :]])
    b_face = np.concatenate([b, [best + 1e-9 * max(1.0, abs(best))]])
    unique = True
    for i in range(m):
        e = np.zeros(m)
        e[i] = 1
        lo = linprog(e, A_ub=A_face, b_ub=b_face, A_eq=eq[0], b_eq=eq[1], bounds=[(0, None)] * m, method="highs")
        hi = linprog(-e, A_ub=A_face, b_ub=b_face, A_eq=eq[0], b_eq=eq[1], bounds=[(0, None)] * m, method="highs")
        if hi.status != 0 or lo.status != 0 or -hi.fun - lo.fun > 1e-6:
            unique = False
    case.update(alpha=res.x.tolist(), objective=-best, unique=unique)
    return case


def problem(rng, m, n, scale):
    G = rng.normal(size=(m, n)) * scale
    C = G @ G.T
    l = rng.uniform(0.2, 3.0, size=m)
    r = rng.dirichlet(np.ones(m))
    return l, C, r


def main():
    rng = np.random.default_rng(0)
    cases = []
    # Generic problems of 2-4 tasks, gradients of very different sizes (the Gram scale matters to
    # solvers that drop tiny coefficients).
    for m, n, scale in [(2, 5, 1.0), (2, 3, 1e-3), (3, 6, 1.0), (3, 4, 1e-5), (4, 8, 1.0), (4, 3, 0.1), (3, 2, 1.0)]:
        l, C, r = problem(rng, m, n, scale)
        cases.append({"name": f"random m={m} n={n} scale={scale:g}", "losses": l.tolist(), "gram": C.tolist(), "ray": r.tolist()})
    # Descent: losses already proportional to 1/ray (r*l uniform, mu = 0).
    r = np.array([0.25, 0.75])
    G = rng.normal(size=(2, 4))
    cases.append({"name": "descent (r*l uniform)", "losses": (1 / r).tolist(), "gram": (G @ G.T).tolist(), "ray": r.tolist()})
    r = np.array([0.2, 0.3, 0.5])
    G = rng.normal(size=(3, 3))
    cases.append({"name": "descent, 3 tasks", "losses": (0.6 / r).tolist(), "gram": (G @ G.T).tolist(), "ray": r.tolist()})
    # Conflicting gradients.
    G = np.array([[1.0, 0.0], [-0.9, 0.3]])
    cases.append({"name": "conflicting gradients", "losses": [0.5, 2.0], "gram": (G @ G.T).tolist(), "ray": [0.5, 0.5]})
    # No LP: a zero loss makes log(l_hat) = -inf, the reference's cvxpy call raises, and it falls
    # back to ray / sum(ray). (A seeded search over 55,000 random Gram matrices found no infeasible
    # LP: with a positive semi-definite C the program is feasible in practice.)
    G = rng.normal(size=(3, 4))
    cases.append({"name": "zero loss: no LP, fall-back", "losses": [0.0, 1.0, 2.0], "gram": (G @ G.T).tolist(), "ray": [0.2, 0.3, 0.5]})
    # An infeasible LP, to exercise the solver's infeasibility path: an indefinite (not Gram)
    # matrix with r*l uniform, so the descent LP needs C alpha >= 0 with C = -I.
    cases.append({"name": "infeasible LP (C = -I, descent)", "losses": [2.0, 2.0], "gram": [[-1.0, 0.0], [0.0, -1.0]], "ray": [0.5, 0.5]})
    for case in cases:
        case["expected"] = solve(np.array(case["losses"]), np.array(case["gram"]), np.array(case["ray"]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"eps": EPS, "cases": cases}, f, indent=1)
    for case in cases:
        e = case["expected"]
        print(f'{case["name"]:45s} {e["move"]:8s} alpha={e["alpha"]} unique={e["unique"]}')


if __name__ == "__main__":
    main()
