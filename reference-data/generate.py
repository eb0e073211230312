#!/usr/bin/python3
"""PyTorch reference data for the BLADES-J tensor ops.

Run with the interpreter that has torch installed:

    /usr/bin/python3 reference-data/generate.py          # write *.safetensors, then self-check them
    /usr/bin/python3 reference-data/generate.py --check  # regenerate in memory, compare byte-for-byte, self-check
    /usr/bin/python3 reference-data/generate.py --table  # print the Markdown case table used in README.md

Every case NAME in a file holds (see README.md for the full description):

    NAME.in.<arg>     inputs (float32; float64 for cases whose name ends in _f64; int64 for indices)
    NAME.out          the output (NAME.out.<k> for extra outputs, e.g. NAME.out.running_mean)
    NAME.gout         random upstream gradient with NAME.out's shape; the scalar loss is sum(out * gout)
    NAME.grad.<arg>   d loss / d <arg> for every differentiable input, computed by torch autograd

and the "__metadata__" entry NAME holds a JSON object string: {"op": ..., plus the op's arguments}.

Determinism: each case draws from its own torch.Generator seeded with crc32(NAME); one thread,
deterministic algorithms, sorted JSON keys and tensors laid out in sorted-name order. Two runs give
byte-identical files (`--check` verifies this against the files on disk). The bytes are written by
st_writer.py, the safetensors writer shared by every reference-data script.
"""

import argparse
import json
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

import st_writer
from st_writer import meta_json

HERE = os.path.dirname(os.path.abspath(__file__))

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------------
# Case machinery
# ---------------------------------------------------------------------------------------------

class Family:
    """The cases of one <family>.safetensors file."""

    def __init__(self, name):
        self.name = name
        self.tensors = {}   # tensor name -> torch tensor
        self.metadata = {}  # case name -> JSON string
        self.rows = []      # (case, meta, input shapes/dtypes, note) for the README table


class Case:
    """Seeded random inputs for one case. dtype is float64 for names ending in _f64, else float32."""

    def __init__(self, name):
        self.name = name
        self.gen = torch.Generator().manual_seed(zlib.crc32(name.encode("utf-8")))
        self.dtype = torch.float64 if name.endswith("_f64") else torch.float32

    def randn(self, *shape, scale=1.0):
        return torch.randn(shape, generator=self.gen, dtype=self.dtype) * scale

    def uniform(self, lo, hi, *shape):
        return lo + (hi - lo) * torch.rand(shape, generator=self.gen, dtype=self.dtype)

    def randint(self, lo, hi, *shape):
        return torch.randint(lo, hi, shape, generator=self.gen, dtype=torch.int64)

    def away_from(self, x, points, margin):
        """Move every element closer than `margin` to one of `points` out to exactly point +- margin,
        so that kinks (relu/abs at 0, clamp at its bounds) are never hit by random inputs."""
        for p in points:
            d = x - p
            x = torch.where(d.abs() < margin, p + torch.where(d >= 0, margin, -margin).to(x.dtype), x)
        return x

    def nonzero(self, *shape, margin=0.1):
        """randn pushed away from 0 by at least `margin`."""
        return self.away_from(self.randn(*shape), [0.0], margin)


def emit(fam, case, meta, inputs, fn, grad=None, note=""):
    """Run one case and store its tensors and metadata in `fam`.

    inputs: {arg: tensor}, stored as NAME.in.<arg>. fn(*inputs.values()) (positional, in insertion order)
    returns the output tensor, or a dict
    {"": main output, "<k>": extra output} for several outputs (stored as NAME.out / NAME.out.<k>).
    grad: the args to differentiate (default: every floating-point input). The gradient flows from the
    main output only: loss = sum(out * gout) with gout ~ randn drawn from the case's generator.
    """
    name = case.name
    assert name not in fam.metadata, name
    assert "." not in name
    if grad is None:
        grad = [k for k, v in inputs.items() if v.is_floating_point()]
    # fn gets fresh copies: ops like batch_norm update running stats in place, and the stored inputs
    # must be the values *before* the call.
    leaves = {k: v.detach().clone().requires_grad_(k in grad) for k, v in inputs.items()}
    result = fn(*leaves.values())
    outs = result if isinstance(result, dict) else {"": result}
    main = outs[""]

    for k, v in inputs.items():
        fam.tensors[f"{name}.in.{k}"] = v.detach().clone()
    for k, v in outs.items():
        fam.tensors[f"{name}.out" + (f".{k}" if k else "")] = v.detach().clone()
    if grad:
        assert main.is_floating_point(), f"{name}: cannot differentiate an integer output"
        gout = torch.randn(main.shape, generator=case.gen, dtype=main.dtype)
        grads = torch.autograd.grad(main, [leaves[k] for k in grad], grad_outputs=gout)
        fam.tensors[f"{name}.gout"] = gout
        for k, g in zip(grad, grads):
            assert torch.isfinite(g).all(), f"{name}: non-finite gradient for {k}"
            fam.tensors[f"{name}.grad.{k}"] = g.detach().clone()
    for t in outs.values():
        assert not t.is_floating_point() or torch.isfinite(t).all(), f"{name}: non-finite output"

    fam.metadata[name] = meta_json(meta)
    shapes = ", ".join(f"{k} ({','.join(str(d) for d in v.shape)})"
                       + ("" if v.dtype == case.dtype else f" {st_writer.dtype_code(v.dtype)}") for k, v in inputs.items())
    fam.rows.append((name, meta, shapes, st_writer.dtype_code(case.dtype), note))


def assert_unique_max(x, dims, name):
    """Reductions by max must not have ties in their random inputs (the gradient would be ambiguous)."""
    m = torch.amax(x, dim=dims, keepdim=True)
    counts = (x == m).sum(dim=dims)
    assert (counts == 1).all(), f"{name}: tie in max"


# ---------------------------------------------------------------------------------------------
# 1. elementwise
# ---------------------------------------------------------------------------------------------

def elementwise():
    fam = Family("elementwise")

    def binary(name, op, fn, a_shape, b_shape, a=None, b=None, note=""):
        c = Case(name)
        a = c.randn(*a_shape) if a is None else a(c)
        b = c.randn(*b_shape) if b is None else b(c)
        emit(fam, c, {"op": op}, dict(a=a, b=b), fn, note=note)

    binary("add_same", "add", lambda a, b: a + b, (45, 65), (45, 65))
    binary("add_bcast", "add", lambda a, b: a + b, (3, 1, 5), (4, 1), note="out (3,4,5)")
    binary("sub_bcast", "sub", lambda a, b: a - b, (4, 5), (5,))
    binary("mul_bcast", "mul", lambda a, b: a * b, (3, 1, 5), (1, 4, 1), note="out (3,4,5)")
    binary("div_bcast", "div", lambda a, b: a / b, (17, 3), (3,),
           b=lambda c: c.uniform(0.5, 2.0, 3), note="b in [0.5, 2]")
    binary("add_scalar0d", "add", lambda a, b: a + b, (4, 5), (), note="b is a 0-d tensor; grad.b is 0-d")
    binary("pow_tensor", "pow", torch.pow, (17, 5), (5,),
           a=lambda c: c.uniform(0.5, 2.0, 17, 5), b=lambda c: c.uniform(-2.0, 2.0, 5),
           note="a^b; base a in [0.5, 2], exponent b in [-2, 2]")

    # maximum/minimum: a = b + offset with |offset| >= 0.1, so no ties.
    for name, op, fn in (("maximum_bcast", "maximum", torch.maximum), ("minimum_bcast", "minimum", torch.minimum)):
        c = Case(name)
        b = c.randn(4)
        a = b + c.nonzero(3, 4)
        emit(fam, c, {"op": op}, dict(a=a, b=b), fn, note="a (3,4) vs b (4); |a-b| >= 0.1, no ties")

    c = Case("add_transposed")
    emit(fam, c, {"op": "add", "transpose_a": [0, 1]},
         dict(a=c.randn(65, 45), b=c.randn(45, 65)),
         lambda a, b: a.transpose(0, 1) + b,
         note="out = a.transpose(0,1) + b; a is stored (65,45); exercises a non-contiguous view")

    def unary(name, meta, fn, x, note=""):
        c = Case(name)
        emit(fam, c, meta, dict(x=x(c)), fn, note=note)

    unary("neg", {"op": "neg"}, torch.neg, lambda c: c.randn(45, 65))
    unary("pow_scalar", {"op": "pow", "exponent": 3.0}, lambda x: torch.pow(x, 3.0), lambda c: c.randn(17, 33),
          note="x^3.0, x ~ randn")
    unary("pow_half", {"op": "pow", "exponent": 0.5}, lambda x: torch.pow(x, 0.5),
          lambda c: c.uniform(0.5, 2.0, 17, 33), note="x^0.5, x in [0.5, 2]")
    unary("exp", {"op": "exp"}, torch.exp, lambda c: c.randn(17, 33))
    unary("log", {"op": "log"}, torch.log, lambda c: c.uniform(0.5, 2.0, 17, 33), note="x in [0.5, 2]")
    unary("sqrt", {"op": "sqrt"}, torch.sqrt, lambda c: c.uniform(0.5, 2.0, 17, 33), note="x in [0.5, 2]")
    unary("abs", {"op": "abs"}, torch.abs, lambda c: c.nonzero(17, 33), note="|x| >= 0.1 (no kink)")
    unary("clamp", {"op": "clamp", "min": -0.5, "max": 0.5}, lambda x: torch.clamp(x, -0.5, 0.5),
          lambda c: c.away_from(c.randn(17, 33), [-0.5, 0.5], 0.02), note="x at least 0.02 from the bounds")
    return fam


# ---------------------------------------------------------------------------------------------
# 2. reductions
# ---------------------------------------------------------------------------------------------

def reductions():
    fam = Family("reductions")
    shape = (3, 17, 5)

    def red(name, op, axis, keepdim, fn, scale=1.0, note=""):
        c = Case(name)
        x = c.randn(*shape, scale=scale)
        if op in ("max", "amax", "argmax"):
            assert_unique_max(x, axis, name)
        emit(fam, c, {"op": op, "axis": axis, "keepdim": keepdim}, dict(x=x), fn,
             grad=[] if op == "argmax" else None, note=note)

    red("sum_axis1", "sum", [1], False, lambda x: x.sum(dim=[1]))
    red("sum_axes02_keep", "sum", [0, 2], True, lambda x: x.sum(dim=[0, 2], keepdim=True), note="out (1,17,1)")
    red("sum_all", "sum", [0, 1, 2], False, lambda x: x.sum(), note="0-d output")
    red("mean_axis2", "mean", [2], False, lambda x: x.mean(dim=[2]))
    red("mean_all", "mean", [0, 1, 2], False, lambda x: x.mean(), note="0-d output")
    red("max_axis1", "max", [1], False, lambda x: torch.max(x, dim=1).values, note="values only; no ties")
    red("amax_axes01", "amax", [0, 1], False, lambda x: torch.amax(x, dim=[0, 1]), note="out (5); no ties")
    red("argmax_axis1", "argmax", [1], False, lambda x: torch.argmax(x, dim=1),
        note="out int64 (3,5); no gout/grad")
    red("logsumexp_axis2", "logsumexp", [2], False, lambda x: torch.logsumexp(x, dim=2), scale=3.0,
        note="x ~ 3*randn")
    red("logsumexp_axis0", "logsumexp", [0], False, lambda x: torch.logsumexp(x, dim=0), scale=3.0,
        note="x ~ 3*randn")
    return fam


# ---------------------------------------------------------------------------------------------
# 3. matmul
# ---------------------------------------------------------------------------------------------

def matmul():
    fam = Family("matmul")

    def mm(name, a_shape, b_shape, note="", transpose_b=False):
        c = Case(name)
        meta = {"op": "matmul"}
        fn = torch.matmul
        if transpose_b:
            meta["transpose_b"] = [0, 1]
            fn = lambda a, b: torch.matmul(a, b.transpose(0, 1))  # noqa: E731
        emit(fam, c, meta, dict(a=c.randn(*a_shape), b=c.randn(*b_shape)), fn, note=note)

    mm("matmul_2d", (17, 65), (65, 33))
    mm("matmul_batched", (3, 17, 9), (3, 9, 5))
    mm("matmul_bcast", (2, 1, 4, 6), (3, 6, 7), note="batch dims broadcast: out (2,3,4,7); grad.a summed to (2,1,4,6)")
    mm("matmul_big", (64, 256), (256, 128), note="K = 256: long sums")
    mm("matmul_tb", (17, 9), (5, 9), transpose_b=True, note="out = a @ b.transpose(0,1); b stored (5,9)")
    mm("matmul_2d_f64", (17, 65), (65, 33))
    return fam


# ---------------------------------------------------------------------------------------------
# 4. conv2d (NCHW, weight (O, C, KH, KW), groups 1, dilation 1)
# ---------------------------------------------------------------------------------------------

def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def conv():
    fam = Family("conv")

    def cv(name, x_shape, w_shape, stride=1, padding=0, bias=False, note=""):
        c = Case(name)
        stride, padding = pair(stride), pair(padding)
        fan_in = w_shape[1] * w_shape[2] * w_shape[3]
        inputs = {"x": c.randn(*x_shape), "weight": c.randn(*w_shape, scale=1.0 / math.sqrt(fan_in))}
        if bias:
            inputs["bias"] = c.randn(w_shape[0], scale=0.1)
        meta = {"op": "conv2d", "stride": stride, "padding": padding, "bias": bias}
        emit(fam, c, meta, inputs,
             lambda x, weight, bias=None: F.conv2d(x, weight, bias, stride=stride, padding=padding), note=note)

    cv("conv_1x1", (2, 8, 9, 7), (16, 8, 1, 1))
    cv("conv_3x3_p1", (2, 5, 9, 11), (6, 5, 3, 3), stride=1, padding=1, bias=True)
    cv("conv_3x3_s2", (2, 4, 17, 13), (8, 4, 3, 3), stride=2, padding=1, note="out (2,8,9,7)")
    cv("conv_7x7_s2", (1, 3, 32, 29), (8, 3, 7, 7), stride=2, padding=3, bias=True,
       note="ResNet stem; out (1,8,16,15)")
    cv("conv_1x1_s2", (2, 8, 9, 9), (4, 8, 1, 1), stride=2, note="ResNet downsample; out (2,4,5,5)")
    cv("conv_rect", (1, 2, 8, 10), (3, 2, 2, 5), stride=(1, 2), padding=(0, 1), bias=True,
       note="rectangular kernel/stride/padding; out (1,3,7,4)")
    cv("conv_3x3_f64", (2, 3, 7, 9), (4, 3, 3, 3), stride=1, padding=1, bias=True)
    cv("conv_3x3_winograd", (2, 64, 15, 13), (64, 64, 3, 3), stride=1, padding=1, bias=True,
       note="large enough that BLADES-J runs the forward pass, input and weight gradient as Winograd F(2x2, 3x3) "
            "(2 x 8 x 7 tiles, 64 channels); odd sizes cut the last tiles")

    # Inference fusion check: relu(batch_norm_eval(conv2d(x, w))) with no conv bias.
    name = "conv_bn_relu_eval"
    c = Case(name)
    eps = 1e-5
    inputs = dict(
        x=c.randn(2, 4, 9, 7),
        weight=c.randn(6, 4, 3, 3, scale=1.0 / 6.0),
        bn_weight=c.uniform(0.5, 1.5, 6),
        bn_bias=c.randn(6, scale=0.1),
        running_mean=c.randn(6, scale=0.1),
        running_var=c.uniform(0.5, 1.5, 6),
    )

    def conv_bn_relu(x, weight, bn_weight, bn_bias, running_mean, running_var):
        y = F.conv2d(x, weight, None, stride=1, padding=1)
        return F.relu(F.batch_norm(y, running_mean, running_var, bn_weight, bn_bias, training=False, eps=eps))

    emit(fam, c, {"op": "conv_bn_relu_eval", "stride": [1, 1], "padding": [1, 1], "eps": eps},
         inputs, conv_bn_relu, grad=[],
         note="relu(batch_norm(conv2d(x, weight), eval)); running_var > 0; no gout/grad")
    return fam


# ---------------------------------------------------------------------------------------------
# 5. pooling
# ---------------------------------------------------------------------------------------------

def pool():
    fam = Family("pool")

    def mp(name, shape, k, s, p, note=""):
        c = Case(name)
        meta = {"op": "max_pool2d", "kernel": pair(k), "stride": pair(s), "padding": pair(p), "ceil_mode": False}
        emit(fam, c, meta, dict(x=c.randn(*shape)),
             lambda x: F.max_pool2d(x, k, s, p), note=note)

    def ap(name, shape, k, s, p, note=""):
        c = Case(name)
        meta = {"op": "avg_pool2d", "kernel": pair(k), "stride": pair(s), "padding": pair(p),
                "ceil_mode": False, "count_include_pad": True}
        emit(fam, c, meta, dict(x=c.randn(*shape)),
             lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=True), note=note)

    mp("maxpool_k3s2p1", (2, 3, 17, 15), 3, 2, 1, note="ResNet stem pool; padding acts as -inf; out (2,3,9,8)")
    mp("maxpool_k2s2", (1, 2, 8, 8), 2, 2, 0)
    mp("maxpool_k2s2_odd", (1, 2, 9, 7), 2, 2, 0, note="odd H/W: last row/column dropped (floor); out (1,2,4,3)")
    ap("avgpool_k3s2p1", (2, 3, 17, 15), 3, 2, 1, note="padded zeros count in the divisor (always 9)")
    ap("avgpool_k2s2", (1, 2, 9, 7), 2, 2, 0, note="odd H/W: floor; out (1,2,4,3)")

    c = Case("global_avgpool")
    emit(fam, c, {"op": "global_avg_pool2d", "keepdim": False},
         dict(x=c.randn(2, 5, 7, 6)), lambda x: x.mean(dim=[2, 3]), note="mean over H,W: out (2,5)")
    c = Case("global_avgpool_keepdim")
    emit(fam, c, {"op": "global_avg_pool2d", "keepdim": True},
         dict(x=c.randn(2, 5, 7, 6)), lambda x: F.adaptive_avg_pool2d(x, 1),
         note="adaptive_avg_pool2d(x, 1): out (2,5,1,1)")
    return fam


# ---------------------------------------------------------------------------------------------
# 6. normalization
# ---------------------------------------------------------------------------------------------

def norm():
    fam = Family("norm")
    eps, momentum = 1e-5, 0.1

    def bn(name, shape, training, note=""):
        c = Case(name)
        ch = shape[1]
        inputs = dict(
            x=c.randn(*shape, scale=2.0) + 0.5,
            weight=c.uniform(0.5, 1.5, ch),
            bias=c.randn(ch, scale=0.1),
            running_mean=c.randn(ch, scale=0.1),
            running_var=c.uniform(0.5, 1.5, ch),
        )

        def fn(x, weight, bias, running_mean, running_var):
            out = F.batch_norm(x, running_mean, running_var, weight, bias,
                               training=training, momentum=momentum, eps=eps)
            if not training:
                return out
            # batch_norm updated the (copied) running stats in place.
            return {"": out, "running_mean": running_mean, "running_var": running_var}

        meta = {"op": "batch_norm", "training": training, "momentum": momentum, "eps": eps}
        emit(fam, c, meta, inputs, fn, grad=["x", "weight", "bias"], note=note)

    train_note = "running stats updated with the UNBIASED batch variance (out uses the biased one)"
    bn("batchnorm_train", (4, 6, 5, 7), True, note=train_note)
    bn("batchnorm_eval", (4, 6, 5, 7), False, note="normalizes with the running stats; no grad for them")
    bn("batchnorm_train_2d", (32, 10), True, note="(N,C) input as BatchNorm1d; " + train_note)
    bn("batchnorm_train_f64", (3, 5, 7, 9), True, note=train_note)

    def ln(name, shape):
        c = Case(name)
        d = shape[-1]
        inputs = dict(x=c.randn(*shape, scale=2.0) + 0.5, weight=c.uniform(0.5, 1.5, d), bias=c.randn(d, scale=0.1))
        emit(fam, c, {"op": "layer_norm", "normalized_shape": [d], "eps": eps}, inputs,
             lambda x, weight, bias: F.layer_norm(x, [d], weight, bias, eps), note="over the last dim, biased var")

    ln("layernorm", (3, 7, 32))
    ln("layernorm_f64", (3, 7, 32))

    def l2(name, shape, axis):
        c = Case(name)
        emit(fam, c, {"op": "l2_normalize", "axis": axis, "eps": 1e-12}, dict(x=c.randn(*shape)),
             lambda x: F.normalize(x, p=2.0, dim=axis, eps=1e-12), note="x / max(||x||_2, eps)")

    l2("l2normalize", (5, 13), 1)
    l2("l2normalize_dim0", (5, 13), 0)
    return fam


# ---------------------------------------------------------------------------------------------
# 7. activations
# ---------------------------------------------------------------------------------------------

def activation():
    fam = Family("activation")

    def act(name, meta, fn, x, note=""):
        c = Case(name)
        emit(fam, c, meta, dict(x=x(c)), fn, note=note)

    act("relu", {"op": "relu"}, F.relu, lambda c: c.nonzero(45, 65, margin=1e-3), note="|x| >= 1e-3 (no kink)")
    act("relu_kinks", {"op": "relu"}, F.relu,
        lambda c: torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=c.dtype),
        note="x exactly [-1,-0.5,0,0.5,1]; torch's relu gradient at 0 is 0")
    act("gelu_tanh", {"op": "gelu_tanh"}, lambda x: F.gelu(x, approximate="tanh"),
        lambda c: c.randn(17, 33, scale=3.0), note="x ~ 3*randn")

    def extreme(c):
        mag = c.uniform(300.0, 400.0, 4, 8)
        sign = torch.where(torch.rand((4, 8), generator=c.gen) < 0.5, -1.0, 1.0).to(c.dtype)
        return mag * sign

    act("gelu_tanh_extreme", {"op": "gelu_tanh"}, lambda x: F.gelu(x, approximate="tanh"), extreme,
        note="|x| in [300, 400], both signs: no NaN/overflow")
    act("quick_gelu", {"op": "quick_gelu"}, lambda x: x * torch.sigmoid(1.702 * x),
        lambda c: c.randn(17, 33, scale=3.0), note="x * sigmoid(1.702 x), composed in torch")
    act("sigmoid", {"op": "sigmoid"}, torch.sigmoid, lambda c: c.randn(17, 33, scale=3.0))
    act("tanh", {"op": "tanh"}, torch.tanh, lambda c: c.randn(17, 33, scale=2.0))
    act("erf", {"op": "erf"}, torch.erf, lambda c: c.randn(17, 33, scale=2.0))
    act("normal_cdf", {"op": "normal_cdf"}, lambda x: 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))),
        lambda c: c.randn(17, 33, scale=2.0), note="0.5*(1+erf(x/sqrt(2))), composed in torch")

    def sm(name, op, axis, fn):
        act(name, {"op": op, "axis": axis}, lambda x: fn(x, dim=axis), lambda c: c.randn(3, 7, 11, scale=2.0),
            note="x ~ 2*randn")

    sm("softmax_last", "softmax", -1, F.softmax)
    sm("softmax_dim1", "softmax", 1, F.softmax)
    sm("log_softmax_last", "log_softmax", -1, F.log_softmax)
    sm("log_softmax_dim0", "log_softmax", 0, F.log_softmax)
    sm("softmax_f64", "softmax", -1, F.softmax)
    return fam


# ---------------------------------------------------------------------------------------------
# 8. indexing, concatenation, views
# ---------------------------------------------------------------------------------------------

def indexing():
    fam = Family("indexing")

    name = "embedding"
    c = Case(name)
    weight = c.randn(50, 16)
    ids = c.randint(0, 50, 3, 7)
    ids[1, 3] = ids[0, 0]  # repeated ids: their gradient rows must accumulate
    ids[2, 5] = ids[0, 0]
    ids[2, 6] = ids[1, 1]
    assert len(set(ids.flatten().tolist())) < ids.numel()
    emit(fam, c, {"op": "embedding"}, dict(weight=weight, ids=ids),
         lambda weight, ids: F.embedding(ids, weight), grad=["weight"],
         note="ids int64 with repeats (grad rows accumulate); out (3,7,16)")

    c = Case("concat_axis1")
    emit(fam, c, {"op": "concat", "axis": 1},
         dict(a=c.randn(2, 3, 4), b=c.randn(2, 1, 4), c=c.randn(2, 5, 4)),
         lambda a, b, c: torch.cat([a, b, c], dim=1), note="cat([a, b, c], 1): out (2,9,4)")

    c = Case("stack_axis0")
    emit(fam, c, {"op": "stack", "axis": 0},
         dict(a=c.randn(3, 4), b=c.randn(3, 4), c=c.randn(3, 4)),
         lambda a, b, c: torch.stack([a, b, c], dim=0), note="stack([a, b, c], 0): out (3,3,4)")

    t = 5
    causal = torch.triu(torch.ones(t, t), diagonal=1)  # 1 where column > row

    c = Case("masked_fill_causal")
    emit(fam, c, {"op": "masked_fill", "value": -1e9},
         dict(x=c.randn(2, t, t), mask=causal.to(c.dtype)),
         lambda x, mask: x.masked_fill(mask.bool(), -1e9), grad=["x"],
         note="mask (5,5) F32 0/1 (1 where column > row) broadcast over the batch; no grad for mask")

    c = Case("causal_softmax")
    emit(fam, c, {"op": "causal_softmax", "axis": -1},
         dict(x=c.randn(2, t, t, scale=2.0), mask=causal.to(c.dtype)),
         lambda x, mask: F.softmax(x.masked_fill(mask.bool(), float("-inf")), dim=-1), grad=["x"],
         note="softmax(masked_fill(x, mask, -inf), -1); masked outputs and grads are exactly 0")

    c = Case("slice")
    emit(fam, c, {"op": "slice", "axis": 1, "start": 2, "end": 7},
         dict(x=c.randn(4, 9)), lambda x: x[:, 2:7], note="x[:, 2:7]: out (4,5)")

    c = Case("permute_reshape")
    emit(fam, c, {"op": "permute_reshape_mul", "perm": [0, 2, 3, 1], "shape": [8, 15]},
         dict(x=c.randn(2, 3, 4, 5), c=c.randn(8, 15)),
         lambda x, c: x.permute(0, 2, 3, 1).reshape(8, 15) * c,
         note="x.permute(0,2,3,1).reshape(8,15) * c: the multiply makes the output a new tensor")
    return fam


FAMILIES = [elementwise, reductions, matmul, conv, pool, norm, activation, indexing]


# ---------------------------------------------------------------------------------------------
# Self-check (st_writer.read is strict: padding, order, sizes, nothing trailing)
# ---------------------------------------------------------------------------------------------

def check_conventions(fname, arrays, metadata):
    """The naming rules of README.md: every tensor belongs to a case with metadata, shapes agree."""
    cases = set(metadata)
    for name, arr in arrays.items():
        parts = name.split(".")
        assert parts[0] in cases, f"{fname}: {name} has no metadata entry"
        assert parts[1] in ("in", "out", "gout", "grad"), f"{fname}: bad tensor name {name}"
        if arr.dtype.kind == "f":
            assert np.isfinite(arr).all(), f"{fname}: {name} not finite"
    for case in cases:
        meta = json.loads(metadata[case])
        assert isinstance(meta.get("op"), str), f"{fname}: {case} metadata lacks op"
        assert f"{case}.out" in arrays, f"{fname}: {case} has no out"
        assert any(k.startswith(case + ".in.") for k in arrays), f"{fname}: {case} has no inputs"
        grads = [k for k in arrays if k.startswith(case + ".grad.")]
        if grads:
            assert arrays[f"{case}.gout"].shape == arrays[f"{case}.out"].shape, f"{case}: gout shape"
            assert arrays[f"{case}.gout"].dtype == arrays[f"{case}.out"].dtype, f"{case}: gout dtype"
        else:
            assert f"{case}.gout" not in arrays, f"{case}: gout without grads"
        for g in grads:
            src = arrays[f"{case}.in.{g.split('.', 2)[2]}"]
            assert arrays[g].shape == src.shape and arrays[g].dtype == src.dtype, f"{g}: shape/dtype != input"


def self_check(families, compare_files):
    readme = open(os.path.join(HERE, "README.md"), encoding="utf-8").read() if compare_files else None
    total = 0
    for fam in families:
        path = os.path.join(HERE, fam.name + ".safetensors")
        blob = st_writer.serialize(fam.tensors, fam.metadata)
        if compare_files:
            assert st_writer.same_as_file(path, blob), \
                f"{path} differs from a fresh generation (stale or nondeterministic)"
            missing = [case for case in fam.metadata if f"`{case}`" not in readme]
            assert not missing, f"README.md lacks cases {missing}"
        arrays, metadata = st_writer.read(blob)
        assert metadata == fam.metadata and set(arrays) == set(fam.tensors)
        for name, t in fam.tensors.items():
            expect = t.detach().contiguous().numpy()
            assert arrays[name].shape == expect.shape and arrays[name].tobytes() == expect.tobytes(), name
        check_conventions(fam.name, arrays, metadata)
        total += len(blob)
        print(f"{fam.name + '.safetensors':28s} {len(fam.metadata):3d} cases {len(arrays):4d} tensors {len(blob):9d} bytes")
    print(f"{'total':56s} {total:9d} bytes")
    return total


def markdown_table(families):
    """One row per case; `outputs` lists the stored out/grad tensors (gout exists iff grads do)."""
    def shape(t):
        return "(" + ",".join(str(d) for d in t.shape) + ")"

    lines = ["| file | case | op | args | inputs | dtype | outputs | note |",
             "|---|---|---|---|---|---|---|---|"]
    for fam in families:
        for name, meta, shapes, dtype, note in fam.rows:
            args = {k: v for k, v in meta.items() if k != "op"}
            outs = [k[len(name) + 1:] + " " + shape(t) for k, t in sorted(fam.tensors.items())
                    if k.startswith(name + ".out")]
            grads = [k[len(name) + 6:] for k in fam.tensors if k.startswith(name + ".grad.")]
            stored = ", ".join(outs) + ("; grad: " + ", ".join(grads) if grads else "; no gout/grad")
            cells = [fam.name, f"`{name}`", meta["op"], f"`{meta_json(args)}`" if args else "", shapes, dtype,
                     stored, note]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="verify files on disk against a fresh generation")
    parser.add_argument("--table", action="store_true", help="print the README case table")
    args = parser.parse_args()

    families = [build() for build in FAMILIES]
    if args.table:
        print(markdown_table(families))
        return 0
    if args.check:
        self_check(families, compare_files=True)
        print("check OK: files match a fresh generation byte for byte and parse back")
        return 0
    for fam in families:
        st_writer.save(os.path.join(HERE, fam.name + ".safetensors"), fam.tensors, fam.metadata)
    self_check(families, compare_files=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
