package org.blades.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.blades.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceFileTest {

    @TempDir
    Path root;

    @Test
    void projectRootIsTheDirectoryWithPomXml() {
        assertThat(ReferenceFile.projectRoot().resolve("pom.xml")).isRegularFile();
    }

    @Test
    void missingFileFailsNamingThePath() {
        Path expected = root.resolve("reference-data").resolve("nosuchfamily.safetensors");
        assertThatThrownBy(() -> ReferenceFile.open(root, "nosuchfamily"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("reference file " + expected + " is missing")
                .hasMessageContaining("reference-data/generate.py");
    }

    @Test
    void corruptFileFailsNamingThePath() throws IOException {
        Path dir = Files.createDirectories(root.resolve("reference-data"));
        Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2});
        assertThatThrownBy(() -> ReferenceFile.open(root, "bad"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("reference file " + dir.resolve("bad.safetensors") + " cannot be read")
                .hasMessageContaining("too short");
    }

    @Test
    void listsCasesReadsArgumentsAndCompares() throws IOException {
        Path dir = Files.createDirectories(root.resolve("reference-data"));
        Safetensors.writer()
                .put("relu_small.in.x", new float[] {-1, 0, 2}, 3)
                .put("relu_small.out", new float[] {0, 0, 2}, 3)
                .put("relu_small.gout", new float[] {1, 1, 1}, 3)
                .put("conv_s2.in.x", new float[4], 1, 1, 2, 2)
                .put("conv_s2.out", new float[1], 1, 1, 1, 1)
                .metadata("conv_s2", "{\"stride\": 2, \"padding\": [0, 0]}")
                .metadata("bad_args", "{stride: 2}")
                .put("bad_args.out", new float[1], 1)
                .write(dir.resolve("ops.safetensors"));

        try (ReferenceFile ref = ReferenceFile.open(root, "ops")) {
            assertThat(ref.caseNames()).containsExactly("bad_args", "conv_s2", "relu_small");
            assertThat(ref.tensorsOf("relu_small")).containsExactly("relu_small.gout", "relu_small.in.x", "relu_small.out");
            assertThat(ref.caseArgs("conv_s2")).containsEntry("stride", 2L);
            assertThat(ref.caseArgs("relu_small")).isEmpty();
            assertThatThrownBy(() -> ref.caseArgs("relu"))
                    .hasMessageContaining("no case 'relu'; cases: [bad_args, conv_s2, relu_small]");
            assertThatThrownBy(() -> ref.caseArgs("bad_args"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("case 'bad_args': bad arguments JSON")
                    .hasMessageContaining("expected a string key, found 's' at offset 1");

            TensorCompare.Report r = ref.assertClose("relu_small.out", new float[] {0, 0, 2}, new int[] {3}, Tolerance.F32);
            assertThat(r.maxAbsError()).isZero();
            assertThatThrownBy(() -> ref.assertClose("relu_small.out", new double[] {0, 0, 2.1}, new int[] {3}, Tolerance.F32))
                    .hasMessageContaining("tensor 'relu_small.out' (3): 1 of 3 elements outside tolerance")
                    .hasMessageContaining("worst at [2]");
            assertThatThrownBy(() -> ref.assertClose("relu_small.out", new double[] {0, 0, 2}, new int[] {1, 3}, Tolerance.F32))
                    .hasMessage("tensor 'relu_small.out': shape mismatch: actual (1, 3) vs reference (3)");
        }
    }
}
