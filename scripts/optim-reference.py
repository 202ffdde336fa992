#!/usr/bin/python3
"""Reference trajectories for the optimizers of internal/optim that came after
the book (AdamW, AMSGrad, NAdam, RAdam, Lion, schedule-free SGD and AdamW).

Writes internal/optim/testdata/reference.json, which TestOptimizer_MatchesReference
reads, so the Go test suite needs no Python. Regenerate from the repository root
with the system Python and PyTorch (Debian: apt-get install python3-torch):

    /usr/bin/python3 scripts/optim-reference.py

The problem: two parameter tensors (3x4 and 5 elements) drawn from a seeded
normal, and the quadratic loss f(x) = sum 1/2 c (x - x*)^2 with c in [0.5, 2]
and x* normal, so the gradient c (x - x*) depends on where the optimizer has
taken the parameters and a wrong step changes every later one. Each case runs
50 steps in float64 from the same start, with a per-step learning rate (for the
schedule-free methods a 10-step linear warm-up, passed to the optimizer as the
Go trainer passes the schedule's rate), and records the parameters after every
step; the schedule-free cases also record the evaluation point x at a few steps.

Where the values come from:
  * AdamW, AMSGrad, NAdam, RAdam: torch.optim.AdamW (amsgrad=True for AMSGrad),
    torch.optim.NAdam, torch.optim.RAdam, run with foreach=False. The NAdam of
    PyTorch < 2.0 multiplies mu_product_next by mu once too often (fixed in
    pytorch/pytorch#92699, against its own documented algorithm); with such a
    version this script runs PyTorch's own single-tensor NAdam with that one
    line fixed, and says so in the JSON ("source").
  * Lion: PyTorch has none. Written below in plain torch from Algorithm 2 of
    Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms".
  * Schedule-free SGD and AdamW: PyTorch has none. Written below in plain torch
    after SGDScheduleFreeReference and AdamWScheduleFreeReference of
    github.com/facebookresearch/schedule_free (the "reference" versions, which
    keep x, y and z explicitly, unlike the Go code, which keeps only y and z),
    with warmup_steps 0 (the warm-up is in the lr sequence), r 0 and
    weight_lr_power 2.
"""

import inspect
import json
import math
import os
import sys

import torch

STEPS = 50
SHAPES = [(3, 4), (5,)]

torch.set_default_dtype(torch.float64)


def problem():
    gen = torch.Generator().manual_seed(20240615)
    c = [0.5 + 1.5 * torch.rand(s, generator=gen) for s in SHAPES]
    target = [torch.randn(s, generator=gen) for s in SHAPES]
    x0 = [torch.randn(s, generator=gen) for s in SHAPES]
    return c, target, x0


def grads_at(params, c, target):
    """The gradient of the quadratic, by autograd."""
    ps = [p.detach().clone().requires_grad_(True) for p in params]
    loss = sum((0.5 * ci * (p - ti) ** 2).sum() for p, ci, ti in zip(ps, c, target))
    loss.backward()
    return [p.grad.detach() for p in ps]


def fixed_nadam():
    """torch.optim.NAdam, with PyTorch < 2.0's mu_product_next fixed."""
    import torch.optim.nadam as nadam
    major = int(torch.__version__.split(".")[0])
    if major >= 2:
        return torch.optim.NAdam, "torch.optim.NAdam"
    src = inspect.getsource(nadam._single_tensor_nadam)
    bug = "mu_product_next = mu_product * mu * mu_next"
    if bug not in src:
        sys.exit("optim-reference: torch %s: NAdam source not as expected" % torch.__version__)
    ns = dict(vars(nadam))
    exec(src.replace(bug, "mu_product_next = mu_product * mu_next"), ns)
    nadam._single_tensor_nadam = ns["_single_tensor_nadam"]
    return torch.optim.NAdam, ("torch.optim.NAdam of torch %s with the fix of pytorch/pytorch#92699 "
                               "(mu_product_next = mu_product * mu_next)" % torch.__version__)


def run_torch(cls, kwargs, lrs, c, target, x0):
    params = [x.clone().requires_grad_(True) for x in x0]
    opt = cls(params, lr=lrs[0], foreach=False, **kwargs)
    traj = []
    for lr in lrs:
        for g in opt.param_groups:
            g["lr"] = lr
        for p, g in zip(params, grads_at(params, c, target)):
            p.grad = g
        opt.step()
        traj.append([p.detach().clone() for p in params])
    return traj, {}


def run_lion(kwargs, lrs, c, target, x0):
    """Lion, Algorithm 2 of Chen et al. 2023."""
    b1, b2, wd = kwargs["Beta1"], kwargs["Beta2"], kwargs["WeightDecay"]
    theta = [x.clone() for x in x0]
    m = [torch.zeros_like(x) for x in x0]
    traj = []
    for lr in lrs:
        g = grads_at(theta, c, target)
        for i in range(len(theta)):
            update = b1 * m[i] + (1 - b1) * g[i]
            theta[i] = theta[i] - lr * (torch.sign(update) + wd * theta[i])
            m[i] = b2 * m[i] + (1 - b2) * g[i]
        traj.append([t.clone() for t in theta])
    return traj, {}


def run_schedule_free(adam, kwargs, lrs, c, target, x0, eval_at):
    """SGDScheduleFreeReference / AdamWScheduleFreeReference, x, y, z explicit."""
    beta = kwargs["Beta1"] if adam else kwargs["Momentum"]
    decay = kwargs["WeightDecay"]
    x = [p.clone() for p in x0]
    y = [p.clone() for p in x0]
    z = [p.clone() for p in x0]
    v = [torch.zeros_like(p) for p in x0]
    lr_max, weight_sum = -1.0, 0.0
    traj, evals = [], {}
    for k, lr in enumerate(lrs):
        if adam:
            lr = lr * math.sqrt(1 - kwargs["Beta2"] ** (k + 1))
        lr_max = max(lr, lr_max)
        weight = lr_max ** 2
        weight_sum += weight
        ckp1 = weight / weight_sum if weight_sum != 0 else 0
        g = grads_at(y, c, target)
        for i in range(len(y)):
            if adam:
                if decay != 0:
                    z[i] -= lr * decay * y[i]
                v[i] = v[i] * kwargs["Beta2"] + (1 - kwargs["Beta2"]) * g[i] * g[i]
                z[i] -= lr * g[i] / (v[i].sqrt() + kwargs["Eps"])
            else:
                gi = g[i] + decay * y[i] if decay != 0 else g[i]
                z[i] -= lr * gi
            x[i] = x[i] * (1 - ckp1) + ckp1 * z[i]
            y[i] = x[i] * beta + (1 - beta) * z[i]
        traj.append([p.clone() for p in y])
        if k + 1 in eval_at:
            evals[str(k + 1)] = [p.clone() for p in x]
    return traj, evals


def lists(ts):
    return [t.reshape(-1).tolist() for t in ts]


def main():
    c, target, x0 = problem()
    nadam_cls, nadam_source = fixed_nadam()
    const = lambda lr: [lr] * STEPS
    warm = lambda lr: [lr * min(1.0, (k + 1) / 10) for k in range(STEPS)]
    eval_at = [1, 10, 25, 50]
    cases = []

    def add(name, optimizer, fields, lrs, source, run):
        traj, evals = run(lrs)
        case = {"name": name, "optimizer": optimizer, "fields": fields, "lrs": lrs,
                "source": source, "params": [lists(t) for t in traj]}
        if evals:
            case["eval"] = {k: lists(v) for k, v in evals.items()}
        cases.append(case)

    def torch_case(name, optimizer, fields, kwargs, cls, lr, source):
        add(name, optimizer, fields, const(lr), source,
            lambda lrs: run_torch(cls, kwargs, lrs, c, target, x0))

    for wd, ams in [(1e-2, False), (0.0, False), (0.1, True)]:
        name = "AMSGrad" if ams else "AdamW"
        torch_case("%s wd=%g" % (name, wd), "AdamW",
                   {"Beta1": 0.9, "Beta2": 0.999, "Eps": 1e-8, "WeightDecay": wd, "AMSGrad": ams},
                   {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": wd, "amsgrad": ams},
                   torch.optim.AdamW, 0.05, "torch.optim.AdamW")
    torch_case("NAdam", "NAdam", {"Beta1": 0.9, "Beta2": 0.999, "Eps": 1e-8, "MomentumDecay": 0.004},
               {"betas": (0.9, 0.999), "eps": 1e-8, "momentum_decay": 0.004}, nadam_cls, 0.05, nadam_source)
    torch_case("NAdam beta1=0.95", "NAdam", {"Beta1": 0.95, "Beta2": 0.99, "Eps": 1e-8, "MomentumDecay": 0.01},
               {"betas": (0.95, 0.99), "eps": 1e-8, "momentum_decay": 0.01}, nadam_cls, 0.05, nadam_source)
    torch_case("RAdam", "RAdam", {"Beta1": 0.9, "Beta2": 0.999, "Eps": 1e-8},
               {"betas": (0.9, 0.999), "eps": 1e-8}, torch.optim.RAdam, 0.05, "torch.optim.RAdam")
    torch_case("RAdam beta2=0.99", "RAdam", {"Beta1": 0.8, "Beta2": 0.99, "Eps": 1e-8},
               {"betas": (0.8, 0.99), "eps": 1e-8}, torch.optim.RAdam, 0.05, "torch.optim.RAdam")
    for wd in [0.0, 0.5]:
        fields = {"Beta1": 0.9, "Beta2": 0.99, "WeightDecay": wd}
        add("Lion wd=%g" % wd, "Lion", fields, const(0.01),
            "plain torch after Algorithm 2 of Chen et al. 2023 (PyTorch has no Lion)",
            lambda lrs: run_lion(fields, lrs, c, target, x0))
    sf_source = ("plain torch after %s of facebookresearch/schedule_free "
                 "(PyTorch has none), warm-up in the lr sequence")
    for wd in [0.0, 0.05]:
        fields = {"Momentum": 0.9, "WeightDecay": wd}
        add("ScheduleFreeSGD wd=%g" % wd, "ScheduleFreeSGD", fields, warm(0.2),
            sf_source % "SGDScheduleFreeReference",
            lambda lrs: run_schedule_free(False, fields, lrs, c, target, x0, eval_at))
        fields_a = {"Beta1": 0.9, "Beta2": 0.999, "Eps": 1e-8, "WeightDecay": wd}
        add("ScheduleFreeAdamW wd=%g" % wd, "ScheduleFreeAdamW", fields_a, warm(0.05),
            sf_source % "AdamWScheduleFreeReference",
            lambda lrs: run_schedule_free(True, fields_a, lrs, c, target, x0, eval_at))

    out = {
        "generator": "scripts/optim-reference.py",
        "torch": torch.__version__,
        "loss": "sum 1/2 c (x - target)^2 over every element; gradient c (x - target)",
        "c": lists(c), "target": lists(target), "x0": lists(x0),
        "shapes": [list(s) for s in SHAPES],
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "internal", "optim", "testdata",
                        "reference.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote %s: %d cases of %d steps (torch %s)" % (os.path.normpath(path), len(cases), STEPS, torch.__version__))


if __name__ == "__main__":
    main()
