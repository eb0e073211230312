package org.blades.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.blades.gradcheck.GradCheck;
import org.blades.gradcheck.GradCheckOptions;
import org.blades.gradcheck.GradCheckReport;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

// B = images, P = prompts, E = feature size. Values against PyTorch: TextEncoderReferenceTest (logits, loss,
// the gradients of logit_scale and of the image features).

class JointEmbeddingTest {

    @Test
    void startsAtClipsTemperatureAndScalesCosines() {
        JointEmbedding joint = new JointEmbedding(DType.F64);
        assertThat(joint.logitScale().item()).isEqualTo(Math.log(1.0 / 0.07));
        assertThat(joint.namedParameters().keySet()).containsExactly("logit_scale");
        Tensor image = Tensor.of(new double[] {3, 4, 0, 0, 0, 2}, 2, 3); // (B, E)
        Tensor text = Tensor.of(new double[] {6, 8, 0, 0, 0, -1}, 2, 3); // (P, E)
        double[] logits = joint.logits(image, text).toDoubleArray(); // (B, P)
        double s = 1.0 / 0.07;
        assertThat(logits).containsExactly(new double[] {s, 0.0, 0.0, -s}, within(1e-12));
        Tensor opposite = Tensor.of(new double[] {-3, -4, 0}, 1, 3); // (P = 1, E)
        assertThat(JointEmbedding.cosine(image.slice(0, 0, 1), opposite).item()).isCloseTo(-1.0, within(1e-15));
    }

    /** Gradients to both feature inputs and to logit_scale, every element, float64 central differences. */
    @Test
    void gradientsMatchFiniteDifferences() {
        JointEmbedding joint = new JointEmbedding(DType.F64);
        Tensor image = Tensor.randn(DType.F64, 11, 3, 5).requiresGrad(true).named("image"); // (B, E)
        Tensor text = Tensor.randn(DType.F64, 12, 4, 5).requiresGrad(true).named("text"); // (P, E)
        GradCheckReport report = GradCheck.check("JointEmbedding.logits",
                in -> joint.logits(in.get(0), in.get(1)), List.of(image, text, joint.logitScale()),
                GradCheckOptions.defaults());
        report.assertPassed();
        assertThat(report.elementsChecked()).isEqualTo(3 * 5 + 4 * 5 + 1);
        assertThat(joint.logitScale().grad()).isNotNull();
    }

    @Test
    void errorsNameTheShapes() {
        JointEmbedding joint = new JointEmbedding(DType.F32);
        assertThatThrownBy(() -> joint.logits(Tensor.zeros(DType.F32, 2, 768), Tensor.zeros(DType.F32, 50, 512)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 768]")
                .hasMessageContaining("[50, 512]");
        assertThatThrownBy(() -> joint.logits(Tensor.zeros(DType.F32, 768), Tensor.zeros(DType.F32, 50, 768)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(B, E)");
    }
}
