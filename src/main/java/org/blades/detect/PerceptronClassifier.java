package org.blades.detect;

import org.blades.nn.Linear;
import org.blades.nn.Module;
import org.blades.nn.PortableInit;
import org.blades.tensor.Activation;
import org.blades.tensor.Autograd;
import org.blades.tensor.DType;
import org.blades.tensor.Indexing;
import org.blades.tensor.Norm;
import org.blades.tensor.Tensor;

// B = batch, D = feature dimensions (768), H = hidden units (1536), C = 2 classes (0 photograph, 1 AI-generated)

/**
 * The binary detector of the paper's Sec. 3.3 ("Binary Classification") and Sec. 4.1: a two-layer perceptron
 * {@code D -> H -> C} with ReLU in between, on L2-normalised features (the authors' code normalises first).
 * Class 1 is "AI-generated"; P(AI-generated) = softmax(logits)[:, 1], decided at 0.5.
 *
 * <p>State-dict names: fc1.weight (H, D), fc1.bias (H), fc2.weight (C, H), fc2.bias (C).
 */
public final class PerceptronClassifier extends Module {

    /** Class index of AI-generated images in the logits. */
    public static final int GENERATED = 1;
    /** Class index of photographs. */
    public static final int PHOTOGRAPH = 0;

    private final int in;
    private final int hidden;
    private final Linear fc1;
    private final Linear fc2;

    public PerceptronClassifier(DType dtype, int in, int hidden) {
        if (in < 1 || hidden < 1) {
            throw new IllegalArgumentException("PerceptronClassifier: dimensions must be >= 1, got " + in + " -> "
                    + hidden + " -> 2");
        }
        this.in = in;
        this.hidden = hidden;
        this.fc1 = child("fc1", new Linear(dtype, in, hidden, true));
        this.fc2 = child("fc2", new Linear(dtype, hidden, 2, true));
    }

    /** The paper's 768 -> 1536 -> 2, float32. */
    public static PerceptronClassifier paper() {
        return new PerceptronClassifier(DType.F32, 768, 1536);
    }

    public int inputDimension() {
        return in;
    }

    public int hiddenUnits() {
        return hidden;
    }

    /**
     * Fills the parameters with PyTorch's default nn.Linear distribution, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
     * for weights and biases alike, drawn by {@link PortableInit#uniform} (so Python reproduces them bit for
     * bit from the key and the seed).
     */
    public PerceptronClassifier initialise(long seed) {
        for (var e : namedParameters().entrySet()) {
            int fanIn = e.getKey().startsWith("fc1.") ? in : hidden;
            PortableInit.fill(e.getValue(), e.getKey(), seed, new PortableInit.Rule(0.0, 1.0 / Math.sqrt(fanIn)));
        }
        return this;
    }

    /** logits (B, C) for features (B, D): fc2(relu(fc1(x / ||x||))). */
    public Tensor logits(Tensor features) {
        if (features.dim() != 2 || features.size(1) != in) {
            throw new IllegalArgumentException("PerceptronClassifier: features must be (B, " + in + "), got "
                    + java.util.Arrays.toString(features.shape()));
        }
        return fc2.forward(Activation.relu(fc1.forward(Norm.l2Normalize(features, 1))));
    }

    /** P(AI-generated) per row of features (B, D), without recording gradients: (B). */
    public double[] probabilityGenerated(Tensor features) {
        try (var s = Autograd.noGrad()) {
            Tensor p = Activation.softmax(logits(features.to(fc1.weight().dtype())), 1); // (B, C)
            double[] all = p.toDoubleArray();
            double[] out = new double[features.size(0)];
            for (int b = 0; b < out.length; b++) {
                out[b] = all[b * 2 + GENERATED];
            }
            return out;
        }
    }

    /**
     * Mean cross-entropy {@code -1/B sum_b log softmax(logits_b)[label_b]} (torch.nn.functional.cross_entropy).
     *
     * @param logits (B, C)
     * @param labels (B) in {0, 1}
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        int b = logits.size(0);
        if (logits.dim() != 2 || logits.size(1) != 2 || labels.length != b) {
            throw new IllegalArgumentException("crossEntropy: logits " + java.util.Arrays.toString(logits.shape())
                    + " and " + labels.length + " labels do not form (B, 2) and (B)");
        }
        for (int label : labels) {
            if (label != PHOTOGRAPH && label != GENERATED) {
                throw new IllegalArgumentException("crossEntropy: label " + label + " is not 0 or 1");
            }
        }
        Tensor logp = Activation.logSoftmax(logits, 1).reshape(b, 2, 1); // (B, C, 1)
        return Indexing.selectRows(logp, labels).mean().neg();
    }
}
