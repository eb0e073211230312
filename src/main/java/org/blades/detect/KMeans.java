package org.blades.detect;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.blades.kernels.Parallel;

// N = samples, D = feature dimensions, K = clusters, T = local trials per k-means++ centre

/**
 * k-means++ seeding and Lloyd's k-means, the two ways {@link GmmInit} starts EM. The algorithms are
 * scikit-learn's (_kmeans_plusplus, _kmeans_single_lloyd); the random draws are our own
 * (java.util.SplittableRandom), so seeds differ from scikit-learn's for the same random_state, and the
 * tests compare the fitted mixture's likelihood rather than the seeds.
 */
final class KMeans {

    /** Lloyd's iteration cap and relative tolerance: scikit-learn's KMeans defaults. */
    static final int MAX_ITER = 300;
    static final double TOL = 1e-4;
    private static final int ROW_GRAIN = 512;

    private KMeans() {}

    /**
     * k-means++ (Arthur and Vassilvitskii 2007) with greedy local trials: the first seed uniformly at
     * random; each further seed the best of T = 2 + floor(ln K) candidates drawn with probability
     * proportional to the squared distance to the nearest seed so far, "best" meaning the smallest
     * resulting potential (sum of squared distances to the nearest seed).
     *
     * @return (K) row indices of the seeds
     */
    static int[] plusPlus(Samples s, int k, SplittableRandom rnd) {
        int n = s.n();
        int trials = 2 + (int) Math.log(k);
        int[] seeds = new int[k]; // (K)
        seeds[0] = rnd.nextInt(n);
        double[] closest = new double[n]; // (N) squared distance to the nearest seed
        squaredDistances(s, seeds[0], closest);
        double potential = sum(closest);
        double[] cumulative = new double[n]; // (N)
        double[][] candidateClosest = new double[trials][n]; // (T, N)
        int[] candidates = new int[trials]; // (T)
        double[] candidatePotential = new double[trials]; // (T)
        for (int c = 1; c < k; c++) {
            double run = 0;
            for (int i = 0; i < n; i++) {
                run += closest[i];
                cumulative[i] = run;
            }
            for (int t = 0; t < trials; t++) {
                double target = rnd.nextDouble() * potential;
                candidates[t] = Math.min(n - 1, searchSortedLeft(cumulative, target));
            }
            for (int t = 0; t < trials; t++) {
                double[] cc = candidateClosest[t];
                squaredDistances(s, candidates[t], cc);
                for (int i = 0; i < n; i++) {
                    cc[i] = Math.min(cc[i], closest[i]);
                }
                candidatePotential[t] = sum(cc);
            }
            int best = 0;
            for (int t = 1; t < trials; t++) {
                if (candidatePotential[t] < candidatePotential[best]) {
                    best = t;
                }
            }
            potential = candidatePotential[best];
            System.arraycopy(candidateClosest[best], 0, closest, 0, n);
            seeds[c] = candidates[best];
        }
        return seeds;
    }

    /**
     * Lloyd's algorithm from k-means++ seeds, as scikit-learn's KMeans(n_init=1): assign each sample to
     * its nearest centre, move each centre to its samples' mean; stop when the labels repeat or the
     * centres move by at most TOL times the mean feature variance (summed squared shift); empty
     * clusters take the samples farthest from their centres. When stopped by the tolerance, the labels
     * are recomputed once so that they match the final centres.
     *
     * @return (N) cluster label of each sample
     */
    static int[] lloyd(Samples s, int k, SplittableRandom rnd) {
        int n = s.n();
        int d = s.d();
        double[] x = s.x(); // (N, D)
        int[] seeds = plusPlus(s, k, rnd);
        double[] centers = new double[k * d]; // (K, D)
        for (int c = 0; c < k; c++) {
            System.arraycopy(x, seeds[c] * d, centers, c * d, d);
        }
        double tol = meanVariance(s) * TOL;
        int[] labels = new int[n]; // (N)
        int[] previous = new int[n]; // (N)
        Arrays.fill(previous, -1);
        double[] next = new double[k * d]; // (K, D)
        double[] distances = new double[n]; // (N) squared distance to the assigned centre
        boolean strict = false;
        for (int it = 0; it < MAX_ITER; it++) {
            assign(s, centers, k, labels, distances);
            double[] counts = new double[k]; // (K)
            Arrays.fill(next, 0.0);
            for (int i = 0; i < n; i++) {
                int c = labels[i];
                counts[c] += 1;
                for (int j = 0; j < d; j++) {
                    next[c * d + j] += x[i * d + j];
                }
            }
            relocateEmpty(s, labels, distances, counts, next, k);
            double shift = 0;
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    double v = counts[c] > 0 ? next[c * d + j] / counts[c] : centers[c * d + j];
                    double dv = v - centers[c * d + j];
                    shift += dv * dv;
                    next[c * d + j] = v;
                }
            }
            System.arraycopy(next, 0, centers, 0, k * d);
            if (Arrays.equals(labels, previous)) {
                strict = true;
                break;
            }
            if (shift <= tol) {
                break;
            }
            System.arraycopy(labels, 0, previous, 0, n);
        }
        if (!strict) {
            assign(s, centers, k, labels, distances);
        }
        return labels;
    }

    /** Nearest centre of each sample (ties: the lowest index) and its squared distance. */
    private static void assign(Samples s, double[] centers, int k, int[] labels, double[] distances) {
        int d = s.d();
        double[] x = s.x();
        Parallel.parallelForRange(s.n(), ROW_GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int best = 0;
                double bestDist = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double dist = 0;
                    for (int j = 0; j < d; j++) {
                        double v = x[i * d + j] - centers[c * d + j];
                        dist += v * v;
                    }
                    if (dist < bestDist) {
                        bestDist = dist;
                        best = c;
                    }
                }
                labels[i] = best;
                distances[i] = bestDist;
            }
        });
    }

    /**
     * Gives each empty cluster one of the samples farthest from their centres (the farthest to the
     * first empty cluster), moving that sample's contribution out of its own cluster's sum, as
     * scikit-learn's _relocate_empty_clusters_dense.
     *
     * @param sums (K, D) per-cluster sums of samples, updated
     */
    private static void relocateEmpty(Samples s, int[] labels, double[] distances, double[] counts, double[] sums,
                                      int k) {
        int d = s.d();
        double[] x = s.x();
        int empty = 0;
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) {
                empty++;
            }
        }
        if (empty == 0) {
            return;
        }
        Integer[] order = new Integer[s.n()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(distances[b], distances[a]));
        int next = 0;
        for (int c = 0; c < k; c++) {
            if (counts[c] != 0) {
                continue;
            }
            int far = order[next++];
            int old = labels[far];
            for (int j = 0; j < d; j++) {
                sums[old * d + j] -= x[far * d + j];
                sums[c * d + j] = x[far * d + j];
            }
            counts[old] -= 1;
            counts[c] = 1;
        }
    }

    /** Mean over features of the per-feature variance (numpy's var, ddof 0). */
    private static double meanVariance(Samples s) {
        int n = s.n();
        int d = s.d();
        double[] x = s.x();
        double total = 0;
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i * d + j];
            }
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                double v = x[i * d + j] - mean;
                var += v * v;
            }
            total += var / n;
        }
        return total / d;
    }

    /** out[i] = ||x_i - x_row||^2 for every sample. */
    private static void squaredDistances(Samples s, int row, double[] out) {
        int d = s.d();
        double[] x = s.x();
        int ro = row * d;
        Parallel.parallelForRange(s.n(), ROW_GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double dist = 0;
                int io = i * d;
                for (int j = 0; j < d; j++) {
                    double v = x[io + j] - x[ro + j];
                    dist += v * v;
                }
                out[i] = dist;
            }
        });
    }

    /** numpy.searchsorted(a, v, side='left'): the first i with a[i] >= v (a.length if none). */
    static int searchSortedLeft(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }
}
