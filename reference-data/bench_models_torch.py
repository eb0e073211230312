"""The PyTorch side of `blades bench resnet50` and `blades bench text`: the same models, shapes, thread count and
timing method as org.blades.bench.ResNetBench and org.blades.bench.TextBench, so the two print comparable tables.

Run (PyTorch 1.13 CPU lives under /usr/bin/python3; its OpenBLAS needs the pthread build on the library path):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread /usr/bin/python3 reference-data/bench_models_torch.py
Options: --threads N (2), --iters N (timed iterations per mode, 10), --warmup N (2), --modes
resnet50,text,memory (the default; layers on request), --memory-batch N (48), --layers-batch N (1).

Modes (N = batch, 224 x 224 RGB inputs, standard-normal values from a seeded generator):
  resnet50   torchvision resnet50 with fc = Linear(2048, 768). Inference: eval() under no_grad at N = 1 and 8,
             then the same frozen (torch.jit.freeze + optimize_for_inference, as ResNetInference is).
             Training: train() (batch statistics), loss = out.sum(), backward, zero_grad (set_to_none=False, as
             Module.zeroGrad) at N = 8. Milliseconds per image = median iteration time / N; best is printed too.
  text       CLIP RN50's text tower + Linear(1024, 768) (generate_text.ClipTextEncoder) on the 50 BLADES prompts,
             forward + backward of out.sum(): once on the full 77 positions (what CLIP does) and once on the
             first 17 (the longest prompt's end-of-text is position 16; the Java encoder computes only those,
             since nothing after a pooled position can reach it under the causal mask).
  memory     ResNet-50 training steps at --memory-batch in a fresh subprocess; ru_maxrss (peak resident set) of that
             subprocess, and its RSS after building the model and input (interpreter + libraries + weights), so
             the part the training step adds is visible.
  layers     each distinct convolution of ResNet-50 at 224 px alone (F.conv2d under no_grad, no bias) at
             --layers-batch, ms per call and GFLOP/s, and the sum over the model's 53 convolutions: the table of
             `blades bench resnet50 --layers`.
The last lines are `RESULT torch_...=<v>` lines, one per number.
"""

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SEED = 1234
IMAGE = 224


def resnet50():
    model = torchvision.models.resnet50()
    model.fc = torch.nn.Linear(2048, 768)
    return model


def image_batch(n):
    gen = torch.Generator().manual_seed(SEED)
    return torch.randn(n, 3, IMAGE, IMAGE, generator=gen)


def timed(step, warmup, iters):
    """Seconds of each of iters calls of step, after warmup untimed calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def row(out, name, batch, times):
    """Prints one table row in milliseconds per image; returns the median."""
    med = statistics.median(times) * 1e3 / batch
    best = min(times) * 1e3 / batch
    print(f"{name:<34} {batch:>5} {med:>12.1f} {best:>12.1f}", file=out)
    return med


def bench_resnet(args, results):
    model = resnet50()
    model.eval()
    # PyTorch's own frozen-inference path, the counterpart of ResNetInference: TorchScript freezing folds the
    # batch norms into the convolutions and optimize_for_inference prepacks their weights for oneDNN
    with torch.no_grad():
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))
    for label, key, net in (("resnet50 inference", "infer", model),
                            ("resnet50 inference, frozen", "infer_frozen", frozen)):
        for n in (1, 8):
            x = image_batch(n)

            def infer():
                with torch.no_grad():
                    net(x)

            results[f"torch_resnet50_{key}_b{n}_ms"] = row(sys.stdout, label, n,
                                                            timed(infer, args.warmup, args.iters))
    model.train()
    n = 8
    x = image_batch(n)

    def train():
        model.zero_grad(set_to_none=False)
        model(x).sum().backward()

    results[f"torch_resnet50_train_b{n}_ms"] = row(sys.stdout, "resnet50 training fwd+bwd", n,
                                                   timed(train, args.warmup, args.iters))


# ResNet-50's convolutions at 224 px: (C, H, O, kernel, stride, count); the same table as ResNetBench's
# RESNET50_CONVS (count = how many of the 53 have that shape, downsample projections included).
RESNET50_CONVS = [
    (3, 224, 64, 7, 2, 1),
    (64, 56, 64, 1, 1, 1), (64, 56, 64, 3, 1, 3), (64, 56, 256, 1, 1, 4), (256, 56, 64, 1, 1, 2),
    (256, 56, 128, 1, 1, 1), (128, 56, 128, 3, 2, 1), (256, 56, 512, 1, 2, 1), (128, 28, 512, 1, 1, 4),
    (512, 28, 128, 1, 1, 3), (128, 28, 128, 3, 1, 3),
    (512, 28, 256, 1, 1, 1), (256, 28, 256, 3, 2, 1), (512, 28, 1024, 1, 2, 1), (256, 14, 1024, 1, 1, 6),
    (1024, 14, 256, 1, 1, 5), (256, 14, 256, 3, 1, 5),
    (1024, 14, 512, 1, 1, 1), (512, 14, 512, 3, 2, 1), (1024, 14, 2048, 1, 2, 1), (512, 7, 2048, 1, 1, 3),
    (2048, 7, 512, 1, 1, 2), (512, 7, 512, 3, 1, 2),
]


def bench_layers(args, results):
    """Each distinct convolution alone (F.conv2d under no_grad) at --layers-batch: ms per call and the sum."""
    n = args.layers_batch
    gen = torch.Generator().manual_seed(SEED)
    total = 0.0
    print(f"{'convolution':<34} {'batch':>5} {'count':>8} {'ms median':>12} {'ms best':>12} {'GFLOP/s':>8}")
    for c, h, o, k, stride, count in RESNET50_CONVS:
        x = torch.randn(n, c, h, h, generator=gen)
        w = torch.randn(o, c, k, k, generator=gen) / math.sqrt(c * k * k)

        def step():
            with torch.no_grad():
                torch.nn.functional.conv2d(x, w, None, stride, k // 2)

        times = timed(step, args.warmup, args.iters)
        ms = statistics.median(times) * 1e3
        oh = (h + 2 * (k // 2) - k) // stride + 1
        gflops = 2.0 * n * o * c * k * k * oh * oh / (ms * 1e6)
        name = f"{c}->{o} {k}x{k}/{stride} @{h}"
        print(f"{name:<34} {n:>5} {count:>8} {ms:>12.3f} {min(times) * 1e3:>12.3f} {gflops:>8.1f}")
        total += count * ms
    print(f"sum over the 53 convolutions: {total:.1f} ms per batch, {total / n:.1f} ms per image")
    results[f"torch_resnet50_convs_b{n}_ms"] = total


def bench_text(args, results):
    import generate_text  # noqa: E402 (sets one thread and deterministic algorithms on import: undone below)

    torch.use_deterministic_algorithms(False)
    torch.set_num_threads(args.threads)
    ids = generate_text.clip_tokenize(generate_text.blades_prompts(), generate_text.CLIP_RN50["context"])  # (50, 77)
    model = generate_text.ClipTextEncoder(generate_text.CLIP_RN50)
    gen = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        model.positional_embedding.normal_(0.0, 0.01, generator=gen)
        model.text_projection.normal_(0.0, 512 ** -0.5, generator=gen)
    keep = int(ids.argmax(dim=-1).max()) + 1  # 17: positions up to the last end-of-text token
    for name, batch_ids in (("full77", ids), (f"first{keep}", ids[:, :keep].contiguous())):
        def step():
            model.zero_grad(set_to_none=False)
            model(batch_ids).sum().backward()

        times = timed(step, args.warmup, args.iters)
        med = statistics.median(times) * 1e3
        print(f"{'clip-rn50 text fwd+bwd ' + name:<34} {50:>5} {med:>12.1f} {min(times) * 1e3:>12.1f}"
              "   (ms per 50 prompts)")
        results[f"torch_clip_text_fwd_bwd_{name}_ms"] = med


def rss_mib():
    """Current resident set of this process (Linux /proc), MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def memory_child(batch, steps):
    """Runs in the subprocess: prints the RSS after setup and the peak RSS over training steps, MiB."""
    model = resnet50()
    model.train()
    x = image_batch(batch)
    base = rss_mib()
    for _ in range(steps):
        model.zero_grad(set_to_none=False)
        model(x).sum().backward()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is KiB on Linux
    print(f"MEMORY base_mib={base:.0f} peak_mib={peak:.0f}")


def bench_memory(args, results):
    cmd = [sys.executable, os.path.abspath(__file__), "--memory-child", "--threads", str(args.threads),
           "--memory-batch", str(args.memory_batch)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("MEMORY "))
    fields = dict(kv.split("=") for kv in line.split()[1:])
    base, peak = float(fields["base_mib"]), float(fields["peak_mib"])
    print(f"resnet50 training batch {args.memory_batch}: peak RSS {peak:.0f} MiB (RSS before the first step "
          f"{base:.0f} MiB, so the steps add {peak - base:.0f} MiB); {time.perf_counter() - t0:.0f} s")
    results[f"torch_resnet50_train_b{args.memory_batch}_peak_rss_mib"] = peak
    results[f"torch_resnet50_train_b{args.memory_batch}_base_rss_mib"] = base


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--modes", default="resnet50,text,memory")
    p.add_argument("--memory-batch", type=int, default=48)
    p.add_argument("--layers-batch", type=int, default=1)
    p.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.memory_child:
        memory_child(args.memory_batch, steps=2)
        return
    modes = args.modes.split(",")
    print(f"PyTorch {torch.__version__} (torchvision {torchvision.__version__}), threads={torch.get_num_threads()}, "
          f"warm-up {args.warmup}, median of {args.iters}")
    print(f"{'mode':<34} {'batch':>5} {'ms/image med':>12} {'ms/image best':>12}")
    results = {}
    if "resnet50" in modes:
        bench_resnet(args, results)
    if "layers" in modes:
        bench_layers(args, results)
    if "text" in modes:
        bench_text(args, results)
    if "memory" in modes:
        bench_memory(args, results)
    for k, v in results.items():
        print(f"RESULT {k}={v:.1f}")


if __name__ == "__main__":
    main()
