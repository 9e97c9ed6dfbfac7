#!/usr/bin/python3
"""Records PyTorch optimiser trajectories for Descent's optimiser tests.

Run with Debian's python3 and torch (apt-get install -y python3-torch python3-numpy):

    /usr/bin/python3 scripts/record_torch_optim_fixtures.py \
        descent-core/src/test/resources/optim/torch_optim_trajectories.json

The fixed problem is reproducible from the fixture alone: the data x, y and the initial
parameters w, b are stored, and the loss is the closed form

    L(w, b) = mean((tanh(x @ w + b) - y) ** 2)

which the Java test computes with Descent's autodiff. Each run stores, for steps 1..50, the
gradient PyTorch computed at the parameters before the step, the loss there, and the parameters
after the step. Everything is float64 (torch.float64); floats are written with repr(), which
round-trips exactly. CI reads the committed JSON and needs no Python.
"""
import json
import sys

import numpy as np
import torch

STEPS = 50


def problem():
    rng = np.random.default_rng(20240501)
    x = rng.normal(size=(8, 3))
    y = rng.uniform(-0.8, 0.8, size=(8, 4))
    w = rng.normal(scale=0.7, size=(3, 4))
    b = rng.normal(scale=0.1, size=(4,))
    return x, y, w, b


def loss_fn(x, y, w, b):
    return ((torch.tanh(x @ w + b) - y) ** 2).mean()


def tensor_json(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


RUNS = [
    ("sgd_momentum", {"optimizer": "SGD", "lr": 0.1, "momentum": 0.9}),
    ("sgd_nesterov_weight_decay", {"optimizer": "SGD", "lr": 0.05, "momentum": 0.9, "nesterov": True,
                                   "weight_decay": 0.01}),
    ("adam", {"optimizer": "Adam", "lr": 0.01}),
    ("adam_weight_decay", {"optimizer": "Adam", "lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6,
                           "weight_decay": 0.05}),
    ("adamw_bias_excluded", {"optimizer": "AdamW", "lr": 0.01, "weight_decay": 0.1,
                             "no_decay": ["b"]}),
    ("rmsprop", {"optimizer": "RMSprop", "lr": 0.01}),
    ("rmsprop_centered_momentum", {"optimizer": "RMSprop", "lr": 0.005, "alpha": 0.9, "eps": 1e-6,
                                   "momentum": 0.5, "centered": True}),
    ("sgd_momentum_clip_grad_norm", {"optimizer": "SGD", "lr": 0.2, "momentum": 0.5,
                                     "clip_grad_norm": 0.25}),
]


def make_optimizer(cfg, w, b):
    name = cfg["optimizer"]
    kwargs = {k: v for k, v in cfg.items() if k not in ("optimizer", "no_decay", "clip_grad_norm")}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    cls = getattr(torch.optim, name)
    if "no_decay" in cfg:
        wd = kwargs.pop("weight_decay")
        named = {"w": w, "b": b}
        groups = [
            {"params": [named[n] for n in ("w", "b") if n not in cfg["no_decay"]], "weight_decay": wd},
            {"params": [named[n] for n in ("w", "b") if n in cfg["no_decay"]], "weight_decay": 0.0},
        ]
        return cls(groups, **kwargs)
    return cls([w, b], **kwargs)


def run(cfg, x, y, w0, b0):
    x = torch.tensor(x, dtype=torch.float64)
    y = torch.tensor(y, dtype=torch.float64)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(cfg, w, b)
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(x, y, w, b)
        loss.backward()
        record = {"loss": float(loss.item()),
                  "grad": {"w": tensor_json(w.grad.detach().numpy()), "b": tensor_json(b.grad.detach().numpy())}}
        if "clip_grad_norm" in cfg:
            norm = torch.nn.utils.clip_grad_norm_([w, b], cfg["clip_grad_norm"])
            record["pre_clip_norm"] = float(norm.item())
        opt.step()
        record["params"] = {"w": tensor_json(w.detach().numpy()), "b": tensor_json(b.detach().numpy())}
        steps.append(record)
    return steps


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "torch_optim_trajectories.json"
    torch.set_default_dtype(torch.float64)
    x, y, w0, b0 = problem()
    doc = {
        "generator": "scripts/record_torch_optim_fixtures.py",
        "torch_version": torch.__version__,
        "loss": "mean((tanh(x @ w + b) - y) ** 2)",
        "x": tensor_json(x), "y": tensor_json(y),
        "initial": {"w": tensor_json(w0), "b": tensor_json(b0)},
        "runs": [{"name": name, "config": cfg, "steps": run(cfg, x, y, w0, b0)} for name, cfg in RUNS],
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
