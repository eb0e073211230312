package org.blades.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Aparapi 3.0.2 depends on bcel 6.5.0 and scala-library 2.13.12, used only by its Java-bytecode-to-OpenCL
 * translator, which BLADES-J does not use; the pom excludes both. This test runs on the exclusions' class path:
 * neither library is there, and the OpenCL path (discovery, program build, kernel launch) still works.
 */
class DependencyHygieneTest {

    @Test
    void bcelAndScalaAreNotOnTheClassPath() {
        assertThatThrownBy(() -> Class.forName("scala.Predef")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.apache.bcel.Const")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void theOpenClPathWorksWithoutThem() {
        OpenClKernels k = OpenClTestSupport.kernels();
        DeviceBuffer x = k.device().upload(new float[] {-1, 2, -3, 4});
        DeviceBuffer y = k.device().allocate(4);
        k.unary(UnaryOp.RELU, x, y, 4);
        assertThat(y.download()).containsExactly(0, 2, 0, 4);
    }
}
