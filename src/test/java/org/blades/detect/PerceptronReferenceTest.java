package org.blades.detect;

import java.util.Arrays;
import java.util.List;

import org.blades.nn.PortableInit;
import org.blades.nn.optim.Adam;
import org.blades.nn.optim.AdamOptions;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.Test;

// B = batch (64), D = 768, H = 1536

/**
 * The binary detector's first five training steps against PyTorch 1.13 (reference-data/detect/mlp.safetensors):
 * the same portable initial parameters and batches on both sides, F.normalize -> Linear -> ReLU -> Linear,
 * F.cross_entropy, torch.optim.Adam(lr 3e-4). Compared: the losses, the first logits and gradients, the
 * parameters after five steps.
 *
 * <p>Tolerance: the float32 default, 1e-6 + 1e-5 |ref|, for everything (the 768- and 1536-long float32 sums run
 * in another order than PyTorch's, which costs a few 1e-8). The parameters move by about lr = 3e-4 per step, so
 * the absolute part is a third of a percent of one step.
 */
class PerceptronReferenceTest {

    private static final Tolerance SUMS = Tolerance.F32;

    /** synthetic.py's uniform(stream, i). */
    private static double uniform(long stream, long i) {
        return (PortableInit.splitmix64(stream, i) >>> 11) * 0x1p-53;
    }

    @Test
    void firstAdamStepsMatchPyTorch() {
        try (ReferenceFile ref = ReferenceFile.open("detect/mlp")) {
            var args = ref.caseArgs("mlp");
            int d = ((Number) args.get("d")).intValue();
            int b = ((Number) args.get("batch")).intValue();
            int steps = ((Number) args.get("steps")).intValue();
            PerceptronClassifier model = new PerceptronClassifier(org.blades.tensor.DType.F32, d,
                    ((Number) args.get("hidden")).intValue()).initialise(((Number) args.get("seed")).longValue());
            Adam adam = new Adam(model.parameters(), AdamOptions.adamDefaults().withLr(3e-4));
            double[] losses = new double[steps];
            for (int s = 1; s <= steps; s++) {
                float[] x = new float[b * d]; // (B, D)
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) ((uniform(30 + s, i) - 0.5) * 2);
                }
                int[] y = new int[b]; // (B)
                for (int i = 0; i < b; i++) {
                    y[i] = (int) Math.floor(uniform(40 + s, i) * 2);
                }
                Tensor xs = Tensor.of(x, b, d);
                if (s == 1) {
                    Tensor logits = model.logits(xs);
                    print(ref.assertClose("mlp.out.step1.logits", logits.toFloatArray(), logits.shape(), Tolerance.F32));
                    adam.zeroGrad();
                    PerceptronClassifier.crossEntropy(logits, y).backward();
                    var p = model.namedParameters();
                    print(ref.assertClose("mlp.out.step1.grad.fc2.weight", p.get("fc2.weight").grad().toFloatArray(),
                            new int[] {2, 1536}, SUMS));
                    print(ref.assertClose("mlp.out.step1.grad.fc2.bias", p.get("fc2.bias").grad().toFloatArray(),
                            new int[] {2}, SUMS));
                    print(ref.assertClose("mlp.out.step1.grad.fc1.bias", p.get("fc1.bias").grad().toFloatArray(),
                            new int[] {1536}, SUMS));
                    float[] rows = Arrays.copyOf(p.get("fc1.weight").grad().toFloatArray(), 4 * d);
                    print(ref.assertClose("mlp.out.step1.grad.fc1.weight_rows", rows, new int[] {4, d}, SUMS));
                }
                losses[s - 1] = PerceptronTrainer.step(model, adam, xs, y);
            }
            print(ref.assertClose("mlp.out.losses", losses, new int[] {steps}, Tolerance.F32));
            var p = model.namedParameters();
            print(ref.assertClose("mlp.out.final.fc2.weight", p.get("fc2.weight").toFloatArray(), new int[] {2, 1536}, SUMS));
            print(ref.assertClose("mlp.out.final.fc2.bias", p.get("fc2.bias").toFloatArray(), new int[] {2}, SUMS));
            print(ref.assertClose("mlp.out.final.fc1.bias", p.get("fc1.bias").toFloatArray(), new int[] {1536}, SUMS));
            float[] w = p.get("fc1.weight").toFloatArray(); // (H, D)
            float[] rows = new float[8 * d];
            System.arraycopy(w, 0, rows, 0, 4 * d);
            System.arraycopy(w, w.length - 4 * d, rows, 4 * d, 4 * d);
            print(ref.assertClose("mlp.out.final.fc1.weight_rows", rows, new int[] {8, d}, SUMS));
            System.out.println("losses " + Arrays.toString(losses));
        }
    }

    private static void print(TensorCompare.Report r) {
        System.out.println(r.summary());
    }

    @Test
    void portableInitialisationIsPyTorchsDistribution() {
        PerceptronClassifier m = new PerceptronClassifier(org.blades.tensor.DType.F32, 12, 20).initialise(7);
        for (var e : m.namedParameters().entrySet()) {
            double bound = 1 / Math.sqrt(e.getKey().startsWith("fc1.") ? 12 : 20);
            for (float v : e.getValue().toFloatArray()) {
                org.assertj.core.api.Assertions.assertThat(Math.abs(v)).as(e.getKey()).isLessThanOrEqualTo((float) bound);
            }
        }
        org.assertj.core.api.Assertions.assertThat(List.copyOf(m.namedParameters().keySet()))
                .containsExactly("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }
}
