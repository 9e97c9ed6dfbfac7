#!/usr/bin/python3
"""PyTorch side of `descent bench scaling` (issue 18): the workloads whose size
peer_torch.py cannot vary.  Run with Debian's python3 (torch 1.13); Descent's
harness removes OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from this process's
environment, as it does for peer_torch.py.

  scaling_torch.py mlp-width  --width W [--repeats N] [--warmup N] [--seed S] [--threads 2]
  scaling_torch.py hvp-params --width W [--repeats N] [--warmup N] [--seed S] [--threads 2]

mlp-width: Adam steps (lr 1e-3, batch 128, cross-entropy) of the MLP
784 -> W -> W/2 -> 10 (ReLU) on one batch; hvp-params: gradient and
Hessian-vector product (double backward) of the same MLP, interleaved per
repetition.  Parameters: torch.manual_seed(seed), then nn.Linear's default
draws in layer order; batch: torch.rand(128, 784) and torch.randint(0, 10,
(128,)) from a generator seeded with seed + 1; the HVP's direction:
uniform_(-1, 1) per parameter from a generator seeded with seed + 2.  These are
exactly Descent's ScalingCurves (TorchGenerator), so init_loss agrees.

One JSON line per result ("record": "result", times in seconds) on stdout.
"""

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

BATCH = 128


def build(width, seed):
    torch.manual_seed(seed)
    dims = (784, width, max(1, width // 2), 10)
    layers = []
    for i in range(3):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def batch(seed):
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.rand(BATCH, 784, generator=g)
    y = torch.randint(0, 10, (BATCH,), generator=g)
    return x, y


def emit(workload, variant, args, times, **extra):
    rec = {"record": "result", "workload": workload, "variant": variant, "width": args.width,
           "median_s": statistics.median(times), "min_s": min(times), "repeats": len(times),
           "times_s": times, "torch_version": torch.__version__, "threads": torch.get_num_threads()}
    rec.update(extra)
    print(json.dumps(rec), flush=True)


def mlp_width(args):
    model = build(args.width, args.seed)
    x, y = batch(args.seed)
    with torch.no_grad():
        init_loss = F.cross_entropy(model(x), y).item()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    times = []
    for i in range(args.warmup + args.repeats):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt)
    emit("mlp-width", "adam-step", args, times, init_loss=init_loss,
         trainable_params=sum(p.numel() for p in model.parameters()))


def hvp_params(args):
    model = build(args.width, args.seed)
    x, y = batch(args.seed)
    params = list(model.parameters())
    g = torch.Generator().manual_seed(args.seed + 2)
    v = [torch.empty(p.shape).uniform_(-1, 1, generator=g) for p in params]

    def grad():
        for p in params:
            p.grad = None
        F.cross_entropy(model(x), y).backward()

    def hvp():
        loss = F.cross_entropy(model(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        dot = sum((gi * vi).sum() for gi, vi in zip(grads, v))
        return torch.autograd.grad(dot, params)

    tg, th = [], []
    for i in range(args.warmup + args.repeats):
        t0 = time.perf_counter()
        grad()
        t1 = time.perf_counter()
        hvp()
        t2 = time.perf_counter()
        if i >= args.warmup:
            tg.append(t1 - t0)
            th.append(t2 - t1)
    n = sum(p.numel() for p in params)
    emit("hvp-params", "grad", args, tg, trainable_params=n)
    emit("hvp-params", "hvp(double-backward)", args, th, trainable_params=n,
         hvp_over_grad=statistics.median(th) / statistics.median(tg))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", choices=["mlp-width", "hvp-params"])
    ap.add_argument("--width", type=int, required=True)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    if args.width < 2 or args.repeats < 1 or args.warmup < 0:
        ap.error("need --width >= 2, --repeats >= 1, --warmup >= 0")
    torch.set_num_threads(args.threads)
    try:
        import ctypes
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(args.threads)
    except (OSError, AttributeError):
        pass
    {"mlp-width": mlp_width, "hvp-params": hvp_params}[args.workload](args)


if __name__ == "__main__":
    sys.exit(main())
