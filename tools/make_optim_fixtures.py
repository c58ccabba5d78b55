#!/usr/bin/python3
"""Fixtures pinning rnnlab's optimizers and gradient clipping to torch.optim / torch.nn.utils.

Run with Debian's torch from the repository root:  /usr/bin/python3 tools/make_optim_fixtures.py
Writes rnnlab-core/src/test/resources/org/rnnlab/train/optim_<case>.npz, each holding (float32, parameters flattened in order
of a (3, 4) weight then a (5,) bias, which rnnlab's flat arena stores the same way):
  w0     (P)     the starting parameters
  grads  (S, P)  the gradient given at each of S steps (before clipping)
  w      (S, P)  the parameters after each step
and for the clipping cases `norms` (S) the total norm clip_grad_norm_ returned.
"""
import os
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources", "org", "rnnlab", "train")
STEPS = 6

CASES = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.005),
    "adam_wd_amsgrad": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, amsgrad=True),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.01),
    "adagrad_options": lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.1, weight_decay=0.01, initial_accumulator_value=0.1),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
    "rmsprop_centered_momentum": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, weight_decay=0.01, momentum=0.5, centered=True),
    "adam_clip_norm": lambda p: torch.optim.Adam(p, lr=0.005),
    "sgd_clip_value": lambda p: torch.optim.SGD(p, lr=0.1),
}


def run(name, make):
    torch.manual_seed(sum(map(ord, name)))
    params = [torch.nn.Parameter(torch.randn(3, 4)), torch.nn.Parameter(torch.randn(5))]
    opt = make(params)
    w0 = torch.cat([p.detach().flatten() for p in params]).numpy().copy()
    grads, after, norms = [], [], []
    for step in range(STEPS):
        opt.zero_grad()
        for p in params:
            p.grad = torch.randn_like(p) * (3.0 if step % 2 else 0.5)
        grads.append(torch.cat([p.grad.flatten() for p in params]).numpy().copy())
        if name.endswith("clip_norm"):
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, 1.0)))
        if name.endswith("clip_value"):
            torch.nn.utils.clip_grad_value_(params, 0.7)
        opt.step()
        after.append(torch.cat([p.detach().flatten() for p in params]).numpy().copy())
    arrays = dict(w0=w0, grads=np.stack(grads), w=np.stack(after))
    if norms:
        arrays["norms"] = np.array(norms, dtype=np.float32)
    np.savez(os.path.join(OUT, f"optim_{name}.npz"), **arrays)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for name, make in CASES.items():
        run(name, make)
    print(f"{len(CASES)} optimizer fixtures written to {os.path.normpath(OUT)} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
