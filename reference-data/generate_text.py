#!/usr/bin/python3
"""PyTorch reference data for the BLADES-J text encoder (org.blades.models.text) and the joint embedding
(org.blades.models.JointEmbedding).

Run from the project root with the interpreter that has torch (and torchvision, needed by the import of
generate_models.py):

    /usr/bin/python3 reference-data/generate_text.py          # write reference-data/models/text_*.safetensors
    /usr/bin/python3 reference-data/generate_text.py --check  # regenerate in memory, compare byte for byte

Files (reference-data/models/):

  text_clip_rn50.safetensors     case clip_rn50_prompts: the full-size CLIP RN50 text tower + Linear(1024, 768)
                                 on the 50 BLADES prompts. No weights are stored: both sides fill them with the
                                 portable initialisation (org.blades.nn.PortableInit, portable_uniform in
                                 generate_models.py) under TextEncoder.portableRule's ranges (text_rule here).
                                   .in.ids (50, 77) I64      the prompts tokenized by CLIP's BPE
                                   .out (50, 768) F64        the features, computed in float64 from the float32 weights
                                   .pin.<key> (16,) F32      the first 16 portable values of a few parameters
  text_tiny_clip_weights.safetensors, text_tiny_gpt2_weights.safetensors
                                 state_dicts of the tiny CLIP-named and Hugging-Face-GPT-2-named models as PyTorch
                                 holds them (float32, torch's random generator, metadata {"format": "pt"}).
  text_tiny_clip.safetensors, text_tiny_gpt2.safetensors
                                 case tiny_clip / tiny_gpt2, computed in float64 from those float32 weights:
                                   .in.ids (5, 16) I64, .in.image (3, 24) F64, .in.target (3,) I64
                                   .out (5, 24)              text features
                                   .out.logits (3, 5)        exp(logit_scale) cos(image, text), logit_scale = ln(1/0.07)
                                   .out.loss ()              cross-entropy of the logits against target (batch mean)
                                   .grad.<key>               d loss / d every text parameter, logit_scale and image
The case metadata (JSON) holds the config, the seed, the state_dict keys in PyTorch's order with shapes, and for
the prompts case the 50 prompt strings.

Determinism: one thread, deterministic algorithms, seeded generators, tensors in sorted-name order, sorted JSON
keys. Two runs give byte-identical files (`--check` verifies this against the files on disk); the bytes are
written by st_writer.py.
"""

import gzip
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import regex
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import st_writer  # noqa: E402
from generate_models import portable_rule, portable_uniform  # noqa: E402
from st_writer import meta_json  # noqa: E402

OUT_DIR = os.path.join(HERE, "models")
# The vocabulary the Java tokenizer ships with, else the shared data copy.
BPE_VOCAB_CANDIDATES = [os.path.join(HERE, "..", "src", "main", "resources", "org", "blades", "text",
                                     "bpe_simple_vocab_16e6.txt.gz"),
                        "/work/shared/data/tokenizers/bpe_simple_vocab_16e6.txt.gz"]

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

PORTABLE_SEED = 2024

# ---------------------------------------------------------------------------------------------
# Configurations (mirror org.blades.models.text.TextConfig)
# ---------------------------------------------------------------------------------------------

CLIP_RN50 = dict(vocab=49408, context=77, width=512, layers=12, heads=8, activation="QUICK_GELU", naming="CLIP",
                 projectionDim=1024, outputDim=768)
TINY_CLIP = dict(vocab=64, context=16, width=32, layers=2, heads=4, activation="QUICK_GELU", naming="CLIP",
                 projectionDim=48, outputDim=24)
TINY_GPT2 = dict(TINY_CLIP, activation="GELU_TANH", naming="HF_GPT2")

# ---------------------------------------------------------------------------------------------
# The 50 BLADES prompts, in logit-column order
# ---------------------------------------------------------------------------------------------


def blades_prompts():
    prompts = []
    for attribute in ["ISO speed rating", "aperture", "exposure time", "focal length"]:
        for level in ["low", "medium", "high"]:
            prompts.append(f"a photo of a face with the {level} value of {attribute}")
    for make in ["Nikon", "Apple", "FUJIFILM", "Canon", "Samsung", "Sony", "Panasonic", "Nokia", "Pentax", "others"]:
        prompts.append(f"a photo of a face taken with the {make} brand camera")
    for mode in ["average", "centerweighted", "others", "partial", "spot", "multi-spot", "multi-segment",
                 "evaluative"]:
        prompts.append(f"A photo of the face captured using the {mode} metering mode")
    for mode in ["auto", "auto-bracketing", "program", "manual", "aperture-priority", "easy-shooting",
                 "shutter-priority"]:
        prompts.append(f"A photo of the face captured using the {mode} exposure mode")
    for mode in ["auto", "manual"]:
        prompts.append(f"A photo of the face captured using the {mode} white balance mode")
    for program in ["landscape mode", "manual control", "normal program", "portrait mode", "shutter priority",
                    "aperture priority"]:
        prompts.append(f"A photo of the face captured using the exposure program set to {program}")
    for kind in ["photographic", "manipulated"]:
        prompts.append(f"a photo of a {kind} face")
    for region in ["mouth", "eye", "nose"]:
        prompts.append(f"a photo of a face with a manipulated {region} region")
    assert len(prompts) == 50
    return prompts

# ---------------------------------------------------------------------------------------------
# CLIP's byte-level BPE, enough for plain ASCII prompts (no ftfy: it changes no ASCII text without HTML
# entities, which the assertion in clip_tokenize guarantees)
# ---------------------------------------------------------------------------------------------


class ClipBpe:
    SOT = "<|startoftext|>"
    EOT = "<|endoftext|>"
    # CLIP's pre-tokenizer: special tokens, English contractions, letter runs, single digits, other symbol runs.
    PATTERN = regex.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]"
                            r"|[^\s\p{L}\p{N}]+", regex.IGNORECASE)

    def __init__(self, path):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
        # GPT-2's byte table: printable Latin-1 bytes map to themselves, the others to 256, 257, ... in byte order;
        # the vocabulary lists the printable ones first.
        printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
                     + list(range(ord("\u00ae"), ord("\u00ff") + 1)))
        order = printable + [b for b in range(256) if b not in printable]
        chars = [chr(b) for b in printable] + [chr(256 + i) for i in range(256 - len(printable))]
        self.byte_char = dict(zip(order, chars))
        vocab = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges] + [self.SOT, self.EOT]
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.rank = {m: i for i, m in enumerate(merges)}
        assert len(vocab) == 49408

    def bpe(self, word):
        """Symbols of one pre-token after merging, the lowest-ranked adjacent pair first, until none applies."""
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = {(parts[i], parts[i + 1]) for i in range(len(parts) - 1)}
            best = min(pairs, key=lambda p: self.rank.get(p, math.inf))
            if best not in self.rank:
                break
            merged = []
            i = 0
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def encode(self, text):
        text = regex.sub(r"\s+", " ", text).strip().lower()
        ids = []
        for piece in self.PATTERN.findall(text):
            word = "".join(self.byte_char[b] for b in piece.encode("utf-8"))
            ids.extend(self.ids[s] for s in self.bpe(word))
        return ids


def tokenizer_reference():
    """generate_tokenizers.py's full CLIP tokenizer (with ftfy), when importable, else None."""
    try:
        import generate_tokenizers
    except (ImportError, SystemExit):  # it exits when ftfy is not on PYTHONPATH
        return None
    return generate_tokenizers


def clip_tokenize(texts, context):
    """(len(texts), context) int64: start-of-text, the BPE ids, end-of-text, zero padding (CLIP's tokenize).
    Cross-checked against generate_tokenizers.py's tokenizer when that imports (PYTHONPATH with ftfy)."""
    path = next((p for p in BPE_VOCAB_CANDIDATES if os.path.isfile(p)), None)
    if path is None:
        sys.exit(f"CLIP BPE vocabulary not found at {BPE_VOCAB_CANDIDATES}")
    bpe = ClipBpe(path)
    ref = tokenizer_reference()
    full = ref.ClipReference(path) if ref is not None else None
    out = torch.zeros(len(texts), context, dtype=torch.int64)
    for row, text in enumerate(texts):
        assert text.isascii() and "&" not in text, f"the simple tokenizer only handles plain ASCII: {text!r}"
        ids = [bpe.ids[bpe.SOT]] + bpe.encode(text) + [bpe.ids[bpe.EOT]]
        assert full is None or ids[1:-1] == full.encode(text), f"tokenizers disagree on {text!r}"
        assert len(ids) <= context, f"{text!r} needs {len(ids)} > {context} tokens"
        out[row, :len(ids)] = torch.tensor(ids)
    return out

# ---------------------------------------------------------------------------------------------
# Models: OpenAI CLIP's text tower (nn.MultiheadAttention, CLIP's names) and a Hugging-Face-GPT-2-named twin
# ---------------------------------------------------------------------------------------------


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class NewGELU(nn.Module):
    """GPT-2's gelu_new: the tanh approximation."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def activation(name):
    return {"QUICK_GELU": QuickGELU, "GELU_TANH": NewGELU}[name]()


class ResidualAttentionBlock(nn.Module):
    """CLIP's block: sequence-first input (T, B, C), attention by nn.MultiheadAttention."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg["width"]
        self.attn = nn.MultiheadAttention(c, cfg["heads"])
        self.ln_1 = nn.LayerNorm(c)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(c, 4 * c)), ("gelu", activation(cfg["activation"])),
                                              ("c_proj", nn.Linear(4 * c, c))]))
        self.ln_2 = nn.LayerNorm(c)

    def forward(self, x, mask):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(cfg) for _ in range(cfg["layers"])])

    def forward(self, x, mask):
        for block in self.resblocks:
            x = block(x, mask)
        return x


class ClipTextEncoder(nn.Module):
    """CLIP.encode_text with the attributes of CLIP's constructor, then BLADES' Linear(E, OUT) as proj_out."""

    def __init__(self, cfg):
        super().__init__()
        c, t = cfg["width"], cfg["context"]
        self.transformer = Transformer(cfg)
        self.token_embedding = nn.Embedding(cfg["vocab"], c)
        self.positional_embedding = nn.Parameter(torch.empty(t, c))
        self.ln_final = nn.LayerNorm(c)
        self.text_projection = nn.Parameter(torch.empty(c, cfg["projectionDim"]))
        self.proj_out = nn.Linear(cfg["projectionDim"], cfg["outputDim"])

    def forward(self, text):
        t = text.shape[1]
        x = self.token_embedding(text) + self.positional_embedding[:t]  # (B, T, C)
        mask = torch.full((t, t), float("-inf"), dtype=x.dtype).triu_(1)  # CLIP's additive causal mask
        x = self.transformer(x.permute(1, 0, 2), mask).permute(1, 0, 2)  # (T, B, C) inside, as CLIP
        x = self.ln_final(x)
        x = x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection  # (B, E)
        return self.proj_out(x)  # (B, OUT)


class Conv1D(nn.Module):
    """Hugging Face's Conv1D: weight (IN, OUT), y = bias + x @ weight."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        out = torch.addmm(self.bias, x.reshape(-1, x.size(-1)), self.weight)
        return out.view(x.size()[:-1] + (self.nf,))


class GPT2Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["width"]
        self.heads = cfg["heads"]
        self.c_attn = Conv1D(3 * c, c)
        self.c_proj = Conv1D(c, c)

    def forward(self, x):
        b, t, c = x.shape
        d = c // self.heads
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, d).permute(0, 2, 1, 3) for z in (q, k, v))  # (B, H, T, D)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))  # as transformers
        y = torch.matmul(F.softmax(w, dim=-1), v)  # (B, H, T, D)
        return self.c_proj(y.permute(0, 2, 1, 3).reshape(b, t, c))


class GPT2MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["width"]
        self.c_fc = Conv1D(4 * c, c)
        self.c_proj = Conv1D(c, 4 * c)
        self.act = activation(cfg["activation"])

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["width"]
        self.ln_1 = nn.LayerNorm(c)
        self.attn = GPT2Attention(cfg)
        self.ln_2 = nn.LayerNorm(c)
        self.mlp = GPT2MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt2TextEncoder(nn.Module):
    """GPT2Model's names (wte, wpe, h.N, ln_f), no dropout, then text_projection and proj_out as in BLADES."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg["width"]
        self.wte = nn.Embedding(cfg["vocab"], c)
        self.wpe = nn.Embedding(cfg["context"], c)
        self.h = nn.ModuleList([GPT2Block(cfg) for _ in range(cfg["layers"])])
        self.ln_f = nn.LayerNorm(c)
        self.text_projection = nn.Parameter(torch.empty(c, cfg["projectionDim"]))
        self.proj_out = nn.Linear(cfg["projectionDim"], cfg["outputDim"])

    def forward(self, ids, positions):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        return self.proj_out(x[torch.arange(x.shape[0]), positions] @ self.text_projection)


class Joint(nn.Module):
    """CLIP's logits: exp(logit_scale) * normalize(image) @ normalize(text)^T, logit_scale = ln(1/0.07)."""

    def __init__(self):
        super().__init__()
        self.logit_scale = nn.Parameter(torch.tensor(np.log(1 / 0.07), dtype=torch.float64))

    def forward(self, image, text):
        image = image / image.norm(dim=1, keepdim=True)
        text = text / text.norm(dim=1, keepdim=True)
        return self.logit_scale.exp() * image @ text.t()


def build(cfg):
    return ClipTextEncoder(cfg) if cfg["naming"] == "CLIP" else Gpt2TextEncoder(cfg)

# ---------------------------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------------------------


def input_major_keys(model):
    """Weights stored (IN, OUT) and used as x @ W: text_projection and every Conv1D weight."""
    keys = {"text_projection"}
    keys.update(name + ".weight" for name, m in model.named_modules() if isinstance(m, Conv1D))
    return keys


def text_rule(model, key, shape):
    """(center, half_width): TextEncoder.portableRule, i.e. generate_models.portable_rule with two corrections:
    in_proj_bias is a bias (±0.1), and (IN, OUT) weights take their fan-in from dimension 0."""
    if key.endswith("in_proj_bias"):
        return 0.0, 0.1
    if key in input_major_keys(model):
        return 0.0, 1.0 / np.sqrt(np.float64(shape[0]))
    return portable_rule(key, shape)


def portable_text_init(model, seed):
    with torch.no_grad():
        for key, t in model.state_dict(keep_vars=True).items():
            v = portable_uniform(key, seed, t.numel(), *text_rule(model, key, tuple(t.shape)))
            t.copy_(torch.from_numpy(v).reshape(t.shape))


def random_init(model, gen):
    """torch's generator over text_rule's ranges: values unlike the portable ones, so that a loader that copied
    nothing (or the wrong tensor) cannot pass."""
    with torch.no_grad():
        for key, t in model.state_dict(keep_vars=True).items():
            center, half = text_rule(model, key, tuple(t.shape))
            t.copy_(center + half * (2 * torch.rand(t.shape, generator=gen) - 1))


def key_list(model):
    return [[k, list(t.shape)] for k, t in model.state_dict().items()]

# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

PIN_KEYS = ["positional_embedding", "text_projection", "token_embedding.weight",
            "transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.11.attn.in_proj_bias",
            "transformer.resblocks.5.mlp.c_fc.weight", "ln_final.weight", "proj_out.weight", "proj_out.bias"]


def clip_rn50_prompts():
    prompts = blades_prompts()
    ref = tokenizer_reference()
    assert ref is None or ref.prompts() == prompts, "the prompt list differs from generate_tokenizers.prompts()"
    ids = clip_tokenize(prompts, CLIP_RN50["context"])
    model = ClipTextEncoder(CLIP_RN50)
    portable_text_init(model, PORTABLE_SEED)
    sd = model.state_dict()
    tensors = {"clip_rn50_prompts.in.ids": ids}
    for key in PIN_KEYS:
        tensors[f"clip_rn50_prompts.pin.{key}"] = sd[key].flatten()[:16].clone()
    keys = key_list(model)
    model = model.double().eval()
    with torch.no_grad():
        tensors["clip_rn50_prompts.out"] = model(ids)
    meta = {"op": "text_encoder_forward", "config": CLIP_RN50, "seed": PORTABLE_SEED, "keys": keys,
            "prompts": prompts, "init": "portable (TextEncoder.portableRule / text_rule); out in float64",
            "tokenizer": "CLIP BPE bpe_simple_vocab_16e6, start/end of text, zero-padded"}
    return {"text_clip_rn50.safetensors": (tensors, {"clip_rn50_prompts": meta_json(meta)})}


def tiny_ids(cfg, gen, lengths, pad_with_eot):
    """(B, T) ids ending in end-of-text = V - 1 (the largest id, as in CLIP and GPT-2); CLIP rows start with
    start-of-text V - 2. Returns the ids and each row's end-of-text position."""
    v, t = cfg["vocab"], cfg["context"]
    clip = cfg["naming"] == "CLIP"
    ids = torch.zeros(len(lengths), t, dtype=torch.int64)
    positions = []
    for row, n in enumerate(lengths):
        body = torch.randint(1, v - 2, (n,), generator=gen)
        seq = torch.cat([torch.tensor([v - 2]), body]) if clip else body
        ids[row, :len(seq)] = seq
        ids[row, len(seq)] = v - 1
        if pad_with_eot[row]:
            ids[row, len(seq) + 1:] = v - 1
        positions.append(len(seq))
    positions = torch.tensor(positions)
    assert torch.equal(ids.argmax(dim=-1), positions), "the end-of-text token must be each row's first largest id"
    return ids, positions


def tiny_case(name, cfg, seed, lengths, pad_with_eot):
    gen = torch.Generator().manual_seed(seed)
    model = build(cfg)
    random_init(model, gen)
    weights = {k: t.detach().clone() for k, t in model.state_dict().items()}
    keys = key_list(model)
    ids, positions = tiny_ids(cfg, gen, lengths, pad_with_eot)
    image = torch.randn(3, cfg["outputDim"], generator=gen, dtype=torch.float64)
    target = torch.randint(0, len(lengths), (3,), generator=gen)

    model = model.double()
    joint = Joint()
    image.requires_grad_(True)
    text = model(ids) if cfg["naming"] == "CLIP" else model(ids, positions)
    logits = joint(image, text)
    loss = F.cross_entropy(logits, target)
    loss.backward()

    c = name
    tensors = {f"{c}.in.ids": ids, f"{c}.in.image": image.detach(), f"{c}.in.target": target,
               f"{c}.out": text.detach(), f"{c}.out.logits": logits.detach(), f"{c}.out.loss": loss.detach(),
               f"{c}.grad.image": image.grad, f"{c}.grad.logit_scale": joint.logit_scale.grad}
    for k, p in model.named_parameters():
        tensors[f"{c}.grad.{k}"] = p.grad
    meta = {"op": "text_encoder_joint_loss", "config": cfg, "seed": seed, "keys": keys,
            "weights": f"text_{c}_weights.safetensors",
            "loss": "cross_entropy(exp(logit_scale) * cos(image, text), target), batch mean; logit_scale = ln(1/0.07)",
            "dtype": "float64 from the float32 weights"}
    return {f"text_{c}.safetensors": (tensors, {c: meta_json(meta)}),
            f"text_{c}_weights.safetensors": (weights, {"format": "pt"})}


def build_all():
    files = {}
    files.update(tiny_case("tiny_clip", TINY_CLIP, 31, lengths=[3, 9, 1, 11, 6], pad_with_eot=[False] * 5))
    files.update(tiny_case("tiny_gpt2", TINY_GPT2, 32, lengths=[4, 15, 2, 9, 7],
                           pad_with_eot=[True, False, True, False, False]))
    files.update(clip_rn50_prompts())
    return {os.path.join(OUT_DIR, name): st_writer.serialize(t, m) for name, (t, m) in files.items()}


if __name__ == "__main__":
    sys.exit(st_writer.run_cli(__doc__, build_all))
