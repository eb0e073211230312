"""Portable synthetic mixture data, bit-identical to org.blades.bench.SyntheticMixture (Java).

Legend: N = samples, D = dimensions, K = clusters.

Why not numpy.random: the Java benchmark must fit exactly the data scikit-learn was timed on, and 25,000 x 768
doubles (150 MB) are too big to store. Both sides therefore use the same counter-based generator (SplitMix64:
output i of stream s is mix(s + (i + 1) * GOLDEN)) and only IEEE operations that are exact per step (+, *, and
correctly rounded sqrt), applied in the same order, so the two arrays agree bit for bit.

    uniform(s, i) = (mix(s + (i + 1) * GOLDEN) >> 11) * 2^-53          in [0, 1)
    means[c, j]   = (uniform(seed + 1, c * D + j) - 0.5) * 2                  (K, D)
    scale[c]      = 0.2 + 0.02 * c                                            (K)
    label[n]      = floor(uniform(seed + 2, n) * K)                           (N)
    e[n, j]       = (uniform(seed + 3, 2 (n D + j)) + uniform(seed + 3, 2 (n D + j) + 1) - 1) * sqrt(6)
                    (triangular noise, mean 0, variance 1)
    x[n, j]       = means[label n, j] + scale[label n] * (e[n, j] + 0.5 * e[n, j - 1])   (e[n, -1] = 0)

The clusters are far apart: centres ~ sqrt(2 D / 3) ~ 23 apart for D = 768, while two points of one cluster are at
most ~ sqrt(2 D 1.25) 0.38 ~ 17 apart, so k-means++ seeds one point per cluster and EM converges in a few iterations
in both implementations. Each cluster has a banded, full covariance.
"""

import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


def uniforms(stream, start, count):
    """uniform(stream, i) for i in [start, start + count), float64."""
    with np.errstate(over="ignore"):
        i = np.arange(start + 1, start + count + 1, dtype=np.uint64)
        z = np.uint64(stream) + i * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * M1
        z = (z ^ (z >> np.uint64(27))) * M2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def mixture(n, d, k, seed):
    """(x (N, D) float64, labels (N) int64) as described in the module comment."""
    means = (uniforms(seed + 1, 0, k * d).reshape(k, d) - 0.5) * 2  # (K, D)
    scale = 0.2 + 0.02 * np.arange(k, dtype=np.float64)  # (K)
    labels = np.floor(uniforms(seed + 2, 0, n) * k).astype(np.int64)  # (N)
    x = np.empty((n, d), dtype=np.float64)  # (N, D)
    sqrt6 = np.sqrt(6.0)
    chunk = 1024
    for r0 in range(0, n, chunk):
        r1 = min(n, r0 + chunk)
        u = uniforms(seed + 3, 2 * r0 * d, 2 * (r1 - r0) * d).reshape(r1 - r0, d, 2)  # (rows, D, 2)
        e = (u[:, :, 0] + u[:, :, 1] - 1) * sqrt6  # (rows, D)
        prev = np.zeros_like(e)
        prev[:, 1:] = e[:, :-1]
        lab = labels[r0:r1]
        x[r0:r1] = means[lab] + scale[lab][:, None] * (e + 0.5 * prev)
    return x, labels
