#!/usr/bin/python3
"""PyTorch reference data for the BLADES-J vision encoder (torchvision ResNet) and its weight loading.

Run with the interpreter that has torch and torchvision (Debian: python3-torch, python3-torchvision):

    /usr/bin/python3 reference-data/generate_models.py          # write the vision files of reference-data/models/
    /usr/bin/python3 reference-data/generate_models.py --check  # regenerate in memory, compare byte for byte

No weights are stored for the generated models: both sides fill them with the portable initialisation
(`portable_uniform` below, `org.blades.nn.PortableInit` in Java), which is integer arithmetic plus one
float64 expression rounded once to float32, so Java and numpy produce the same bits. See
reference-data/models/README-vision.md for the files, the tensor names and the scheme.

generate_text.py imports portable_rule and portable_uniform from here: keep their signatures. torchvision is
imported only where a model is built, so that import works without it. The files are written by st_writer.py
(F16/BF16 tensors are passed to it as ("F16", tensor) / ("BF16", tensor) pairs).

Determinism: one thread, deterministic algorithms, seeded generators, tensors in sorted-name order,
sorted JSON keys. Two runs give byte-identical files (`--check` verifies this against the files on disk).
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn

import st_writer
from st_writer import meta_json

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "models")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# ---------------------------------------------------------------------------------------------
# Portable initialisation (must stay identical to org.blades.nn.PortableInit)
# ---------------------------------------------------------------------------------------------

MASK64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


def fnv1a64(text):
    """64-bit FNV-1a over the UTF-8 bytes of text."""
    h = FNV_OFFSET
    for b in text.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def splitmix64_stream(state, n):
    """The first n outputs of splitmix64 started at state (== java.util.SplittableRandom(state).nextLong())."""
    with np.errstate(over="ignore"):
        z = np.uint64(state) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(GOLDEN_GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
        return z ^ (z >> np.uint64(31))


def portable_uniform(key, seed, n, center, half_width):
    """n float32 values center + half_width * (2u - 1), u = (x >> 40) * 2^-24, x from splitmix64 seeded
    with fnv1a64(key) XOR seed. Everything up to the final rounding is exact or one correctly rounded
    float64 operation, so Java computes the same bits."""
    x = splitmix64_stream(fnv1a64(key) ^ (seed & MASK64), n)
    u = (x >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    return (np.float64(center) + np.float64(half_width) * (2.0 * u - 1.0)).astype(np.float32)


def portable_rule(key, shape):
    """(center, half_width) for a state_dict entry, or None for num_batches_tracked (set to 0)."""
    last = key.rsplit(".", 1)[-1]
    if last == "num_batches_tracked":
        return None
    if last == "running_mean":
        return 0.0, 0.1
    if last == "running_var":
        return 1.0, 0.5
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        return 0.0, 1.0 / np.sqrt(np.float64(fan_in))
    if len(shape) == 1 and last == "weight":
        return 1.0, 0.1
    if len(shape) == 1 and last == "bias":
        return 0.0, 0.1
    raise ValueError(f"portable init: no rule for '{key}' of shape {tuple(shape)}")


def portable_init(model, seed):
    with torch.no_grad():
        for key, t in model.state_dict(keep_vars=True).items():
            rule = portable_rule(key, tuple(t.shape))
            if rule is None:
                t.zero_()
            else:
                v = portable_uniform(key, seed, t.numel(), *rule)
                t.copy_(torch.from_numpy(v).reshape(t.shape))


# ---------------------------------------------------------------------------------------------
# Models: torchvision's own ResNet, Bottleneck and _make_layer, with a configurable width
# ---------------------------------------------------------------------------------------------

def torchvision_resnet():
    """torchvision's ResNet and Bottleneck classes (Debian: apt-get install python3-torchvision)."""
    try:
        from torchvision.models.resnet import Bottleneck, ResNet
    except ImportError:  # pragma: no cover - environment problem, not a code path
        sys.exit("torchvision is missing: apt-get install python3-torchvision")
    return ResNet, Bottleneck


def scaled_resnet(width, blocks, out_dim):
    """torchvision ResNet with Bottleneck blocks where the stem width and the per-stage planes are
    (width, 2*width, 4*width, 8*width) instead of the fixed (64, 128, 256, 512); forward, blocks, layer
    construction and parameter names are torchvision's. width 64, blocks [3, 4, 6, 3] is resnet50."""
    ResNet, Bottleneck = torchvision_resnet()

    class ScaledResNet(ResNet):
        def __init__(self):
            nn.Module.__init__(self)
            self._norm_layer = nn.BatchNorm2d
            self.inplanes = width
            self.dilation = 1
            self.groups = 1
            self.base_width = 64
            self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(Bottleneck, width, blocks[0])
            self.layer2 = self._make_layer(Bottleneck, 2 * width, blocks[1], stride=2)
            self.layer3 = self._make_layer(Bottleneck, 4 * width, blocks[2], stride=2)
            self.layer4 = self._make_layer(Bottleneck, 8 * width, blocks[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(8 * width * Bottleneck.expansion, out_dim)

    return ScaledResNet()


def torchvision_resnet50(out_dim):
    """The model of the paper: torchvision resnet50 with fc replaced by Linear(2048, out_dim)."""
    torchvision_resnet()
    import torchvision
    m = torchvision.models.resnet50()
    m.fc = nn.Linear(2048, out_dim)
    return m


def config_json(width, blocks, out_dim):
    return {"width": width, "blocks": list(blocks), "out_dim": out_dim}


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

PIN_KEYS = ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
            "layer3.5.conv2.weight", "layer4.2.bn3.running_var", "fc.weight", "fc.bias"]
PIN_COUNT = 16


def resnet50_forward():
    """Full-size ResNet-50 (fc -> 768), portable weights (seed 42), eval mode, batch 2 at 224x224, in float64.
    Also the first values of a few tensors (pin.*) and torchvision's state_dict names and shapes (metadata)."""
    seed, out_dim = 42, 768
    model = torchvision_resnet50(out_dim)
    reference = scaled_resnet(64, [3, 4, 6, 3], out_dim)
    names = [(k, list(v.shape)) for k, v in model.state_dict().items()]
    assert names == [(k, list(v.shape)) for k, v in reference.state_dict().items()], \
        "scaled_resnet(64, [3, 4, 6, 3]) must be torchvision resnet50"
    portable_init(model, seed)
    tensors = {}
    for key in PIN_KEYS:
        tensors[f"pin.{key}"] = model.state_dict()[key].flatten()[:PIN_COUNT].clone()
    gen = torch.Generator().manual_seed(20240)
    # Rounded to float16 and stored as F16 (exact): half the bytes of F32, and the model sees exactly these values.
    x = torch.randn(2, 3, 224, 224, generator=gen).half().float()
    model = model.double().eval()
    with torch.no_grad():
        out = model(x.double())
    tensors["resnet50.in.x"] = ("F16", x)
    tensors["resnet50.out"] = out
    meta = {"resnet50": meta_json({"op": "resnet_forward", "mode": "eval", "seed": seed,
                                   "config": config_json(64, [3, 4, 6, 3], out_dim), "state_dict": names,
                                   "note": "torchvision resnet50, fc = Linear(2048, 768); out computed in float64"}),
            "pin": meta_json({"seed": seed, "count": PIN_COUNT, "keys": PIN_KEYS})}
    return tensors, meta


def tiny_train():
    """The tiny preset (width 8, blocks [1, 1, 1, 1], out 768), portable weights (seed 7), one training
    forward/backward in float64: out, loss = sum(out * gout), every parameter gradient, the buffers after
    the step's batch-norm update, and the eval-mode output with those updated running statistics."""
    seed, width, blocks, out_dim = 7, 8, [1, 1, 1, 1], 768
    model = scaled_resnet(width, blocks, out_dim)
    portable_init(model, seed)
    model = model.double().train()
    gen = torch.Generator().manual_seed(20241)
    x = torch.randn(2, 3, 64, 64, generator=gen)
    gout = torch.randn(2, out_dim, generator=gen)
    out = model(x.double())
    loss = (out * gout.double()).sum()
    loss.backward()
    tensors = {"tiny.in.x": x, "tiny.gout": gout, "tiny.out": out.float(), "tiny.out.loss": loss.float()}
    for key, p in model.named_parameters():
        tensors[f"tiny.grad.{key}"] = p.grad.float()
    for key, b in model.named_buffers():
        tensors[f"tiny.buffer.{key}"] = b if b.dtype == torch.int64 else b.float()
    model.eval()
    with torch.no_grad():
        tensors["tiny.out.eval"] = model(x.double()).float()
    meta = {"tiny": meta_json({"op": "resnet_train_step", "seed": seed, "config": config_json(width, blocks, out_dim),
                               "momentum": 0.1, "eps": 1e-5,
                               "note": "computed in float64, stored rounded to float32"})}
    return tensors, meta


def torchvision_small():
    """A small ResNet with torchvision's own initialisation (torch.manual_seed), three training-mode
    batches to move the running statistics (num_batches_tracked = 3), written as a plain torchvision
    state_dict in F32, F16 and BF16, plus the eval outputs PyTorch computes with each set of weights."""
    width, blocks, out_dim = 4, [1, 1, 1, 1], 10
    torch.manual_seed(1234)
    model = scaled_resnet(width, blocks, out_dim)
    gen = torch.Generator().manual_seed(20242)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, 40, 40, generator=gen))
    x = torch.randn(2, 3, 40, 40, generator=gen)
    state = model.state_dict()
    files = {}
    io = {"small.in.x": x}
    for code in ("F32", "F16", "BF16"):
        weights = {}
        rounded = {}
        for key, t in state.items():
            if t.dtype == torch.int64:
                weights[key] = t
                rounded[key] = t
            elif code == "F32":
                weights[key] = t
                rounded[key] = t
            else:
                weights[key] = (code, t)
                rounded[key] = t.half().float() if code == "F16" else t.bfloat16().float()
        suffix = "" if code == "F32" else "_" + code.lower()
        files[f"torchvision_small{suffix}.safetensors"] = (weights, {"format": "pt"})
        m = scaled_resnet(width, blocks, out_dim)
        m.load_state_dict(rounded)
        m = m.double().eval()
        with torch.no_grad():
            io[f"small.out.{code.lower()}"] = m(x.double())
    meta = {"small": meta_json({"op": "resnet_forward", "mode": "eval", "config": config_json(width, blocks, out_dim),
                                "note": "weights from torchvision's init; out.<dtype> uses the weights of "
                                        "torchvision_small[_<dtype>].safetensors, computed in float64"})}
    files["torchvision_small_io.safetensors"] = (io, meta)
    return files


def build_all():
    files = {}
    files["resnet50_forward.safetensors"] = resnet50_forward()
    files["resnet_tiny_train.safetensors"] = tiny_train()
    files.update(torchvision_small())
    return {os.path.join(OUT_DIR, name): st_writer.serialize(t, m) for name, (t, m) in files.items()}


if __name__ == "__main__":
    sys.exit(st_writer.run_cli(__doc__, build_all))
