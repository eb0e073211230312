#!/usr/bin/python3
"""PyTorch SGEMM throughput on the shapes of org.blades.bench.GemmBench, for comparison.

Run (Debian's torch links the generic libblas.so.3; point it at OpenBLAS):

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread /usr/bin/python3 reference-data/bench_gemm_torch.py

Options: --threads N (default 2, via torch.set_num_threads), --reps N (default 7),
--sizes square|resnet|all (default all).

Legend: M = output channels, K = in_channels * kh * kw, N = OH * OW for one 224 x 224 image, i.e.
C (M, N) = W (M, K) @ cols (K, N); GFLOP/s counts 2 * M * N * K per call. Timing as in GemmBench:
about a second of warm-up per shape, then the median of --reps repetitions of >= 50 ms each.
The last line is "RESULT torch_gemm_1024_gflops=<value>".
"""

import argparse
import statistics
import time

import torch

SQUARE = [
    ("square 256", 256, 256, 256, 1),
    ("square 1024", 1024, 1024, 1024, 1),
    ("square 2048", 2048, 2048, 2048, 1),
]

# (name, M, N, K, occurrences in a ResNet-50 forward pass); torchvision v1.5, stride on the 3x3.
RESNET = [
    ("conv1 7x7/2 3->64 @112", 64, 12544, 147, 1),
    ("l1 1x1 64->64 @56", 64, 3136, 64, 1),
    ("l1 3x3 64->64 @56", 64, 3136, 576, 3),
    ("l1 1x1 64->256 @56 (+ds)", 256, 3136, 64, 4),
    ("l1 1x1 256->64 @56", 64, 3136, 256, 2),
    ("l2 1x1 256->128 @56", 128, 3136, 256, 1),
    ("l2 3x3 128->128 @28", 128, 784, 1152, 4),
    ("l2 1x1 128->512 @28", 512, 784, 128, 4),
    ("l2 ds 1x1/2 256->512 @28", 512, 784, 256, 1),
    ("l2 1x1 512->128 @28", 128, 784, 512, 3),
    ("l3 1x1 512->256 @28", 256, 784, 512, 1),
    ("l3 3x3 256->256 @14", 256, 196, 2304, 6),
    ("l3 1x1 256->1024 @14", 1024, 196, 256, 6),
    ("l3 ds 1x1/2 512->1024 @14", 1024, 196, 512, 1),
    ("l3 1x1 1024->256 @14", 256, 196, 1024, 5),
    ("l4 1x1 1024->512 @14", 512, 196, 1024, 1),
    ("l4 3x3 512->512 @7", 512, 49, 4608, 3),
    ("l4 1x1 512->2048 @7", 2048, 49, 512, 3),
    ("l4 ds 1x1/2 1024->2048 @7", 2048, 49, 1024, 1),
    ("l4 1x1 2048->512 @7", 512, 49, 2048, 2),
]

WARMUP_SECONDS = 1.0
REP_MIN_SECONDS = 0.05


def blas_library():
    """The BLAS shared object actually mapped into this process (torch's own build info says 'generic')."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() and line.split()[-1].startswith("/")}
        return ", ".join(sorted(libs)) or "unknown"
    except OSError:
        return "unknown"


def measure(m, n, k, reps):
    """Median GFLOP/s of torch.mm on (M, K) @ (K, N) into a preallocated (M, N)."""
    gen = torch.Generator().manual_seed(42)
    a = torch.rand(m, k, generator=gen) * 2 - 1  # (M, K)
    b = torch.rand(k, n, generator=gen) * 2 - 1  # (K, N)
    c = torch.empty(m, n)  # (M, N)
    flops = 2.0 * m * n * k
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < WARMUP_SECONDS or calls < 3:
        torch.mm(a, b, out=c)
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    per_rep = max(1, int(REP_MIN_SECONDS / per_call + 0.999))
    gflops = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(per_rep):
            torch.mm(a, b, out=c)
        t1 = time.perf_counter()
        gflops.append(flops * per_rep / (t1 - t0) / 1e9)
    return statistics.median(gflops)


def report(name, m, n, k, reps):
    g = measure(m, n, k, reps)
    print(f"{name:30s} {m:6d} {n:6d} {k:6d} {2.0 * m * n * k / g / 1e6:10.3f} {g:10.1f}", flush=True)
    return g


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--sizes", choices=["square", "resnet", "all"], default="all")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)
    print(f"bench_gemm_torch: torch {torch.__version__} torch.mm float32, BLAS {blas_library()}, "
          f"threads={torch.get_num_threads()}, median of {args.reps} reps")
    print(f"{'shape':30s} {'M':>6s} {'N':>6s} {'K':>6s} {'ms/call':>10s} {'GFLOP/s':>10s}")
    g1024 = None
    if args.sizes != "resnet":
        for name, m, n, k, _ in SQUARE:
            g = report(name, m, n, k, args.reps)
            if m == 1024:
                g1024 = g
    if args.sizes != "square":
        flops = 0.0
        seconds = 0.0
        for name, m, n, k, count in RESNET:
            g = report(name, m, n, k, args.reps)
            flops += count * 2.0 * m * n * k
            seconds += count * 2.0 * m * n * k / (g * 1e9)
        print(f"{'resnet50 convs, weighted':30s} {'':>6s} {'':>6s} {'':>6s} {seconds * 1e3:10.3f} {flops / seconds / 1e9:10.1f}")
    if g1024 is None:
        g1024 = measure(1024, 1024, 1024, args.reps)
    print(f"RESULT torch_gemm_1024_gflops={g1024:.1f}")


if __name__ == "__main__":
    main()
