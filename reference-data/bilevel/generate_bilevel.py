#!/usr/bin/python3
"""PyTorch reference for BLADES' bi-level pretraining loop (org.blades.bilevel / org.blades.pretrain; the paper's
Eqs. 11-19, the authors' loop as ORIGINAL-CODE-FACTS.md describes it).

Run from the project root with Debian's interpreter (PyTorch 1.13 CPU):

    /usr/bin/python3 reference-data/bilevel/generate_bilevel.py           # write bilevel.safetensors, self-check
    /usr/bin/python3 reference-data/bilevel/generate_bilevel.py --check   # regenerate in memory, compare bytes

Ten iterations of a small BLADES-like model, from stored weights and stored batches, written DARTS-style
(architect.py) with torch.autograd.grad and torch.optim:

    theta' = theta - alpha (grad_theta sum_i lambda_i l_i(theta; B_tr) + wd theta)    Eq. 11, plain SGD
    v      = grad_theta' l_1(theta'; B_val),  l_1 = sum_i w_i l_i                       Eq. 15
    eps    = fd_scale / ||v||,  theta+- = theta +- eps v                               Eq. 19
    hyper  = -alpha (F(theta+) - F(theta-)) / (2 eps),  F = the task losses on B_tr    Eqs. 16-18
    lambda <- Adam(lambda, hyper)   (tasks outside the pretext set: hyper 0, lambda stays 0)   Eq. 12
    theta  <- AdamW(theta, grad_theta sum_i lambda_i l_i(theta; B_tr)), lr alpha       Eq. 13
    alpha  = CosineAnnealingLR(T_max = epochs), stepped after every epoch of BATCHES_PER_EPOCH iterations

theta is restored from saved copies (never by add and subtract). The task losses are the independent PyTorch
versions of reference-data/tasks/generate_tasks.py (imported, not re-derived).

The model, on random "image features" x (B, DIN) and fixed "prompt features" P (50, DT):

    img    = img2(tanh(img1(x)))                        (B, E)   img1: Linear(DIN, H), img2: Linear(H, E)
    txt    = txt(P)                                     (50, E)  txt: Linear(DT, E), trained like the text tower
    logits = exp(logit_scale) normalize(img) normalize(txt)^T   (B, 50)   Eq. 2

Tensors (S = STEPS iterations, B = BATCH, K = 11 tasks in lambda order):
    init.<param>                    the starting weights, float64 holding float32 values (both runs start there)
    prompt_features                 (50, DT) P
    batches.<stream>.x              (S, B, DIN) float64 holding float32 values; stream = inner | outer
    batches.<stream>.<label>        (S, B) or (S, B, 3): the labels of generate_tasks.py's Case.labels, per step
    <run>.trace.<q>                 per step: losses (S, K) F(theta) on the inner batch before the update;
                                    outer_loss (S) l_1(theta'); lambda (S, K) after the Adam step; hypergradient
                                    (S, K) as applied; v_norm, epsilon, lr, weighted_loss (S)
    <run>.final.<param>             the weights after S iterations, in the run's dtype
Run options are JSON in __metadata__[<run>].
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "bilevel.safetensors")
sys.path.insert(0, os.path.dirname(HERE))  # st_writer.py, the shared safetensors writer, is in reference-data/
sys.path.insert(0, os.path.join(HERE, "..", "tasks"))
import generate_tasks as tasks  # noqa: E402  (the task losses of Eqs. 3-10 and their label generator)
import st_writer  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

STEPS = 10
BATCH = 8
BATCHES_PER_EPOCH = 3
EPOCHS = 4  # T_max; the 10 iterations fall in epochs 0, 0, 0, 1, 1, 1, 2, 2, 2, 3
DIN, H, E, DT = 12, 16, 8, 10
PARAMS = ["img1.weight", "img1.bias", "img2.weight", "img2.bias", "txt.weight", "txt.bias", "logit_scale"]
TASKS = tasks.LAMBDA_ORDER

RUNS = {
    # all eleven tasks, coarse primary, the paper's losses (gamma 2, ranking, Phi(D/sqrt2))
    "paper_f64": dict(dtype="float64", tasks=TASKS, primary="coarse", gamma=2.0, ordinal="ranking"),
    "paper_f32": dict(dtype="float32", tasks=TASKS, primary="coarse", gamma=2.0, ordinal="ranking"),
    # Table 7 ablations at once: a task subset, equal-weight upper level, focal off, per-level classification
    "ablation_f64": dict(dtype="float64", tasks=["ISO", "MAKE", "METERING_MODE", "COARSE"], primary="equal",
                         gamma=0.0, ordinal="level_classification"),
}
INNER_LR, WEIGHT_DECAY, OUTER_LR, FD_SCALE = 1e-2, 1e-3, 1e-2, 0.01


class TinyBlades(torch.nn.Module):
    def __init__(self, dtype):
        super().__init__()
        self.img1 = torch.nn.Linear(DIN, H, dtype=dtype)
        self.img2 = torch.nn.Linear(H, E, dtype=dtype)
        self.txt = torch.nn.Linear(DT, E, dtype=dtype)
        self.logit_scale = torch.nn.Parameter(torch.zeros((), dtype=dtype))

    def theta(self):
        named = dict(self.named_parameters())
        return [named[k] for k in PARAMS]

    def logits(self, x, prompts):
        img = self.img2(torch.tanh(self.img1(x)))
        txt = self.txt(prompts)
        return self.logit_scale.exp() * (F.normalize(img, dim=1) @ F.normalize(txt, dim=1).t())


def float32_values(t):
    """float64 tensors whose values are float32 numbers, so both runs read the same inputs."""
    return t.to(torch.float32).to(torch.float64)


def make_inputs():
    gen = torch.Generator().manual_seed(20250)
    init = {
        "img1.weight": torch.rand(H, DIN, generator=gen, dtype=torch.float64) * 2 - 1,
        "img1.bias": (torch.rand(H, generator=gen, dtype=torch.float64) * 2 - 1) * 0.1,
        "img2.weight": (torch.rand(E, H, generator=gen, dtype=torch.float64) * 2 - 1) / math.sqrt(H),
        "img2.bias": (torch.rand(E, generator=gen, dtype=torch.float64) * 2 - 1) * 0.1,
        "txt.weight": (torch.rand(E, DT, generator=gen, dtype=torch.float64) * 2 - 1) / math.sqrt(DT),
        "txt.bias": (torch.rand(E, generator=gen, dtype=torch.float64) * 2 - 1) * 0.1,
        "logit_scale": torch.tensor(math.log(1 / 0.07), dtype=torch.float64),
    }
    init = {k: float32_values(v) for k, v in init.items()}
    prompts = float32_values(torch.randn(50, DT, generator=gen, dtype=torch.float64))
    batches = {}
    for stream in ("inner", "outer"):
        xs, labels = [], []
        for s in range(STEPS):
            xs.append(float32_values(torch.randn(BATCH, DIN, generator=gen, dtype=torch.float64)))
            labels.append(tasks.Case(f"bilevel_{stream}_{s}_f64").labels(BATCH))
        batches[stream] = {"x": torch.stack(xs)}
        for key in labels[0]:
            batches[stream][key] = torch.stack([lab[key] for lab in labels])
    return init, prompts, batches


def batch_at(batches, stream, s, dtype):
    out = {}
    for key, t in batches[stream].items():
        v = t[s]
        out[key] = v if v.dtype == torch.int64 or key.endswith("_values") else v.to(dtype)
    return out


def run(name, opts, init, prompts, batches):
    dtype = getattr(torch, opts["dtype"])
    model = TinyBlades(dtype)
    with torch.no_grad():
        for k, p in zip(PARAMS, model.theta()):
            p.copy_(init[k].to(dtype))
    prompts = prompts.to(dtype)
    theta = model.theta()
    included = [t in opts["tasks"] for t in TASKS]
    if opts["primary"] == "coarse":
        w = [1.0 if t == "COARSE" else 0.0 for t in TASKS]
    else:  # equal weights over the pretext tasks
        w = [1.0 / len(opts["tasks"]) if inc else 0.0 for inc in included]
    computed = torch.tensor([1.0 if (inc or wi != 0) else 0.0 for inc, wi in zip(included, w)], dtype=dtype)
    w = torch.tensor(w, dtype=dtype)
    movable = torch.tensor([1.0 if inc else 0.0 for inc in included], dtype=dtype)
    lam = torch.tensor([1.0 if inc else 0.0 for inc in included], dtype=dtype, requires_grad=True)
    adam = torch.optim.Adam([lam], lr=OUTER_LR)
    adamw = torch.optim.AdamW(theta, lr=INNER_LR, weight_decay=WEIGHT_DECAY)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(adamw, T_max=EPOCHS)

    def losses(batch):
        f = tasks.task_losses(model.logits(batch["x"], prompts), batch, opts["gamma"], "paper", opts["ordinal"])
        return f * computed  # tasks that are neither pretext nor primary are not evaluated (0)

    def restore(saved):
        with torch.no_grad():
            for p, s in zip(theta, saved):
                p.copy_(s)

    trace = {k: [] for k in ("losses", "outer_loss", "lambda", "hypergradient", "v_norm", "epsilon", "lr",
                             "weighted_loss")}
    for s in range(STEPS):
        inner = batch_at(batches, "inner", s, dtype)
        outer = batch_at(batches, "outer", s, dtype)
        alpha = adamw.param_groups[0]["lr"]
        saved = [p.detach().clone() for p in theta]
        # Eq. 11: the virtual step
        g = torch.autograd.grad((losses(inner) * lam.detach()).sum(), theta)
        with torch.no_grad():
            for p, gi, sv in zip(theta, g, saved):
                p.add_(gi, alpha=-alpha)
                p.add_(sv, alpha=-alpha * WEIGHT_DECAY)
        # Eq. 15: v at theta'
        outer_loss = (losses(outer) * w).sum()
        v = torch.autograd.grad(outer_loss, theta)
        restore(saved)
        v_norm = math.sqrt(sum(float((vi.double() ** 2).sum()) for vi in v))
        # Eqs. 16-19: central difference of F along v
        eps = FD_SCALE / v_norm
        f_pm = []
        for sign in (1.0, -1.0):
            with torch.no_grad():
                for p, vi in zip(theta, v):
                    p.add_(vi, alpha=sign * eps)
                f_pm.append(losses(inner))
            restore(saved)
        hyper = (f_pm[0] - f_pm[1]) * (-alpha / (2 * eps)) * movable
        # Eq. 12
        lam.grad = hyper.detach().clone()
        adam.step()
        # Eq. 13
        adamw.zero_grad()
        f = losses(inner)
        total = (f * lam.detach()).sum()
        total.backward()
        adamw.step()
        if (s + 1) % BATCHES_PER_EPOCH == 0:
            sched.step()
        for k, val in (("losses", f), ("outer_loss", outer_loss), ("lambda", lam), ("hypergradient", hyper),
                       ("v_norm", v_norm), ("epsilon", eps), ("lr", alpha), ("weighted_loss", total)):
            as_tensor = val.detach().clone() if torch.is_tensor(val) else torch.tensor(val, dtype=torch.float64)
            trace[k].append(as_tensor.to(torch.float64))
    out = {f"{name}.trace.{k}": torch.stack(v) for k, v in trace.items()}
    for k, p in zip(PARAMS, theta):
        out[f"{name}.final.{k}"] = p.detach().clone()
    meta = dict(opts, steps=STEPS, batch=BATCH, batches_per_epoch=BATCHES_PER_EPOCH, epochs=EPOCHS,
                inner_lr=INNER_LR, weight_decay=WEIGHT_DECAY, outer_lr=OUTER_LR, fd_scale=FD_SCALE, phi="paper",
                dims={"din": DIN, "h": H, "e": E, "dt": DT})
    return out, meta


def build():
    init, prompts, batches = make_inputs()
    tensors = {f"init.{k}": v for k, v in init.items()}
    tensors["prompt_features"] = prompts
    for stream, d in batches.items():
        for key, t in d.items():
            tensors[f"batches.{stream}.{key}"] = t
    metadata = {}
    for name, opts in RUNS.items():
        out, meta = run(name, opts, init, prompts, batches)
        tensors.update(out)
        metadata[name] = st_writer.meta_json(meta)
    for name, t in tensors.items():
        if t.dtype != torch.int64:
            assert torch.isfinite(t).all() or name.endswith("_values"), name
    return tensors, metadata


def self_check(tensors, metadata, blob):
    arrays, meta = st_writer.read(blob)
    assert meta == metadata and set(arrays) == set(tensors)
    for run_name in RUNS:
        lam = arrays[f"{run_name}.trace.lambda"]
        moved = np.abs(lam[-1] - lam[0]).max()
        assert moved > 1e-3, f"{run_name}: lambda hardly moved ({moved})"
        hyper = arrays[f"{run_name}.trace.hypergradient"]
        assert (np.abs(hyper) > 0).sum(axis=1).min() >= 3, f"{run_name}: too few tasks get a hypergradient"
    assert len(blob) < 1 << 20, f"{len(blob)} bytes: over 1 MB"
    print(f"bilevel.safetensors: {len(RUNS)} runs, {len(arrays)} tensors, {len(blob)} bytes")
    for run_name in RUNS:
        lam = arrays[f"{run_name}.trace.lambda"][-1]
        print(f"  {run_name}: final lambda {np.array2string(lam, precision=4, max_line_width=200)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare the file on disk with a fresh generation")
    args = parser.parse_args()
    tensors, metadata = build()
    blob = st_writer.serialize(tensors, metadata)
    if st_writer.write_or_check({TARGET: blob}, args.check):
        return 1
    if not args.check:
        self_check(tensors, metadata, blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
