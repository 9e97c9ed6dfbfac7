#!/usr/bin/python3
"""Records torch.optim.LBFGS trajectories for Descent's PyTorch-compatible L-BFGS test.

Run with Debian's python3 and torch (apt-get install -y python3-torch):

    /usr/bin/python3 scripts/record_torch_lbfgs_fixtures.py \
        descent-core/src/test/resources/optim/torch_lbfgs_trajectories.json

The problem is a small smooth non-convex function of two parameter tensors, x [4] and z [2]:

    f(x, z) = sum_{i<3} [A (x[i+1] - x[i]^2)^2 + (1 - x[i])^2]       (a Rosenbrock chain)
              + 1/4 sum_j (z[j]^2 - 1)^2                               (a double well per z[j])
              + C x[0] z[1]                                            (a coupling)

with A = 10 and C = 0.3; the Java test computes the same closed form and its gradient. Each run
calls optimizer.step(closure) STEPS times and stores, after every call, the parameters, the
loss the call returned (the loss at its starting point) and PyTorch's state counters n_iter and
func_evals. Everything is float64; floats are written with repr(), which round-trips exactly.
The test reads the committed JSON and needs no Python.
"""
import json
import sys

import torch

STEPS = 30
A, C = 10.0, 0.3
X0 = [-1.2, 1.0, -0.5, 0.8]
Z0 = [0.3, -0.4]

RUNS = [
    # name, LBFGS keyword arguments
    ("fixed_step", {"lr": 0.1, "max_iter": 1, "history_size": 5}),
    ("strong_wolfe", {"lr": 1.0, "max_iter": 1, "history_size": 5, "line_search_fn": "strong_wolfe"}),
    # (lr 0.1, max_iter 4, history 3 was dropped: it amplifies a 1e-14 change of x0 to 4e-7 within 30 calls,
    # so no float64 reimplementation with another summation order can follow it to 1e-10.)
    ("fixed_step_multi", {"lr": 0.08, "max_iter": 3, "history_size": 4}),
    # Several iterations per call. tolerance_grad = 1e-5 keeps the runs away from the noise floor near
    # the minimum, where iterates that differ by rounding wander apart by 1e-9 (measured by
    # perturbing x0 by 1e-14: these runs move by < 1e-13, the dropped ones by 2e-9).
    ("strong_wolfe_multi", {"lr": 1.0, "max_iter": 5, "max_eval": 9, "history_size": 5, "line_search_fn": "strong_wolfe",
                            "tolerance_grad": 1e-5}),
    # max_eval defaults to max_iter * 5 // 4 = 2: the evaluation budget ends each call after one iteration.
    ("strong_wolfe_eval_budget", {"lr": 1.0, "max_iter": 2, "history_size": 5, "line_search_fn": "strong_wolfe",
                                  "tolerance_grad": 1e-5}),
    ("strong_wolfe_defaults", {"line_search_fn": "strong_wolfe"}),
]


def loss_fn(x, z):
    chain = (A * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    wells = 0.25 * ((z ** 2 - 1) ** 2).sum()
    return chain + wells + C * x[0] * z[1]


def record(name, kwargs):
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(Z0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([x, z], **kwargs)

    def closure():
        opt.zero_grad()
        f = loss_fn(x, z)
        f.backward()
        return f

    steps = []
    for _ in range(STEPS):
        returned = float(opt.step(closure))
        st = opt.state[opt._params[0]]
        steps.append({
            "loss": returned,
            "x": [float(v) for v in x.detach()],
            "z": [float(v) for v in z.detach()],
            "n_iter": int(st.get("n_iter", 0)),
            "func_evals": int(st.get("func_evals", 0)),
        })
    return {"name": name, "options": kwargs, "steps": steps}


def main():
    if len(sys.argv) != 2:
        print("usage: record_torch_lbfgs_fixtures.py OUT.json", file=sys.stderr)
        sys.exit(2)
    out = {
        "torch_version": torch.__version__,
        "problem": {"A": A, "C": C, "x0": X0, "z0": Z0},
        "runs": [record(n, k) for n, k in RUNS],
    }
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
