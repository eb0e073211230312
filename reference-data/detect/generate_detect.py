#!/usr/bin/python3
"""Reference data for the detection core (org.blades.detect, org.blades.eval, org.blades.nn.optim).

Run from the project root with Debian's interpreter (python3-sklearn 1.2.1, numpy 1.24, PyTorch 1.13):

    /usr/bin/python3 reference-data/detect/generate_detect.py          # write the four files below
    /usr/bin/python3 reference-data/detect/generate_detect.py --check  # regenerate in memory, compare byte for byte

Files (naming as in reference-data/README.md: CASE.in.<arg>, CASE.out.<k>, case arguments as JSON metadata):

gmm.safetensors: scikit-learn GaussianMixture
    synthetic          in.x (40, 12) F64, in.labels (40) I64: synthetic.mixture(40, 12, 3, seed 7), bit-exact
    em_<type>          type in full, diag, spherical; in.x (500, 16), in.weights (3), in.means (3, 16),
                       in.precisions (full (3, 16, 16), diag (3, 16), spherical (3)); out.score0 (500): per-sample
                       log-likelihood under the initial parameters; for step s = 1..5 (one EM iteration each, from
                       weights_init/means_init/precisions_init, warm_start): out.step<s>.weights, .means,
                       .covariances, .precisions_cholesky, .lower_bound (scalar: mean log-likelihood before the
                       M-step), .score (500) per-sample log-likelihood after the M-step
    emfit_<type>       same data and initial parameters, fitted to convergence (tol 1e-3, max_iter 100):
                       out.lower_bound, out.score (mean log-likelihood), out.n_iter
    kpp_<type>, kmeans_full
                       well-separated in.x (600, 8) with 4 clusters; init_params 'k-means++' (or 'kmeans'),
                       random_state 0: out.lower_bound, out.score, out.n_iter. Java's own seeds differ, so only
                       the final mean log-likelihood is compared (within 1e-3).

metrics.safetensors: sklearn.metrics
    <case>             in.positive (N) I64 0/1, in.scores (N) F64; out.roc.{fpr,tpr,thresholds} (roc_curve),
                       out.roc_full.* (drop_intermediate=False), out.pr.{precision,recall,thresholds}, out.auc, out.ap,
                       out.tpr_at_fpr (max tpr with fpr <= each of TARGET_FPRS), and at the case's threshold
                       (score >= threshold is positive): out.counts [tp, fp, tn, fn], out.accuracy, .tpr, .fnr, .tnr,
                       .fpr, .precision, .f1. Cases: doc (sklearn's docstring example), random, ties, all_tied,
                       perfect, inverted, integer_scores, imbalanced (100:1), loglik (5 % threshold),
                       constant_predictions (nothing predicted positive).
    single_positive, single_negative
                       one class only: out.ap (sklearn warns and returns it), metadata sklearn_roc_auc_error.

optim.safetensors: torch.optim.Adam / AdamW
    <case>             in.p0 (4, 3), in.p1 (5), in.grad<s>.p0/p1 the gradients fed at step s = 1..6,
                       out.step<s>.p0/p1 the parameters after step s; metadata: optimizer, dtype, lr, betas, eps,
                       weight_decay.

mlp.safetensors: the binary detector's first five Adam steps in PyTorch
    mlp                F.normalize -> Linear(768, 1536) -> ReLU -> Linear(1536, 2), portable initial parameters
                       (PortableInit.uniform, U(+-1/sqrt(fan_in))), portable batches (see the metadata), cross-entropy,
                       Adam(lr 3e-4): out.step1.logits (64, 2), out.step1.grad.* (fc2.weight, fc2.bias, fc1.bias,
                       fc1.weight rows 0-3), out.losses (5), out.final.* (fc2.weight, fc2.bias, fc1.bias, fc1.weight
                       rows 0-3 and the last 4).
"""

import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from scipy.linalg import cholesky
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _estimate_log_gaussian_prob

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # st_writer.py, the shared safetensors writer, is in reference-data/
import st_writer  # noqa: E402
import synthetic  # noqa: E402
from st_writer import meta_json  # noqa: E402


def serialize(tensors, metadata):
    """st_writer.serialize with 0-d values stored as shape [1]: these files were first written through
    np.ascontiguousarray (which returns at least one dimension), and the Java tests read those shapes."""
    return st_writer.serialize(tensors, metadata, scalars_as_1d=True)


def f64(a):
    return np.asarray(a, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# gmm.safetensors
# ---------------------------------------------------------------------------------------------

EM_STEPS = 5
TYPES = ("full", "diag", "spherical")


def em_data(rng):
    """500 x 16 samples of a 3-component mixture with full covariances, and deliberately poor initial parameters."""
    n, d, k = 500, 16, 3
    centres = rng.normal(0, 2.0, size=(k, d))
    labels = rng.choice(k, size=n, p=[0.5, 0.3, 0.2])
    x = np.empty((n, d))
    for c in range(k):
        a = rng.normal(0, 0.4, size=(d, d)) + np.eye(d) * (0.5 + 0.3 * c)
        idx = labels == c
        x[idx] = centres[c] + rng.normal(size=(idx.sum(), d)) @ a.T
    weights = np.array([0.2, 0.3, 0.5])
    means = centres + rng.normal(0, 1.0, size=(k, d))
    precisions_full = np.empty((k, d, d))
    for c in range(k):
        b = rng.normal(0, 0.3, size=(d, d))
        precisions_full[c] = np.linalg.inv(b @ b.T + np.eye(d) * (1.0 + c))
    return x, weights, means, precisions_full


def initial_precisions(kind, precisions_full):
    if kind == "full":
        return precisions_full
    diag = np.stack([np.diag(p) for p in precisions_full])
    return diag if kind == "diag" else diag.mean(axis=1)


def init_precisions_cholesky(kind, prec):
    """sklearn's _initialize with precisions_init: lower Cholesky factors (full) or square roots."""
    if kind == "full":
        return np.array([cholesky(p, lower=True) for p in prec])
    return np.sqrt(prec)


def build_gmm():
    tensors, metadata = {}, {}

    x, labels = synthetic.mixture(40, 12, 3, 7)
    tensors["synthetic.in.x"] = x
    tensors["synthetic.in.labels"] = labels
    metadata["synthetic"] = meta_json({"n": 40, "d": 12, "k": 3, "seed": 7})

    rng = np.random.RandomState(20240)
    x, weights, means, precisions_full = em_data(rng)
    for kind in TYPES:
        name = "em_" + kind
        prec = initial_precisions(kind, precisions_full)
        tensors[name + ".in.x"] = x
        tensors[name + ".in.weights"] = weights
        tensors[name + ".in.means"] = means
        tensors[name + ".in.precisions"] = prec
        gm = GaussianMixture(n_components=3, covariance_type=kind, weights_init=weights, means_init=means,
                             precisions_init=prec, max_iter=1, tol=0.0, reg_covar=1e-6, warm_start=True,
                             init_params="random_from_data", random_state=0)
        for s in range(1, EM_STEPS + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gm.fit(x)
            if s == 1:
                # the initial parameters' log-likelihoods, from the precision factors sklearn's _initialize made
                log_prob = _estimate_log_gaussian_prob(x, means, init_precisions_cholesky(kind, prec), kind)
                tensors[name + ".out.score0"] = logsumexp(log_prob + np.log(weights), axis=1)
            p = "%s.out.step%d." % (name, s)
            tensors[p + "weights"] = gm.weights_
            tensors[p + "means"] = gm.means_
            tensors[p + "covariances"] = gm.covariances_
            tensors[p + "precisions_cholesky"] = gm.precisions_cholesky_
            tensors[p + "lower_bound"] = f64(gm.lower_bound_)
            tensors[p + "score"] = gm.score_samples(x)
        metadata[name] = meta_json({"components": 3, "covariance_type": kind, "reg_covar": 1e-6,
                                    "steps": EM_STEPS})

        fit = GaussianMixture(n_components=3, covariance_type=kind, weights_init=weights, means_init=means,
                              precisions_init=prec, max_iter=100, tol=1e-3, reg_covar=1e-6,
                              init_params="random_from_data", random_state=0).fit(x)
        name = "emfit_" + kind
        tensors[name + ".out.lower_bound"] = f64(fit.lower_bound_)
        tensors[name + ".out.score"] = f64(fit.score(x))
        tensors[name + ".out.n_iter"] = np.int64(fit.n_iter_)
        metadata[name] = meta_json({"components": 3, "covariance_type": kind, "reg_covar": 1e-6, "tol": 1e-3,
                                    "max_iter": 100, "data": "em_" + kind})

    rng = np.random.RandomState(4242)
    k, d = 4, 8
    centres = rng.uniform(-10, 10, size=(k, d))
    lab = rng.choice(k, size=600)
    xs = np.empty((600, d))
    for c in range(k):
        a = rng.normal(0, 0.3, size=(d, d)) + np.eye(d) * 0.6
        idx = lab == c
        xs[idx] = centres[c] + rng.normal(size=(idx.sum(), d)) @ a.T
    for kind, init in (("full", "k-means++"), ("diag", "k-means++"), ("spherical", "k-means++"),
                       ("full", "kmeans")):
        name = ("kpp_" if init == "k-means++" else "kmeans_") + kind
        gm = GaussianMixture(n_components=k, covariance_type=kind, init_params=init, random_state=0, tol=1e-3,
                             max_iter=100, reg_covar=1e-6).fit(xs)
        tensors[name + ".in.x"] = xs
        tensors[name + ".out.lower_bound"] = f64(gm.lower_bound_)
        tensors[name + ".out.score"] = f64(gm.score(xs))
        tensors[name + ".out.n_iter"] = np.int64(gm.n_iter_)
        metadata[name] = meta_json({"components": k, "covariance_type": kind, "init_params": init,
                                    "random_state": 0, "tol": 1e-3, "max_iter": 100, "reg_covar": 1e-6})
    return serialize(tensors, metadata)


# ---------------------------------------------------------------------------------------------
# metrics.safetensors
# ---------------------------------------------------------------------------------------------

TARGET_FPRS = [0.0, 0.01, 0.05, 0.1, 0.5]


def metric_cases():
    rng = np.random.RandomState(777)
    cases = {}
    cases["doc"] = (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), 0.4)
    y = (rng.uniform(size=300) < 0.4).astype(np.int64)
    cases["random"] = (y, rng.normal(size=300) + 0.8 * y, 0.0)
    y = (rng.uniform(size=400) < 0.5).astype(np.int64)
    cases["ties"] = (y, np.round(rng.normal(size=400) + 0.5 * y, 1), 0.0)
    y = (rng.uniform(size=50) < 0.3).astype(np.int64)
    cases["all_tied"] = (y, np.full(50, 0.3), 0.3)
    y = np.r_[np.zeros(20, dtype=np.int64), np.ones(30, dtype=np.int64)]
    s = np.r_[rng.uniform(0, 1, 20), rng.uniform(2, 3, 30)]
    perm = rng.permutation(50)
    cases["perfect"] = (y[perm], s[perm], 1.5)
    cases["inverted"] = (y[perm], -s[perm], -1.5)
    y = (rng.uniform(size=200) < 0.5).astype(np.int64)
    cases["integer_scores"] = (y, rng.randint(0, 4, size=200).astype(np.float64) + y, 2.0)
    y = np.r_[np.zeros(1000, dtype=np.int64), np.ones(10, dtype=np.int64)]
    s = np.r_[rng.normal(0, 1, 1000), rng.normal(1.5, 1, 10)]
    perm = rng.permutation(1010)
    cases["imbalanced"] = (y[perm], s[perm], 1.0)
    # the one-class protocol: photographs positive, scored by log-likelihood, threshold at their 5 % quantile
    real = rng.normal(-50, 5, 300)
    fake = rng.normal(-70, 10, 300)
    y = np.r_[np.ones(300, dtype=np.int64), np.zeros(300, dtype=np.int64)]
    s = np.r_[real, fake]
    cases["loglik"] = (y, s, float(np.sort(real)[int(0.05 * 300)]))
    cases["constant_predictions"] = (np.array([0, 1, 0, 1, 1]), np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 10.0)
    return cases


def build_metrics():
    from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix, f1_score,
                                 precision_recall_curve, precision_score, roc_auc_score, roc_curve)
    tensors, metadata = {}, {}
    for name, (y, s, thr) in metric_cases().items():
        y = np.asarray(y, dtype=np.int64)
        s = np.asarray(s, dtype=np.float64)
        tensors[name + ".in.positive"] = y
        tensors[name + ".in.scores"] = s
        fpr, tpr, th = roc_curve(y, s)
        tensors[name + ".out.roc.fpr"], tensors[name + ".out.roc.tpr"], tensors[name + ".out.roc.thresholds"] = fpr, tpr, th
        fpr, tpr, th = roc_curve(y, s, drop_intermediate=False)
        tensors[name + ".out.roc_full.fpr"], tensors[name + ".out.roc_full.tpr"] = fpr, tpr
        tensors[name + ".out.roc_full.thresholds"] = th
        tensors[name + ".out.tpr_at_fpr"] = f64([tpr[fpr <= t].max() for t in TARGET_FPRS])
        p, r, th = precision_recall_curve(y, s)
        tensors[name + ".out.pr.precision"], tensors[name + ".out.pr.recall"], tensors[name + ".out.pr.thresholds"] = p, r, th
        tensors[name + ".out.auc"] = f64(roc_auc_score(y, s))
        tensors[name + ".out.ap"] = f64(average_precision_score(y, s))
        pred = (s >= thr).astype(np.int64)
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        tensors[name + ".out.accuracy"] = f64(accuracy_score(y, pred))
        tensors[name + ".out.tpr"] = f64(tp / (tp + fn))
        tensors[name + ".out.fnr"] = f64(fn / (tp + fn))
        tensors[name + ".out.tnr"] = f64(tn / (tn + fp))
        tensors[name + ".out.fpr"] = f64(fp / (tn + fp))
        tensors[name + ".out.precision"] = f64(precision_score(y, pred, zero_division=0))
        tensors[name + ".out.f1"] = f64(f1_score(y, pred, zero_division=0))
        tensors[name + ".out.counts"] = np.array([tp, fp, tn, fn], dtype=np.int64)
        metadata[name] = meta_json({"threshold": thr, "target_fprs": TARGET_FPRS})
    # a single class: scikit-learn raises for ROC AUC and warns for AP; BLADES-J raises for both
    for name, y in (("single_positive", np.ones(6, dtype=np.int64)), ("single_negative", np.zeros(6, dtype=np.int64))):
        s = np.linspace(0, 1, 6)
        tensors[name + ".in.positive"] = y
        tensors[name + ".in.scores"] = s
        try:
            roc_auc_score(y, s)
            raise AssertionError("sklearn accepted a single class")
        except ValueError as e:
            auc_error = str(e)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tensors[name + ".out.ap"] = f64(average_precision_score(y, s))
        metadata[name] = meta_json({"sklearn_roc_auc_error": auc_error})
    return serialize(tensors, metadata)


# ---------------------------------------------------------------------------------------------
# optim.safetensors: torch.optim.Adam / AdamW, several steps on fixed gradients
# ---------------------------------------------------------------------------------------------

OPTIM_STEPS = 6
OPTIM_CASES = {
    # name: (class, dtype, lr, weight_decay, betas, eps)
    "adam_f64": ("Adam", "float64", 1e-2, 0.0, (0.9, 0.999), 1e-8),
    "adam_wd_f64": ("Adam", "float64", 1e-2, 0.1, (0.9, 0.999), 1e-8),
    "adamw_f64": ("AdamW", "float64", 1e-2, 0.1, (0.9, 0.999), 1e-8),
    "adam_betas_f64": ("Adam", "float64", 3e-4, 0.0, (0.5, 0.9), 1e-3),
    "adam_f32": ("Adam", "float32", 1e-2, 0.0, (0.9, 0.999), 1e-8),
    "adamw_f32": ("AdamW", "float32", 1e-2, 0.1, (0.9, 0.999), 1e-8),
}


def build_optim():
    import torch
    tensors, metadata = {}, {}
    for name, (cls, dt, lr, wd, betas, eps) in OPTIM_CASES.items():
        dtype = getattr(torch, dt)
        gen = torch.Generator().manual_seed(sorted(OPTIM_CASES).index(name) + 100)
        p0 = torch.randn(4, 3, generator=gen, dtype=torch.float64).to(dtype).requires_grad_(True)
        p1 = torch.randn(5, generator=gen, dtype=torch.float64).to(dtype).requires_grad_(True)
        tensors[name + ".in.p0"] = p0.detach().numpy().copy()
        tensors[name + ".in.p1"] = p1.detach().numpy().copy()
        opt = getattr(torch.optim, cls)([p0, p1], lr=lr, betas=betas, eps=eps, weight_decay=wd)
        for s in range(1, OPTIM_STEPS + 1):
            # gradients of very different scales, and one exactly zero entry, exercise eps and the bias corrections
            g0 = torch.randn(4, 3, generator=gen, dtype=torch.float64) * (10.0 ** (s % 3 - 1))
            g1 = torch.randn(5, generator=gen, dtype=torch.float64) * 1e-3
            g1[2] = 0.0
            p0.grad = g0.to(dtype)
            p1.grad = g1.to(dtype)
            opt.step()
            tensors["%s.in.grad%d.p0" % (name, s)] = p0.grad.numpy().copy()
            tensors["%s.in.grad%d.p1" % (name, s)] = p1.grad.numpy().copy()
            tensors["%s.out.step%d.p0" % (name, s)] = p0.detach().numpy().copy()
            tensors["%s.out.step%d.p1" % (name, s)] = p1.detach().numpy().copy()
        metadata[name] = meta_json({"optimizer": cls, "dtype": dt, "lr": lr, "weight_decay": wd, "betas": list(betas),
                                    "eps": eps, "steps": OPTIM_STEPS})
    return serialize(tensors, metadata)


# ---------------------------------------------------------------------------------------------
# mlp.safetensors: the binary detector's first Adam steps in PyTorch
# ---------------------------------------------------------------------------------------------

MLP_SEED = 2024
MLP_STEPS = 5
MLP_BATCH = 64
MASK64 = (1 << 64) - 1


def fnv1a64(text):
    """64-bit FNV-1a over UTF-8 bytes (org.blades.nn.PortableInit.fnv1a64)."""
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def portable_uniform(key, seed, n, center, half_width):
    """org.blades.nn.PortableInit.uniform: float32 center + half_width (2u - 1), u = (x >> 40) 2^-24."""
    x = synthetic_stream(fnv1a64(key) ^ (seed & MASK64), n)
    u = (x >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    return (np.float64(center) + np.float64(half_width) * (2.0 * u - 1.0)).astype(np.float32)


def synthetic_stream(state, n):
    """The first n raw outputs of splitmix64 started at state (== SplittableRandom(state).nextLong())."""
    with np.errstate(over="ignore"):
        z = np.uint64(state) + np.arange(1, n + 1, dtype=np.uint64) * synthetic.GOLDEN
        z = (z ^ (z >> np.uint64(30))) * synthetic.M1
        z = (z ^ (z >> np.uint64(27))) * synthetic.M2
        return z ^ (z >> np.uint64(31))


def mlp_batch(step, d):
    """Inputs (B, D) float32 = (u - 0.5) 2 from stream 30 + step; labels floor(2 u) from stream 40 + step."""
    x = ((synthetic.uniforms(30 + step, 0, MLP_BATCH * d) - 0.5) * 2).astype(np.float32).reshape(MLP_BATCH, d)
    y = np.floor(synthetic.uniforms(40 + step, 0, MLP_BATCH) * 2).astype(np.int64)
    return x, y


def build_mlp():
    import torch
    import torch.nn.functional as F

    class Mlp(torch.nn.Module):
        def __init__(self, d, h):
            super().__init__()
            self.fc1 = torch.nn.Linear(d, h)
            self.fc2 = torch.nn.Linear(h, 2)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(F.normalize(x, dim=1))))

    d, h = 768, 1536
    model = Mlp(d, h)
    with torch.no_grad():
        for key, t in model.state_dict(keep_vars=True).items():
            fan_in = d if key.startswith("fc1.") else h
            v = portable_uniform(key, MLP_SEED, t.numel(), 0.0, 1.0 / np.sqrt(np.float64(fan_in)))
            t.copy_(torch.from_numpy(v).reshape(t.shape))
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    tensors, losses = {}, []
    for s in range(1, MLP_STEPS + 1):
        x, y = mlp_batch(s, d)
        opt.zero_grad()
        logits = model(torch.from_numpy(x))
        loss = F.cross_entropy(logits, torch.from_numpy(y))
        loss.backward()
        if s == 1:
            tensors["mlp.out.step1.logits"] = logits.detach().numpy().copy()
            tensors["mlp.out.step1.grad.fc2.weight"] = model.fc2.weight.grad.numpy().copy()
            tensors["mlp.out.step1.grad.fc2.bias"] = model.fc2.bias.grad.numpy().copy()
            tensors["mlp.out.step1.grad.fc1.bias"] = model.fc1.bias.grad.numpy().copy()
            tensors["mlp.out.step1.grad.fc1.weight_rows"] = model.fc1.weight.grad[:4].numpy().copy()
        opt.step()
        losses.append(loss.item())
    tensors["mlp.out.losses"] = f64(losses)
    tensors["mlp.out.final.fc2.weight"] = model.fc2.weight.detach().numpy().copy()
    tensors["mlp.out.final.fc2.bias"] = model.fc2.bias.detach().numpy().copy()
    tensors["mlp.out.final.fc1.bias"] = model.fc1.bias.detach().numpy().copy()
    tensors["mlp.out.final.fc1.weight_rows"] = np.concatenate(
        [model.fc1.weight.detach()[:4].numpy(), model.fc1.weight.detach()[-4:].numpy()])
    metadata = {"mlp": meta_json({"d": d, "hidden": h, "seed": MLP_SEED, "steps": MLP_STEPS, "batch": MLP_BATCH,
                                  "lr": 3e-4, "weight_rows": "fc1.weight rows 0-3 and the last 4",
                                  "inputs": "x = float32((uniform(30 + step, i) - 0.5) * 2), "
                                            "labels = floor(2 uniform(40 + step, i)), synthetic.py's uniform"})}
    return serialize(tensors, metadata)


BUILDERS = {"gmm.safetensors": build_gmm, "metrics.safetensors": build_metrics, "optim.safetensors": build_optim,
            "mlp.safetensors": build_mlp}


if __name__ == "__main__":
    sys.exit(st_writer.run_cli(__doc__, lambda: {os.path.join(HERE, f): build() for f, build in BUILDERS.items()}))
