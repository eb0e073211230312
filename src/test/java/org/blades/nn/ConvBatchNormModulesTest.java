package org.blades.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.blades.tensor.BatchNorm;
import org.blades.tensor.Conv;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;

// N = batch, C = channels, H/W = height/width

/** The Conv2d and BatchNorm2d modules: PyTorch's member names, and forwards that are exactly the ops they wrap. */
class ConvBatchNormModulesTest {

    @Test
    void conv2dHasTorchNamesAndIsConvConv2d() {
        Conv2d conv = new Conv2d(DType.F64, 3, 5, 3, Conv2dOptions.of(2, 1), true);
        assertThat(conv.stateDict().keySet()).containsExactly("weight", "bias");
        assertThat(conv.weight().shape()).containsExactly(5, 3, 3, 3);
        PortableInit.init(conv, 1);
        Tensor x = Tensor.randn(DType.F64, 2, 2, 3, 9, 8); // (N, C, H, W)
        Tensor expected = Conv.conv2d(x, conv.weight(), conv.bias(), Conv2dOptions.of(2, 1));
        assertThat(conv.forward(x).toDoubleArray()).containsExactly(expected.toDoubleArray());
        assertThat(new Conv2d(DType.F32, 3, 5, 1, Conv2dOptions.DEFAULT, false).stateDict()).containsOnlyKeys("weight");
        assertThatThrownBy(() -> new Conv2d(DType.F32, 0, 5, 1, Conv2dOptions.DEFAULT, false))
                .hasMessageContaining("Conv2d: channels 0 -> 5");
    }

    @Test
    void batchNorm2dHasTorchNamesInOrderAndCountsTrainingBatches() {
        BatchNorm2d bn = new BatchNorm2d(DType.F32, 4);
        assertThat(bn.stateDict().keySet())
                .containsExactly("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
        assertThat(bn.namedParameters().keySet()).containsExactly("weight", "bias");
        assertThat(bn.stateDict().get("num_batches_tracked").shape()).isEmpty();
        assertThat(bn.integerBufferNames()).containsExactly("num_batches_tracked");

        Tensor x = Tensor.randn(DType.F32, 3, 2, 4, 5, 5); // (N, C, H, W)
        BatchNorm.Params twin = BatchNorm.Params.init(DType.F32, 4);
        Tensor expected = BatchNorm.forward(x, twin, BatchNorm.Mode.TRAIN);
        assertThat(bn.forward(x).toFloatArray()).containsExactly(expected.toFloatArray());
        assertThat(bn.params().runningMean().toFloatArray()).containsExactly(twin.runningMean().toFloatArray());
        assertThat(bn.params().runningVar().toFloatArray()).containsExactly(twin.runningVar().toFloatArray());
        bn.forward(x);
        assertThat(bn.numBatchesTracked()).isEqualTo(2);

        bn.train(false);
        float[] runningMean = bn.params().runningMean().toFloatArray();
        Tensor eval = bn.forward(x);
        assertThat(eval.toFloatArray()).containsExactly(BatchNorm.forward(x, bn.params(), BatchNorm.Mode.EVAL)
                .toFloatArray());
        assertThat(bn.numBatchesTracked()).as("evaluation does not count").isEqualTo(2);
        assertThat(bn.params().runningMean().toFloatArray()).containsExactly(runningMean);
        assertThatThrownBy(() -> bn.forward(Tensor.zeros(DType.F32, 2, 4)))
                .hasMessageContaining("BatchNorm2d(4): input must be 4-D (N, C, H, W), got float32(2, 4)");
    }

    @Test
    void convBatchNormRefusesAConvolutionWithBias() {
        Conv2d conv = new Conv2d(DType.F32, 2, 3, 1, Conv2dOptions.DEFAULT, true);
        BatchNorm2d bn = new BatchNorm2d(DType.F32, 3);
        assertThatThrownBy(() -> ConvBatchNorm.forward(conv, bn, Tensor.zeros(DType.F32, 1, 2, 4, 4),
                Conv.Epilogue.RELU)).hasMessageContaining("must have no bias");
    }
}
