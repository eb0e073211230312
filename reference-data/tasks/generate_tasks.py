#!/usr/bin/python3
"""Independent PyTorch reference for the BLADES pretext-task losses (org.blades.tasks, the paper's Eqs. 3-10).

Run from the project root with Debian's interpreter (PyTorch 1.13 CPU):

    /usr/bin/python3 reference-data/tasks/generate_tasks.py           # write losses.safetensors, then self-check
    /usr/bin/python3 reference-data/tasks/generate_tasks.py --check   # regenerate in memory, compare byte for byte
    /usr/bin/python3 reference-data/tasks/generate_tasks.py --table   # print the case table of README.md

Every loss is written here from the paper's equations, not from the Java code, and with other building blocks:
masked samples are dropped by index selection (Java multiplies by a weight vector), ranking pairs come from a
Python double loop over i < j (Java builds a (B, B) matrix), Phi is torch.special.ndtr (Java composes erf), the
one-hot targets come from F.one_hot. The conventions both sides share are the documented semantics:

  - 1e-8 inside every square root; every loss is a mean over the valid samples of the batch (ranking: over
    the pairs i < j of valid samples; fine: over the regions of a sample, then over valid samples).
  - A loss with nothing to average (no valid sample, fewer than two valid samples for ranking) is 0 with a zero
    gradient: sum(logits) * 0 here.
  - Ranking targets: 1 if value_i > value_j, 0.5 on ties, 0 otherwise. Phi variants: "paper" Phi(D / sqrt 2)
    (Eq. 8), "code" Phi(2 D) (the authors' code).
  - Expected level (Eqs. 6-7): sum_l p(l) d(l) with d = 1, 2, 3.
  - Focal fidelity (Eq. 5): (1 - p_y)^gamma (1 - sum_k sqrt(p_k onehot_k + 1e-8)); gamma = 0 drops the factor.

Tensors of case NAME (float32 cases end in _f32, float64 cases in _f64):
    NAME.in.logits          (B, K) the task's logit columns, or (B, 50) for the `tasks_*` cases
    NAME.in.class_ids       (B) I64 class index, -1 where masked          (fidelity, focal_fidelity)
    NAME.in.values          (B) F64 raw EXIF value, NaN where masked      (thurstone_ranking)
    NAME.in.targets         (B, 3) 0/1 region targets                    (region_fidelity)
    NAME.in.mask            (B) 1 = the sample has the label, 0 = missing tag
    tasks_*: in.lambda (11); in.<task>_values / _mask / _levels / _level_mask for the ordinal tasks,
             in.<task>_ids / _mask for the categorical ones, in.coarse_ids / _mask, in.fine_targets / _mask
             (<task> = the Java enum name in lower case); out.F (11) the task losses in lambda order
    NAME.out                the loss (0-d); (B) for expected_level; the weighted sum sum(lambda * F) for tasks_*
    NAME.gout               random upstream gradient of out's shape; the differentiated loss is sum(out * gout)
    NAME.grad.logits        d sum(out * gout) / d logits (tasks_*: also grad.lambda)
Case arguments (JSON in __metadata__[NAME]): op, task, gamma, phi, ordinal ("ranking" | "level_classification"),
edge ("all_masked" | "one_valid": the mask was drawn that way on purpose).
"""

import argparse
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # st_writer.py, the shared safetensors writer, is in reference-data/
import st_writer  # noqa: E402
from st_writer import meta_json  # noqa: E402

TARGET = os.path.join(HERE, "losses.safetensors")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

SQRT_EPS = 1e-8  # inside every square root, as the authors' code

# (task, first column, end column) in the 50-column logit order of the authors' code
ORDINAL = [("ISO", 0, 3), ("APERTURE", 3, 6), ("EXPOSURE_TIME", 6, 9), ("FOCAL_LENGTH", 9, 12)]
CATEGORICAL = [("MAKE", 12, 22), ("METERING_MODE", 22, 30), ("EXPOSURE_MODE", 30, 37), ("WHITE_BALANCE", 37, 39),
               ("EXPOSURE_PROGRAM", 39, 45)]
COARSE = ("COARSE", 45, 47)
FINE = ("FINE", 47, 50)
LAMBDA_ORDER = [t for t, _, _ in ORDINAL] + [t for t, _, _ in CATEGORICAL] + ["COARSE", "FINE"]

# plausible raw values with few distinct entries, so that a batch has ties
RAW_VALUES = {
    "ISO": [100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0],
    "APERTURE": [1.8, 2.8, 4.0, 5.6, 8.0],
    "EXPOSURE_TIME": [1 / 30, 1 / 60, 1 / 125, 1 / 250, 1 / 500],
    "FOCAL_LENGTH": [4.2, 24.0, 35.0, 50.0, 85.0],
}


# ---------------------------------------------------------------------------------------------
# The losses, from the paper's equations
# ---------------------------------------------------------------------------------------------

def nothing_to_average(logits):
    """The documented value of a loss with no valid sample (or pair): 0, with a zero gradient."""
    return logits.sum() * 0.0


def valid_rows(mask):
    return [b for b in range(mask.shape[0]) if mask[b] != 0]


def fidelity(logits, class_ids, mask):
    """Eqs. 3-4: p_hat = softmax over the task's prompts; 1 - sum_k sqrt(p_k p_hat_k + eps), p = one-hot."""
    rows = valid_rows(mask)
    if not rows:
        return nothing_to_average(logits)
    idx = torch.tensor(rows, dtype=torch.int64)
    p_hat = F.softmax(logits[idx], dim=1)
    onehot = F.one_hot(class_ids[idx], logits.shape[1]).to(logits.dtype)
    per_sample = 1.0 - torch.sqrt(onehot * p_hat + SQRT_EPS).sum(dim=1)
    return per_sample.mean()


def focal_fidelity(logits, class_ids, mask, gamma):
    """Eq. 5: (1 - p_hat_y)^gamma times the fidelity of Eqs. 3-4."""
    rows = valid_rows(mask)
    if not rows:
        return nothing_to_average(logits)
    idx = torch.tensor(rows, dtype=torch.int64)
    p_hat = F.softmax(logits[idx], dim=1)
    y = class_ids[idx]
    onehot = F.one_hot(y, logits.shape[1]).to(logits.dtype)
    per_sample = 1.0 - torch.sqrt(onehot * p_hat + SQRT_EPS).sum(dim=1)
    if gamma != 0.0:
        p_y = p_hat.gather(1, y.unsqueeze(1)).squeeze(1)
        per_sample = (1.0 - p_y) ** gamma * per_sample
    return per_sample.mean()


def expected_level(logits):
    """Eqs. 6-7: r_hat = sum_l p_hat(l) d(l), d(low, medium, high) = 1, 2, 3."""
    d = torch.tensor([1.0, 2.0, 3.0], dtype=logits.dtype)
    return (F.softmax(logits, dim=1) * d).sum(dim=1)


def binary_fidelity(p, p_hat):
    """Eqs. 9 and 10: 1 - sqrt(p p_hat + eps) - sqrt((1 - p)(1 - p_hat) + eps)."""
    return 1.0 - torch.sqrt(p * p_hat + SQRT_EPS) - torch.sqrt((1.0 - p) * (1.0 - p_hat) + SQRT_EPS)


def thurstone_ranking(logits, values, mask, phi):
    """Eqs. 8-9 over all pairs i < j of valid samples; target 1 / 0.5 / 0 for value_i >, ==, < value_j."""
    r_hat = expected_level(logits)
    rows = valid_rows(mask)
    terms = []
    for a in range(len(rows)):
        for c in range(a + 1, len(rows)):
            i, j = rows[a], rows[c]
            delta = r_hat[i] - r_hat[j]
            z = delta / math.sqrt(2.0) if phi == "paper" else 2.0 * delta
            p_hat = torch.special.ndtr(z)
            vi, vj = float(values[i]), float(values[j])
            p = 1.0 if vi > vj else (0.5 if vi == vj else 0.0)
            terms.append(binary_fidelity(torch.tensor(p, dtype=logits.dtype), p_hat))
    if not terms:
        return nothing_to_average(logits)
    return torch.stack(terms).mean()


def region_fidelity(logits, targets, mask):
    """Eq. 10: p_hat = sigmoid per region; mean over the regions of a sample, then over valid samples."""
    rows = valid_rows(mask)
    if not rows:
        return nothing_to_average(logits)
    idx = torch.tensor(rows, dtype=torch.int64)
    per_sample = binary_fidelity(targets[idx], torch.sigmoid(logits[idx])).mean(dim=1)
    return per_sample.mean()


def task_losses(logits, labels, gamma, phi, ordinal):
    """F(theta): the 11 task losses in lambda order (4 ordinal, 5 categorical, coarse, fine)."""
    out = []
    for task, a, b in ORDINAL:
        key = task.lower()
        if ordinal == "ranking":
            out.append(thurstone_ranking(logits[:, a:b], labels[key + "_values"], labels[key + "_mask"], phi))
        else:
            out.append(fidelity(logits[:, a:b], labels[key + "_levels"], labels[key + "_level_mask"]))
    for task, a, b in CATEGORICAL:
        key = task.lower()
        out.append(focal_fidelity(logits[:, a:b], labels[key + "_ids"], labels[key + "_mask"], gamma))
    out.append(fidelity(logits[:, COARSE[1]:COARSE[2]], labels["coarse_ids"], labels["coarse_mask"]))
    out.append(region_fidelity(logits[:, FINE[1]:FINE[2]], labels["fine_targets"], labels["fine_mask"]))
    return torch.stack(out)


# ---------------------------------------------------------------------------------------------
# Seeded inputs
# ---------------------------------------------------------------------------------------------

class Case:
    def __init__(self, name):
        self.name = name
        self.gen = torch.Generator().manual_seed(zlib.crc32(name.encode("utf-8")))
        self.dtype = torch.float64 if name.endswith("_f64") else torch.float32

    def logits(self, b, k):
        """Spread like CLIP logits (scale ~14 times cosine differences); row 0 saturates the softmax."""
        x = torch.randn(b, k, generator=self.gen, dtype=torch.float64) * 2.5
        x[0] *= 6.0
        return x.to(self.dtype)

    def mask(self, b, keep=0.75, at_least=2):
        m = (torch.rand(b, generator=self.gen, dtype=torch.float64) < keep).to(torch.float64)
        for i in range(min(at_least, b)):  # a case should have something to average
            if m.sum() >= at_least:
                break
            m[i] = 1.0
        return m.to(self.dtype)

    def class_ids(self, b, k, mask):
        ids = torch.randint(0, k, (b,), generator=self.gen, dtype=torch.int64)
        return torch.where(mask != 0, ids, torch.full_like(ids, -1))

    def values(self, task, mask):
        """Raw values with at least one tie between valid samples; NaN where masked (they must not be read)."""
        choices = RAW_VALUES[task]
        b = mask.shape[0]
        idx = torch.randint(0, len(choices), (b,), generator=self.gen, dtype=torch.int64)
        v = torch.tensor([choices[i] for i in idx.tolist()], dtype=torch.float64)
        rows = valid_rows(mask)
        if len(rows) >= 2:
            v[rows[1]] = v[rows[0]]
        return torch.where(mask != 0, v, torch.full_like(v, float("nan")))

    def levels(self, task, values, mask):
        """Levels 0/1/2 from fixed cut points; one more sample loses its level (ranking may still use it)."""
        choices = RAW_VALUES[task]
        lo, hi = choices[len(choices) // 3], choices[2 * len(choices) // 3]
        if lo > hi:
            lo, hi = hi, lo
        level_mask = mask.clone()
        rows = valid_rows(mask)
        if len(rows) > 2:
            level_mask[rows[-1]] = 0.0
        lv = torch.tensor([0 if not (v >= lo) else (1 if v < hi else 2) for v in values.tolist()], dtype=torch.int64)
        return torch.where(level_mask != 0, lv, torch.full_like(lv, -1)), level_mask

    def targets(self, b, m):
        return (torch.rand(b, m, generator=self.gen, dtype=torch.float64) < 0.4).to(self.dtype)

    def gout(self, *shape):
        return torch.randn(shape, generator=self.gen, dtype=torch.float64).to(self.dtype)

    def labels(self, b):
        lab = {}
        for task, _, _ in ORDINAL:
            key = task.lower()
            m = self.mask(b)
            lab[key + "_mask"] = m
            lab[key + "_values"] = self.values(task, m)
            lab[key + "_levels"], lab[key + "_level_mask"] = self.levels(task, lab[key + "_values"], m)
        for task, a, e in CATEGORICAL:
            key = task.lower()
            m = self.mask(b)
            lab[key + "_mask"] = m
            lab[key + "_ids"] = self.class_ids(b, e - a, m)
        lab["coarse_mask"] = self.mask(b, keep=0.9)
        lab["coarse_ids"] = self.class_ids(b, 2, lab["coarse_mask"])
        lab["fine_mask"] = self.mask(b, keep=0.9)
        lab["fine_targets"] = self.targets(b, 3)
        return lab


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

class Family:
    def __init__(self):
        self.tensors = {}
        self.metadata = {}
        self.rows = []  # (case, meta, B, note)


def store(fam, case, meta, inputs, out, grads, gout, extra_out=None, note=""):
    for k, v in inputs.items():
        fam.tensors[f"{case.name}.in.{k}"] = v.detach()
    fam.tensors[f"{case.name}.out"] = out.detach()
    for k, v in (extra_out or {}).items():
        fam.tensors[f"{case.name}.out.{k}"] = v.detach()
    fam.tensors[f"{case.name}.gout"] = gout
    for k, g in grads.items():
        fam.tensors[f"{case.name}.grad.{k}"] = g.detach()
    fam.metadata[case.name] = meta_json(meta)
    fam.rows.append((case.name, meta, inputs["logits"].shape[0], note))
    for name in (f"{case.name}.out", f"{case.name}.grad.logits"):
        assert torch.isfinite(fam.tensors[name]).all(), name


def single_loss_case(fam, name, b, meta, note=""):
    """One task's loss on its own logit columns; the kind of labels follows meta["op"]."""
    case = Case(name)
    kind = meta["op"]
    edge = meta.get("edge")
    task = meta.get("task")
    k = {t: e - a for t, a, e in ORDINAL + CATEGORICAL + [COARSE, FINE]}.get(task, 3)
    logits = case.logits(b, k)
    if edge == "all_masked":
        mask = torch.zeros(b, dtype=case.dtype)
    elif edge == "one_valid":
        mask = torch.zeros(b, dtype=case.dtype)
        mask[b // 2] = 1.0
    else:
        mask = case.mask(b)
    inputs = {"logits": logits, "mask": mask}
    if kind in ("fidelity", "focal_fidelity"):
        inputs["class_ids"] = case.class_ids(b, k, mask)
    elif kind == "thurstone_ranking":
        inputs["values"] = case.values(task, mask) if mask.sum() > 0 else torch.full((b,), float("nan"),
                                                                                     dtype=torch.float64)
        if edge is None and b > 1:
            assert any(float(inputs["values"][i]) == float(inputs["values"][j])
                       for i in valid_rows(mask) for j in valid_rows(mask) if i < j), name + ": no tie"
    elif kind == "region_fidelity":
        inputs["targets"] = case.targets(b, k)
    x = logits.clone().requires_grad_(True)
    if kind == "fidelity":
        out = fidelity(x, inputs["class_ids"], mask)
    elif kind == "focal_fidelity":
        out = focal_fidelity(x, inputs["class_ids"], mask, meta["gamma"])
    elif kind == "thurstone_ranking":
        out = thurstone_ranking(x, inputs["values"], mask, meta["phi"])
    elif kind == "region_fidelity":
        out = region_fidelity(x, inputs["targets"], mask)
    else:
        raise ValueError(kind)
    gout = case.gout()
    (out * gout).backward()
    store(fam, case, meta, inputs, out, {"logits": x.grad}, gout, note=note)


def expected_level_case(fam, name, b):
    case = Case(name)
    logits = case.logits(b, 3)
    x = logits.clone().requires_grad_(True)
    out = expected_level(x)
    gout = case.gout(b)
    (out * gout).sum().backward()
    store(fam, case, {"op": "expected_level"}, {"logits": logits}, out, {"logits": x.grad}, gout,
          note="Eqs. 6-7, levels 1, 2, 3")


def tasks_case(fam, name, b, gamma, phi, ordinal, note):
    case = Case(name)
    logits = case.logits(b, 50)
    labels = case.labels(b)
    lam = (1.0 + 0.5 * torch.randn(11, generator=case.gen, dtype=torch.float64)).to(case.dtype)
    x = logits.clone().requires_grad_(True)
    lv = lam.clone().requires_grad_(True)
    f = task_losses(x, labels, gamma, phi, ordinal)
    out = (lv * f).sum()
    gout = case.gout()
    (out * gout).backward()
    inputs = {"logits": logits, "lambda": lam}
    inputs.update(labels)
    meta = {"op": "task_losses", "gamma": gamma, "phi": phi, "ordinal": ordinal}
    store(fam, case, meta, inputs, out, {"logits": x.grad, "lambda": lv.grad}, gout, extra_out={"F": f}, note=note)


def build():
    fam = Family()
    for dt in ("f32", "f64"):
        bump = 0 if dt == "f32" else 1  # the float64 batches differ in size from the float32 ones
        single_loss_case(fam, f"coarse_fidelity_{dt}", 9 + bump, {"op": "fidelity", "task": "COARSE"},
                         "Eqs. 3-4")
        for i, (task, _, _) in enumerate(CATEGORICAL):
            single_loss_case(fam, f"focal_{task.lower()}_{dt}", 7 + i + bump,
                             {"op": "focal_fidelity", "task": task, "gamma": 2.0}, "Eq. 5, gamma 2")
        single_loss_case(fam, f"focal_off_make_{dt}", 8 + bump, {"op": "focal_fidelity", "task": "MAKE", "gamma": 0.0},
                         "Eq. 5 with gamma 0 (focal ablation)")
        single_loss_case(fam, f"level_classification_iso_{dt}", 10 + bump, {"op": "fidelity", "task": "ISO"},
                         "ranking ablation: Eqs. 3-4 over the 3 level prompts")
        expected_level_case(fam, f"expected_level_{dt}", 7 + bump)
        for i, (task, _, _) in enumerate(ORDINAL):
            single_loss_case(fam, f"ranking_{task.lower()}_{dt}", 9 + i + bump,
                             {"op": "thurstone_ranking", "task": task, "phi": "paper"}, "Eqs. 6-9, Phi(D/sqrt2)")
        single_loss_case(fam, f"ranking_code_phi_iso_{dt}", 11 + bump,
                         {"op": "thurstone_ranking", "task": "ISO", "phi": "code"}, "Eqs. 6-9, Phi(2D) (authors' code)")
        single_loss_case(fam, f"region_fine_{dt}", 10 + bump, {"op": "region_fidelity", "task": "FINE"}, "Eq. 10")
        single_loss_case(fam, f"ranking_single_{dt}", 1,
                         {"op": "thurstone_ranking", "task": "ISO", "phi": "paper"}, "B = 1: no pair, loss 0")
        single_loss_case(fam, f"ranking_one_valid_{dt}", 6,
                         {"op": "thurstone_ranking", "edge": "one_valid", "task": "APERTURE", "phi": "paper"},
                         "one valid sample: no pair, loss 0")
        single_loss_case(fam, f"focal_all_masked_{dt}", 7,
                         {"op": "focal_fidelity", "edge": "all_masked", "task": "MAKE", "gamma": 2.0},
                         "no valid sample: loss 0")
        single_loss_case(fam, f"region_all_masked_{dt}", 5,
                         {"op": "region_fidelity", "edge": "all_masked", "task": "FINE"},
                         "no valid sample: loss 0")
        tasks_case(fam, f"tasks_{dt}", 12, 2.0, "paper", "ranking", "F(theta) and sum(lambda F), paper options")
        tasks_case(fam, f"tasks_code_phi_{dt}", 10 + bump, 2.0, "code", "ranking", "Phi(2D) variant")
        tasks_case(fam, f"tasks_ablation_{dt}", 8 + bump, 0.0, "paper", "level_classification",
                   "focal off, level classification instead of ranking")
    return fam


def markdown_table(fam):
    lines = ["| case | op | args | B | note |", "|---|---|---|---|---|"]
    for name, meta, b, note in fam.rows:
        args = {k: v for k, v in meta.items() if k != "op"}
        lines.append(f"| `{name}` | {meta['op']} | `{meta_json(args)}` | {b} | {note} |")
    return "\n".join(lines)


def self_check(fam, blob):
    arrays, metadata = st_writer.read(blob)
    assert metadata == fam.metadata and set(arrays) == set(fam.tensors)
    for name, t in fam.tensors.items():
        assert arrays[name].tobytes() == t.contiguous().numpy().tobytes(), name
    # Semantics the Java tests rely on, checked on the stored data.
    for dt in ("f32", "f64"):
        for edge in ("ranking_single", "ranking_one_valid", "focal_all_masked", "region_all_masked"):
            assert float(arrays[f"{edge}_{dt}.out"]) == 0.0 and not arrays[f"{edge}_{dt}.grad.logits"].any(), edge
        f = arrays[f"tasks_{dt}.out.F"]
        lam = arrays[f"tasks_{dt}.in.lambda"]
        gout = float(arrays[f"tasks_{dt}.gout"])
        assert np.allclose(arrays[f"tasks_{dt}.grad.lambda"], gout * f, rtol=1e-5, atol=1e-7)
        assert np.isclose(float(arrays[f"tasks_{dt}.out"]), float((lam.astype(np.float64) * f).sum()), rtol=1e-5)
    assert len(blob) < 1 << 20, f"{len(blob)} bytes: over 1 MB"
    print(f"losses.safetensors: {len(fam.metadata)} cases, {len(arrays)} tensors, {len(blob)} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare the file on disk with a fresh generation")
    parser.add_argument("--table", action="store_true", help="print the README case table")
    args = parser.parse_args()
    fam = build()
    if args.table:
        print(markdown_table(fam))
        return 0
    blob = st_writer.serialize(fam.tensors, fam.metadata)
    if st_writer.write_or_check({TARGET: blob}, args.check):
        return 1
    self_check(fam, blob)
    if args.check:
        print("check OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
