package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.blades.kernels.ConvGeometry;
import org.blades.kernels.ConvScalar;
import org.blades.kernels.Im2colScalar;
import org.blades.tensor.Pool;
import org.blades.tensor.Pool2dOptions;
import org.blades.tensor.Tensor;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// B = batch, C = input channels, H/W = input size, O = output channels, KH/KW = window, OH/OW = output size,
// K = C*KH*KW and P = OH*OW: the column matrix of one image is (K, P), of the batch (K, B*P).

/**
 * im2col / col2im against Im2colScalar (bit for bit: pure copies, and col2im adds each pixel's entries in the
 * oracle's order), conv2d forward and backward against ConvScalar, and max / average pooling against
 * org.blades.tensor.Pool in float64, over odd geometries (1x1 to 7x7 and rectangular windows, strides 1 and 2,
 * paddings 0 to 3, images 1x1 to 17x13).
 *
 * <p>Convolution tolerance: per element, twice the float dot-product bound T * 2^-24 * sum|terms| (T = terms
 * summed: K forward, B*P for dW, O*KH*KW for dx; sum|terms| from the oracle run on absolute values) plus 1e-6.
 * Pooling: maxima exact, averages 1e-6 + 1e-5 |ref|.
 */
class ConvPoolKernelTest {

    private static List<ConvGeometry> geometries() {
        List<ConvGeometry> out = new ArrayList<>();
        int[][] images = {{1, 1, 1}, {3, 5, 5}, {3, 17, 13}, {17, 7, 9}};
        int[][] windows = {{1, 1}, {3, 3}, {7, 7}, {2, 5}, {3, 1}};
        int[][] strides = {{1, 1}, {2, 2}, {1, 2}};
        int[][] pads = {{0, 0}, {1, 1}, {3, 3}, {0, 2}};
        for (int[] im : images) {
            for (int[] k : windows) {
                for (int[] s : strides) {
                    for (int[] p : pads) {
                        if (im[1] + 2 * p[0] >= k[0] && im[2] + 2 * p[1] >= k[1]) {
                            out.add(new ConvGeometry(im[0], im[1], im[2], k[0], k[1], s[0], s[1], p[0], p[1]));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void im2colAndCol2imMatchTheScalarTwinExactly() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(41);
        int checked = 0;
        for (ConvGeometry g : geometries()) {
            int batch = 1 + (checked % 3);
            int kk = g.colRows();
            int p = g.colCols();
            int offX = 5;
            float[] x = OpenClTestSupport.uniform(rng, offX + batch * g.imageSize(), -1, 1);
            DeviceBuffer bx = k.device().upload(x);
            DeviceBuffer cols = k.device().allocate(kk * batch * p);
            k.im2col(bx, offX, batch, g, cols);
            float[] got = cols.download(); // (K, B * P)
            float[] dcols = OpenClTestSupport.uniform(rng, kk * batch * p, -1, 1); // (K, B * P)
            DeviceBuffer bdcols = k.device().upload(dcols);
            DeviceBuffer bdx = k.device().allocate(offX + batch * g.imageSize());
            k.col2im(bdcols, batch, g, bdx, offX);
            float[] dx = bdx.download();
            for (int b = 0; b < batch; b++) {
                float[] ref = new float[kk * p]; // (K, P) image b's column matrix
                Im2colScalar.im2col(x, offX + b * g.imageSize(), g, ref, 0);
                float[] mine = new float[kk * p]; // (K, P) image b's columns of the batch matrix
                float[] slice = new float[kk * p]; // (K, P) image b's columns of dcols
                for (int r = 0; r < kk; r++) {
                    System.arraycopy(got, r * batch * p + b * p, mine, r * p, p);
                    System.arraycopy(dcols, r * batch * p + b * p, slice, r * p, p);
                }
                assertThat(java.util.Arrays.mismatch(mine, ref)).as("im2col %s image %d", g, b).isEqualTo(-1);
                float[] dxRef = new float[g.imageSize()]; // (C, H, W)
                Im2colScalar.col2im(slice, 0, g, dxRef, 0);
                float[] dxMine = java.util.Arrays.copyOfRange(dx, offX + b * g.imageSize(),
                        offX + (b + 1) * g.imageSize()); // (C, H, W)
                assertThat(java.util.Arrays.mismatch(dxMine, dxRef)).as("col2im %s image %d", g, b).isEqualTo(-1);
            }
            assertThat(java.util.Arrays.copyOf(dx, offX)).as("col2im leaves the offset alone").containsOnly(0f);
            checked++;
        }
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void conv2dForwardAndBackwardMatchConvScalar() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(43);
        int[] outChannels = {1, 3, 17};
        int i = 0;
        for (ConvGeometry g : geometries()) {
            if (i++ % 5 != 0) {
                continue; // a fifth of the grid (every window, stride and padding still appears): a quick run
            }
            int o = outChannels[i % 3];
            int batch = 1 + i % 3;
            checkConv(k, rng, g, batch, o, i % 2 == 0);
        }
        // a ResNet-like shape: 3x3, stride 2, padding 1, 17 -> 65 channels
        checkConv(k, rng, new ConvGeometry(17, 15, 15, 3, 3, 2, 2, 1, 1), 2, 65, true);
    }

    private static void checkConv(OpenClKernels k, SplittableRandom rng, ConvGeometry g, int batch, int o,
                                  boolean bias) {
        int kk = g.colRows();
        int p = g.colCols();
        float[] x = OpenClTestSupport.uniform(rng, batch * g.imageSize(), -1, 1);
        float[] w = OpenClTestSupport.uniform(rng, o * kk, -1, 1);
        float[] b = OpenClTestSupport.uniform(rng, o, -1, 1);
        float[] dy = OpenClTestSupport.uniform(rng, batch * o * p, -1, 1);
        float[] dx0 = OpenClTestSupport.uniform(rng, batch * g.imageSize(), -1, 1);
        float[] dw0 = OpenClTestSupport.uniform(rng, o * kk, -1, 1);
        float[] db0 = OpenClTestSupport.uniform(rng, o, -1, 1);

        double[] xd = OpenClTestSupport.widen(x);
        double[] wd = OpenClTestSupport.widen(w);
        double[] dyd = OpenClTestSupport.widen(dy);
        double[] y = new double[batch * o * p]; // (B, O, OH, OW)
        ConvScalar.forward(xd, wd, bias ? OpenClTestSupport.widen(b) : null, y, batch, o, g);
        double[] yAbs = new double[y.length]; // sum of |terms| per output
        ConvScalar.forward(abs(xd), abs(wd), bias ? abs(OpenClTestSupport.widen(b)) : null, yAbs, batch, o, g);
        double[] dx = OpenClTestSupport.widen(dx0);
        double[] dw = OpenClTestSupport.widen(dw0);
        double[] db = OpenClTestSupport.widen(db0);
        ConvScalar.backward(xd, wd, dyd, dx, dw, db, batch, o, g);
        double[] dxAbs = new double[dx.length];
        double[] dwAbs = new double[dw.length];
        double[] dbAbs = new double[db.length];
        ConvScalar.backward(abs(xd), abs(wd), abs(dyd), dxAbs, dwAbs, dbAbs, batch, o, g);

        DeviceBuffer bx = k.device().upload(x);
        DeviceBuffer bw = k.device().upload(w);
        DeviceBuffer bb = k.device().upload(b);
        DeviceBuffer by = k.device().allocate(batch * o * p);
        DeviceBuffer bdy = k.device().upload(dy);
        DeviceBuffer bdx = k.device().upload(dx0);
        DeviceBuffer bdw = k.device().upload(dw0);
        DeviceBuffer bdb = k.device().upload(db0);
        k.conv2d(bx, batch, g, bw, o, bias ? bb : null, by);
        k.conv2dBackward(bx, batch, g, bw, o, bdy, bdx, bdw, bdb);
        String what = "conv2d " + g + " B " + batch + " O " + o + (bias ? " with bias" : "");
        assertWithinDotBound(what + " y", by.download(), y, yAbs, kk + 1);
        assertWithinDotBound(what + " dx", bdx.download(), dx, dxAbs, o * g.kernelH() * g.kernelW() + 1);
        assertWithinDotBound(what + " dw", bdw.download(), dw, dwAbs, batch * p + 1);
        assertWithinDotBound(what + " db", bdb.download(), db, dbAbs, batch * p + 1);
    }

    private static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Math.abs(v[i]);
        }
        return a;
    }

    /** |actual - ref| <= 2 * terms * 2^-24 * absRef + 1e-6 per element (see the class comment). */
    private static void assertWithinDotBound(String what, float[] actual, double[] ref, double[] absRef, int terms) {
        for (int i = 0; i < ref.length; i++) {
            double bound = 2.0 * terms * 0x1p-24 * absRef[i] + 1e-6;
            double diff = Math.abs(actual[i] - ref[i]);
            if (!(diff <= bound)) {
                throw new AssertionError(String.format("%s[%d]: %s vs oracle %s, |diff| %.3e > bound %.3e", what, i,
                        actual[i], ref[i], diff, bound));
            }
        }
    }

    @Test
    void maxAndAveragePoolingMatchPool() {
        OpenClKernels k = OpenClTestSupport.kernels();
        SplittableRandom rng = new SplittableRandom(45);
        int[][] images = {{1, 1, 1, 1}, {2, 3, 5, 5}, {1, 17, 13, 17}, {3, 2, 8, 7}}; // (B, C, H, W)
        int[][] windows = {{1, 1, 0}, {2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {5, 3, 2}}; // (kernel, stride, padding)
        for (int[] im : images) {
            for (int[] wnd : windows) {
                if (im[2] + 2 * wnd[2] < wnd[0] || im[3] + 2 * wnd[2] < wnd[0]) {
                    continue;
                }
                ConvGeometry g = new ConvGeometry(im[1], im[2], im[3], wnd[0], wnd[0], wnd[1], wnd[1], wnd[2], wnd[2]);
                Pool2dOptions o = Pool2dOptions.of(wnd[0], wnd[1], wnd[2]);
                int numel = im[0] * g.imageSize();
                float[] x = OpenClTestSupport.uniform(rng, numel, -1, 1);
                for (int i = 0; i < numel; i += 7) {
                    x[i] = Math.round(x[i]); // ties inside windows: the first maximum must take the gradient
                }
                int outs = im[0] * im[1] * g.outH() * g.outW();
                int[] outShape = {im[0], im[1], g.outH(), g.outW()};
                float[] dy = OpenClTestSupport.uniform(rng, outs, -1, 1);
                for (boolean max : new boolean[] {true, false}) {
                    Tensor xt = Tensor.of(OpenClTestSupport.widen(x), im).requiresGrad(true);
                    Tensor yt = max ? Pool.maxPool2d(xt, o) : Pool.avgPool2d(xt, o);
                    yt.backward(Tensor.of(OpenClTestSupport.widen(dy), outShape));
                    DeviceBuffer bx = k.device().upload(x);
                    DeviceBuffer by = k.device().allocate(outs);
                    DeviceBuffer bdy = k.device().upload(dy);
                    DeviceBuffer bdx = k.device().allocate(numel);
                    if (max) {
                        k.maxPool2d(bx, im[0], g, by);
                        k.maxPool2dBackward(bx, im[0], g, bdy, bdx);
                    } else {
                        k.avgPool2d(bx, im[0], g, by);
                        k.avgPool2dBackward(bdy, im[0], g, bdx);
                    }
                    String what = (max ? "maxPool2d " : "avgPool2d ") + java.util.Arrays.toString(im) + " " + o;
                    Tolerance tol = max ? Tolerance.EXACT : new Tolerance(1e-6, 1e-5);
                    TensorCompare.assertClose(what + " y", by.download(), outShape, yt.toDoubleArray(), outShape,
                            tol);
                    TensorCompare.assertClose(what + " dx", bdx.download(), im, xt.grad().toDoubleArray(), im,
                            new Tolerance(1e-6, 1e-5));
                }
            }
        }
    }
}
