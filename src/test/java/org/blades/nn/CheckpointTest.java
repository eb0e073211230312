package org.blades.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.blades.io.Safetensors;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// K = task weights (λ)

/** Checkpoints: exact round trip, the SHA-256 sidecar and its verification, atomic writes. */
class CheckpointTest {

    @TempDir
    Path dir;

    private static Map<String, Tensor> extras() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("lambda", Tensor.of(new float[] {1f, 0.5f, 2f, 1f, 1f, 1f, 1f, 1f, 1f, 1.25f, 0.75f}, 11)); // (K)
        m.put("adam.exp_avg_sq.fc.weight", Tensor.randn(DType.F64, 3, 2, 4)); // (2, C)
        return m;
    }

    private static Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", 1200L);
        m.put("lr", 1e-5);
        m.put("config", Map.of("width", 8L));
        m.put("rng", Map.of("seed", 42L, "draws", List.of(3L, 99L)));
        return m;
    }

    @Test
    void roundTripIsExactAndTheSidecarIsSha256sumFormat() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        StateDictTest.Net model = StateDictTest.net(DType.F32, 4, 1);
        String sha = Checkpoint.of(model, extras(), metadata()).write(file);

        assertThat(sha).isEqualTo(Safetensors.sha256(file));
        assertThat(Files.readString(Checkpoint.hashFile(file), StandardCharsets.UTF_8))
                .isEqualTo(sha + "  ckpt.safetensors\n");
        assertThat(listDir()).containsExactly("ckpt.safetensors", "ckpt.safetensors.sha256");

        Checkpoint read = Checkpoint.read(file);
        assertThat(read.metadata()).isEqualTo(metadata());
        assertThat(read.extras().keySet()).containsExactlyInAnyOrderElementsOf(extras().keySet());
        assertThat(read.extra("lambda").toFloatArray()).containsExactly(extras().get("lambda").toFloatArray());
        assertThat(read.extra("adam.exp_avg_sq.fc.weight").dtype()).isEqualTo(DType.F64);
        assertThat(read.extra("adam.exp_avg_sq.fc.weight").toDoubleArray())
                .containsExactly(extras().get("adam.exp_avg_sq.fc.weight").toDoubleArray());
        assertThat(read.model().isInteger("bn.num_batches_tracked")).isTrue();
        StateDictTest.Net restored = new StateDictTest.Net(DType.F32, 4);
        read.model().loadInto(restored, StateDict.LoadOptions.STRICT);
        StateDictTest.assertSameState(restored, model);
        assertThatThrownBy(() -> read.extra("beta")).hasMessageContaining("no extra tensor 'beta'; extras: [");
    }

    @Test
    void overwritingLeavesOnlyTheNewCheckpoint() throws Exception {
        Path file = dir.resolve("last.safetensors");
        StateDictTest.Net model = StateDictTest.net(DType.F32, 4, 1);
        Checkpoint.of(model, Map.of(), Map.of("step", 1L)).write(file);
        Checkpoint.of(model, Map.of(), Map.of("step", 2L)).write(file);
        assertThat(listDir()).containsExactly("last.safetensors", "last.safetensors.sha256");
        assertThat(Checkpoint.read(file).metadata()).containsEntry("step", 2L);
    }

    @Test
    void corruptedFileFailsWithBothHashes() throws Exception {
        Path file = dir.resolve("c.safetensors");
        String sha = Checkpoint.of(StateDictTest.net(DType.F32, 4, 1), extras(), metadata()).write(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 3);
            int b = raf.read();
            raf.seek(raf.length() - 3);
            raf.write(b ^ 0x01);
        }
        String actual = Safetensors.sha256(file);
        assertThatThrownBy(() -> Checkpoint.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("checkpoint " + file + ": SHA-256 mismatch: the file hashes to " + actual
                        + " but c.safetensors.sha256 records " + sha);
    }

    @Test
    void missingOrMalformedSidecarFailsClearly() throws Exception {
        Path file = dir.resolve("m.safetensors");
        Checkpoint.of(StateDictTest.net(DType.F32, 2, 1), Map.of(), Map.of()).write(file);
        Files.writeString(Checkpoint.hashFile(file), "not a hash\n");
        assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("does not start with a SHA-256")
                .hasMessageContaining("'not a hash'");
        Files.delete(Checkpoint.hashFile(file));
        assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("m.safetensors.sha256 is missing");
    }

    @Test
    void plainWeightsFileIsNotACheckpoint() throws Exception {
        Path file = dir.resolve("weights.safetensors");
        String sha = StateDict.save(StateDictTest.net(DType.F32, 2, 1), file, Map.of());
        Files.writeString(Checkpoint.hashFile(file), sha + "  weights.safetensors\n");
        assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("format is absent, expected "
                + "'blades-checkpoint/1'");
    }

    /** The sidecar cannot be renamed into place (a directory has its name): the write fails, no temp file stays. */
    @Test
    void failedWriteLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("x.safetensors");
        Files.createDirectories(Checkpoint.hashFile(file).resolve("occupied"));
        Checkpoint c = Checkpoint.of(StateDictTest.net(DType.F32, 2, 1), Map.of(), Map.of());
        assertThatThrownBy(() -> c.write(file)).isInstanceOf(IOException.class);
        assertThat(listDir()).containsExactly("x.safetensors", "x.safetensors.sha256");
        assertThat(Files.isDirectory(Checkpoint.hashFile(file))).isTrue();
        assertThatThrownBy(() -> Checkpoint.read(file)).isInstanceOf(IOException.class);
    }

    @Test
    void metadataMustBeJson() {
        assertThatThrownBy(() -> Checkpoint.of(StateDictTest.net(DType.F32, 2, 1), Map.of(),
                Map.of("rng", new java.util.SplittableRandom(1))))
                .hasMessageContaining("JSON write: cannot write a java.util.SplittableRandom");
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
