#!/usr/bin/python3
"""Reference trainer: the optimizers that ../shared/bench/mlp_numpy.py lacks,
in plain numpy, on its network, data and minibatch order.

Network, data, initial weights, minibatch order, timing and output format are
mlp_numpy.py's (its MLP class and its training loop, imported from the
folder BENCH_DIR, default ../shared/bench beside the repository): 784-100×4-10,
ReLU, He init, softmax cross-entropy, batch 100, all 60,000 images. Only the
optimizers are new; each follows the formula of its type's doc comment in
internal/optim (PyTorch's documented algorithms, the Lion paper's, and the
schedule-free reference implementation's), with the scalar work done once per
step:

  nesterov  the book's form: W += a² v − (1+a) lr g; v = a v − lr g (a 0.9)
  rmsprop   h = r h + (1−r) g²; W −= lr g / (√h + eps) (r 0.99, eps 1e-7)
  adamw     W *= 1 − lr λ; Adam's m, v; W −= lr m̂ / (√v̂ + eps)
            (β 0.9, 0.999, eps 1e-8, λ 0.01)
  amsgrad   adamw with the running maximum of v in the denominator
  nadam     PyTorch's NAdam, momentum schedule μ_t, ψ 0.004 (eps 1e-8)
  radam     PyTorch's RAdam: plain bias-corrected momentum while ρ_t ≤ 5
  lion      c = β1 m + (1−β1) g; W *= 1 − lr λ; W −= lr sign(c);
            m = β2 m + (1−β2) g (β 0.9, 0.99, λ 0)
  sf_sgd    schedule-free SGD (β 0.9, λ 0): the weights hold y, z is kept,
            x = the evaluation point is set only around the accuracy passes
  sf_adamw  schedule-free AdamW (β 0.9, 0.999, eps 1e-8, λ 0)

Output as mlp_numpy.py's: one line per epoch, key=value (train_s is the
training loop only; the schedule-free moves to x and back are in eval_s).
"""
import argparse
import math
import os
import sys
import time

BENCH = os.environ.get("BENCH_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench")
DEFAULT_LR = {"nesterov": 0.01, "rmsprop": 0.001, "adamw": 1e-3, "amsgrad": 1e-3, "nadam": 2e-3,
              "radam": 1e-3, "lion": 1e-4, "sf_sgd": 1.0, "sf_adamw": 2.5e-3}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--optimizer", choices=sorted(DEFAULT_LR), default="adamw")
    p.add_argument("--lr", type=float, default=None, help="default: runner's (see DEFAULT_LR)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--threads", type=int, default=0, help="sets OPENBLAS_NUM_THREADS before numpy loads (0: leave as is)")
    p.add_argument("--data", default=None, help="folder with the four MNIST .gz files")
    a = p.parse_args()
    if a.lr is None:
        a.lr = DEFAULT_LR[a.optimizer]
    return a


args = parse_args()
if args.threads > 0:
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread setting on purpose)

sys.path.insert(0, BENCH)
_argv, sys.argv = sys.argv, sys.argv[:1]
import mlp_numpy  # noqa: E402  (parses an empty command line at import: its defaults, unused here)
sys.argv = _argv
import mnist_idx  # noqa: E402


def zeros(params):
    return [np.zeros_like(p) for p in params]


class Nesterov:
    def __init__(self, lr, momentum=0.9):
        self.lr, self.a, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = zeros(params)
        a2, c = self.a * self.a, (1.0 + self.a) * self.lr
        for p, g, v in zip(params, grads, self.v):
            p += a2 * v
            p -= c * g
            v *= self.a
            v -= self.lr * g


class RMSprop:
    def __init__(self, lr, decay_rate=0.99, eps=1e-7):
        self.lr, self.rho, self.eps, self.h = lr, decay_rate, eps, None

    def update(self, params, grads):
        if self.h is None:
            self.h = zeros(params)
        for p, g, h in zip(params, grads, self.h):
            h *= self.rho
            h += (1.0 - self.rho) * g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)


class AdamW:
    """PyTorch's AdamW (amsgrad=False) or its AMSGrad variant (amsgrad=True)."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False):
        self.lr, self.b1, self.b2, self.eps, self.wd, self.amsgrad = lr, beta1, beta2, eps, weight_decay, amsgrad
        self.t, self.m, self.v, self.vmax = 0, None, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = zeros(params), zeros(params)
            self.vmax = zeros(params) if self.amsgrad else self.v
        self.t += 1
        bc1, bc2 = 1.0 - self.b1 ** self.t, math.sqrt(1.0 - self.b2 ** self.t)
        step, eps = self.lr / bc1, self.eps * bc2  # m̂/(√v̂+ε) = m/bc1 · bc2/(√v + ε bc2)
        for p, g, m, v, vmax in zip(params, grads, self.m, self.v, self.vmax):
            p *= 1.0 - self.lr * self.wd
            m += (1.0 - self.b1) * (g - m)
            v += (1.0 - self.b2) * (g * g - v)
            if self.amsgrad:
                np.maximum(vmax, v, out=vmax)
            p -= (step * bc2) * m / (np.sqrt(vmax) + eps)


class NAdam:
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=4e-3):
        self.lr, self.b1, self.b2, self.eps, self.psi = lr, beta1, beta2, eps, momentum_decay
        self.t, self.mu_product, self.m, self.v = 0, 1.0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = zeros(params), zeros(params)
        self.t += 1
        mu = self.b1 * (1.0 - 0.5 * 0.96 ** (self.t * self.psi))
        mu_next = self.b1 * (1.0 - 0.5 * 0.96 ** ((self.t + 1) * self.psi))
        self.mu_product *= mu
        bc2 = math.sqrt(1.0 - self.b2 ** self.t)
        a = self.lr * (1.0 - mu) / (1.0 - self.mu_product) * bc2
        b = self.lr * mu_next / (1.0 - self.mu_product * mu_next) * bc2
        eps = self.eps * bc2
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1.0 - self.b1) * (g - m)
            v += (1.0 - self.b2) * (g * g - v)
            p -= (a * g + b * m) / (np.sqrt(v) + eps)


class RAdam:
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = zeros(params), zeros(params)
        self.t += 1
        bc1, bc2 = 1.0 - self.b1 ** self.t, 1.0 - self.b2 ** self.t
        rho_inf = 2.0 / (1.0 - self.b2) - 1.0
        rho_t = rho_inf - 2.0 * self.t * self.b2 ** self.t / bc2
        rect = None
        if rho_t > 5:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1.0 - self.b1) * (g - m)
            v += (1.0 - self.b2) * (g * g - v)
            if rect is None:
                p -= (self.lr / bc1) * m
            else:
                p -= (self.lr * rect * math.sqrt(bc2) / bc1) * m / (np.sqrt(v) + self.eps)


class Lion:
    def __init__(self, lr, beta1=0.9, beta2=0.99, weight_decay=0.0):
        self.lr, self.b1, self.b2, self.wd, self.m = lr, beta1, beta2, weight_decay, None

    def update(self, params, grads):
        if self.m is None:
            self.m = zeros(params)
        for p, g, m in zip(params, grads, self.m):
            c = self.b1 * m + (1.0 - self.b1) * g
            if self.wd:
                p *= 1.0 - self.lr * self.wd
            p -= self.lr * np.sign(c)
            m *= self.b2
            m += (1.0 - self.b2) * g


class ScheduleFree:
    """The state of both schedule-free methods: z, the averaging weights, and
    the moves between the training point y (held by the weights) and the
    evaluation point x = y + (1 − 1/β)(z − y)."""

    def __init__(self, beta):
        self.beta, self.z, self.lr_max, self.weight_sum, self.params = beta, None, 0.0, 0.0, None

    def begin(self, params, gamma):
        if self.z is None:
            self.z, self.params = [p.copy() for p in params], params
        self.lr_max = max(self.lr_max, gamma)
        weight = self.lr_max ** 2
        self.weight_sum += weight
        return weight / self.weight_sum if self.weight_sum else 0.0

    def step(self, params, d, gamma, c):
        """y ← y + c (z − y) + γ (β (1−c) − 1) d;  z ← z − γ d, d per parameter."""
        a = gamma * (self.beta * (1.0 - c) - 1.0)
        for p, z, dk in zip(params, self.z, d):
            p += c * (z - p)
            p += a * dk
            z -= gamma * dk

    def lerp(self, c):
        for p, z in zip(self.params or [], self.z or []):
            p += c * (z - p)

    def eval(self):
        self.lerp(1.0 - 1.0 / self.beta)

    def train(self):
        self.lerp(1.0 - self.beta)


class SFSGD(ScheduleFree):
    def __init__(self, lr, momentum=0.9, weight_decay=0.0):
        super().__init__(momentum)
        self.lr, self.wd = lr, weight_decay

    def update(self, params, grads):
        c = self.begin(params, self.lr)
        d = [g + self.wd * p for p, g in zip(params, grads)] if self.wd else grads
        self.step(params, d, self.lr, c)


class SFAdamW(ScheduleFree):
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(beta1)
        self.lr, self.b2, self.eps, self.wd = lr, beta2, eps, weight_decay
        self.t, self.v = 0, None

    def update(self, params, grads):
        if self.v is None:
            self.v = zeros(params)
        gamma = self.lr * math.sqrt(1.0 - self.b2 ** (self.t + 1))
        c = self.begin(params, gamma)
        self.t += 1
        d = []
        for p, g, v in zip(params, grads, self.v):
            v *= self.b2
            v += (1.0 - self.b2) * g * g
            dk = g / (np.sqrt(v) + self.eps)
            if self.wd:
                dk += self.wd * p
            d.append(dk)
        self.step(params, d, gamma, c)


OPTIMIZERS = {"nesterov": Nesterov, "rmsprop": RMSprop, "adamw": AdamW,
              "amsgrad": lambda lr: AdamW(lr, amsgrad=True), "nadam": NAdam, "radam": RAdam,
              "lion": Lion, "sf_sgd": SFSGD, "sf_adamw": SFAdamW}


def main():
    dtype = np.dtype(args.dtype)
    x_train, t_train, x_test, t_test = mnist_idx.load(args.data)
    x_train, x_test = x_train.astype(dtype), x_test.astype(dtype)
    rs = np.random.RandomState(args.seed)
    net = mlp_numpy.MLP(rs, dtype)
    opt = OPTIMIZERS[args.optimizer](args.lr)
    blas = mnist_idx.blas_info() or {}
    print(f"# impl=numpy optimizer={args.optimizer} lr={args.lr:g} epochs={args.epochs} batch={args.batch} "
          f"seed={args.seed} dtype={args.dtype} numpy={np.__version__} "
          f"blas_core={blas.get('core')} blas_threads={blas.get('threads')} "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}", flush=True)
    n = x_train.shape[0]
    times = []
    for epoch in range(1, args.epochs + 1):
        perm = rs.permutation(n)
        loss_sum, batches = 0.0, 0
        t0 = time.perf_counter()
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            loss, grads = net.loss_and_grads(x_train[idx], t_train[idx])
            opt.update(net.params, grads)
            loss_sum += float(loss)
            batches += 1
        train_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        if isinstance(opt, ScheduleFree):
            opt.eval()
        train_acc = net.accuracy(x_train, t_train)
        test_acc = net.accuracy(x_test, t_test)
        if isinstance(opt, ScheduleFree):
            opt.train()
        eval_s = time.perf_counter() - t1
        times.append(train_s)
        print(f"epoch={epoch} train_loss={loss_sum / batches:.6f} train_acc={train_acc:.4f} "
              f"test_acc={test_acc:.4f} train_s={train_s:.3f} img_per_s={n / train_s:.0f} "
              f"eval_s={eval_s:.3f}", flush=True)
    print(f"# median_train_s={float(np.median(times)):.3f}")


if __name__ == "__main__":
    main()
