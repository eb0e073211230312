#!/usr/bin/python3
"""Times scikit-learn's GaussianMixture on the benchmark data of `blades bench gmm`, on this machine.

    /usr/bin/python3 reference-data/detect/gmm_bench_sklearn.py            # 3 timed fits, writes gmm_bench_sklearn.json
    /usr/bin/python3 reference-data/detect/gmm_bench_sklearn.py --reps 1

Settings are the ones GmmBench uses (and the authors' detector): N = 25,000 samples, D = 768, K = 10 components,
covariance 'full', init 'k-means++', random_state 2024, reg_covar 1e-6, tol 1e-3, max_iter 100, n_init 1, on the
portable synthetic data of synthetic.py (seed 2024), bit-identical to the Java side.

BLAS: OpenBLAS (pthread build) with 2 threads. Debian's numpy links the reference libblas.so.3 by default; the
script re-executes itself with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread so that the dynamic
linker picks OpenBLAS, and caps threads with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS and threadpoolctl. The JSON
records which BLAS threadpoolctl saw, so a run on the slow reference BLAS cannot pass unnoticed.

The reported figure is the best (minimum) wall time of the `fit` calls, data generation excluded; the median is
recorded too. The best of several runs is the estimator least disturbed by other processes on a shared machine,
and GmmBench uses the same statistic for Java. GmmBench stores the figure as its default scikit-learn time.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
THREADS = "2"

if os.environ.get("LD_LIBRARY_PATH", "").split(":")[0] != OPENBLAS_DIR:
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = OPENBLAS_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env["OMP_NUM_THREADS"] = THREADS
    env["OPENBLAS_NUM_THREADS"] = THREADS
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N, D, K, SEED = 25_000, 768, 10, 2024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "gmm_bench_sklearn.json"))
    args = ap.parse_args()

    x, _ = synthetic.mixture(N, D, K, SEED)
    with threadpool_limits(limits=int(THREADS)):
        blas = [
            {k: info.get(k) for k in ("internal_api", "num_threads", "filepath", "version", "architecture")}
            for info in threadpool_info()
        ]
        if not any(b["internal_api"] == "openblas" for b in blas):
            sys.exit("gmm_bench_sklearn: OpenBLAS not loaded (threadpoolctl sees %s)" % blas)
        seconds, fits = [], []
        for r in range(args.reps):
            gm = GaussianMixture(n_components=K, covariance_type="full", tol=1e-3, reg_covar=1e-6, max_iter=100,
                                 n_init=1, init_params="k-means++", random_state=SEED)
            t0 = time.perf_counter()
            gm.fit(x)
            dt = time.perf_counter() - t0
            seconds.append(dt)
            fits.append({"seconds": dt, "n_iter": int(gm.n_iter_), "converged": bool(gm.converged_),
                         "lower_bound": float(gm.lower_bound_)})
            print("fit %d: %.3f s, n_iter %d, lower bound %.6f, load average %.2f" % (r, dt, gm.n_iter_, gm.lower_bound_,
                                                                                   os.getloadavg()[0]), flush=True)
        score = float(gm.score(x))
    result = {
        "what": "scikit-learn GaussianMixture.fit wall time on `blades bench gmm` data",
        "settings": {"n": N, "d": D, "k": K, "seed": SEED, "covariance_type": "full", "init_params": "k-means++",
                     "random_state": SEED, "reg_covar": 1e-6, "tol": 1e-3, "max_iter": 100, "n_init": 1},
        "best_seconds": min(seconds),
        "median_seconds": statistics.median(seconds),
        "fits": fits,
        "final_score": score,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "blas": blas,
        "measured": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average_at_end": list(os.getloadavg()),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print("best %.3f s, median %.3f s -> %s" % (result["best_seconds"], result["median_seconds"], args.out))


if __name__ == "__main__":
    main()
