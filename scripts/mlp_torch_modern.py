#!/usr/bin/python3
"""Reference trainer: ../shared/bench/mlp_torch.py (network, data, initial
weights, minibatch order, training loop and output format, imported from the
folder BENCH_DIR, default ../shared/bench beside the repository) with the
torch.optim optimizers that it lacks:

  nesterov  torch.optim.SGD(lr, momentum=0.9, nesterov=True)
  rmsprop   torch.optim.RMSprop(lr, alpha=0.99, eps=1e-7)
  adamw     torch.optim.AdamW(lr, eps=1e-8, weight_decay=0.01)
  amsgrad   torch.optim.AdamW(lr, eps=1e-8, weight_decay=0.01, amsgrad=True)
  nadam     torch.optim.NAdam(lr, eps=1e-8, momentum_decay=0.004)
  radam     torch.optim.RAdam(lr, eps=1e-8)

PyTorch has no Lion and no schedule-free optimizers (the latter live in a
separate package); those are not offered here. Its Nesterov is the classical
form, not the book's look-ahead form runner uses; the work per step is alike.
"""
import argparse
import os
import sys

BENCH = os.environ.get("BENCH_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench")
DEFAULT_LR = {"nesterov": 0.01, "rmsprop": 0.001, "adamw": 1e-3, "amsgrad": 1e-3, "nadam": 2e-3, "radam": 1e-3}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--optimizer", choices=sorted(DEFAULT_LR), default="adamw")
    p.add_argument("--lr", type=float, default=None, help="default: runner's (see DEFAULT_LR)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--threads", type=int, default=0,
                   help="torch.set_num_threads(N) and OPENBLAS_NUM_THREADS=N (0: leave both as is)")
    p.add_argument("--data", default=None, help="folder with the four MNIST .gz files")
    a = p.parse_args()
    if a.lr is None:
        a.lr = DEFAULT_LR[a.optimizer]
    a.blas_threads = 0  # mlp_torch.py's main reads it
    return a


args = parse_args()
if args.threads > 0:
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import torch  # noqa: E402  (after the thread setting on purpose)

sys.path.insert(0, BENCH)
_argv, sys.argv = sys.argv, sys.argv[:1]
import mlp_torch  # noqa: E402  (parses an empty command line at import: its defaults, replaced below)
sys.argv = _argv


def make_optimizer(name, params, lr):
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-7)
    if name in ("adamw", "amsgrad"):
        return torch.optim.AdamW(params, lr=lr, eps=1e-8, weight_decay=0.01, amsgrad=name == "amsgrad")
    if name == "nadam":
        return torch.optim.NAdam(params, lr=lr, eps=1e-8, momentum_decay=0.004)
    if name == "radam":
        return torch.optim.RAdam(params, lr=lr, eps=1e-8)
    raise ValueError(name)


# mlp_torch.main reads its settings and its optimizer from its module.
mlp_torch.args = args
mlp_torch.make_optimizer = make_optimizer

if __name__ == "__main__":
    mlp_torch.main()
