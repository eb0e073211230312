package org.blades.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.blades.io.HalfFloats;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.io.StDType;
import org.blades.tensor.Conv2dOptions;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// C = channels of the test network

/** Saving and loading modules by name: round trips, dtypes, and the one message for every kind of mismatch. */
class StateDictTest {

    @TempDir
    Path dir;

    /** conv (C, 2, 3, 3), bn (C) with its buffers, fc (2, C) + (2). */
    static final class Net extends Module {
        Net(DType dtype, int channels) {
            child("conv", new Conv2d(dtype, 2, channels, 3, Conv2dOptions.DEFAULT, false));
            child("bn", new BatchNorm2d(dtype, channels));
            child("fc", new Linear(dtype, channels, 2, true));
        }
    }

    static Net net(DType dtype, int channels, long seed) {
        Net n = new Net(dtype, channels);
        PortableInit.init(n, seed);
        n.stateDict().get("bn.num_batches_tracked").fillInPlace(7);
        return n;
    }

    @Test
    void roundTripIsExactAndCountersAreI64() throws Exception {
        Path file = dir.resolve("net.safetensors");
        Net saved = net(DType.F32, 4, 1);
        String sha = StateDict.save(saved, file, Map.of("note", "test"));
        assertThat(sha).isEqualTo(Safetensors.sha256(file));
        Net loaded = new Net(DType.F32, 4);
        try (SafetensorsFile f = Safetensors.open(file)) {
            assertThat(f.info("bn.num_batches_tracked").dtype()).isEqualTo(StDType.I64);
            assertThat(f.shape("bn.num_batches_tracked")).isEmpty();
            assertThat(f.info("conv.weight").dtype()).isEqualTo(StDType.F32);
            assertThat(f.metadata()).containsEntry("note", "test");
            StateDict.LoadReport report = StateDict.load(loaded, f, StateDict.LoadOptions.STRICT);
            assertThat(report.loaded()).containsExactlyElementsOf(saved.stateDict().keySet());
            assertThat(report.missing()).isEmpty();
        }
        assertSameState(loaded, saved);
        assertThat(((BatchNorm2d) loaded.children().get("bn")).numBatchesTracked()).isEqualTo(7);
    }

    @Test
    void float32FileLoadsIntoFloat64ModelAndBack() throws Exception {
        Path f32 = dir.resolve("f32.safetensors");
        Path f64 = dir.resolve("f64.safetensors");
        StateDict.save(net(DType.F32, 3, 2), f32, Map.of());
        Net wide = new Net(DType.F64, 3);
        try (SafetensorsFile f = Safetensors.open(f32)) {
            StateDict.load(wide, f, StateDict.LoadOptions.STRICT);
        }
        StateDict.save(wide, f64, Map.of());
        Net narrow = new Net(DType.F32, 3);
        try (SafetensorsFile f = Safetensors.open(f64)) {
            assertThat(f.info("fc.weight").dtype()).isEqualTo(StDType.F64);
            StateDict.load(narrow, f, StateDict.LoadOptions.STRICT);
        }
        assertSameState(narrow, net(DType.F32, 3, 2));
    }

    @Test
    void f16AndBf16AreWidenedExactly() throws Exception {
        short[] f16 = {0x3C00, (short) 0xC000, 0x3555, 0x7BFF, 0x0001}; // 1, -2, 0.33325195, 65504, 2^-24
        short[] bf16 = {0x3F80, (short) 0xC040, 0x3EAB, 0x4049, 0x0001}; // 1, -3, 0.33398438, 3.140625, tiny
        for (StDType dtype : List.of(StDType.F16, StDType.BF16)) {
            short[] bits = dtype == StDType.F16 ? f16 : bf16;
            Path file = dir.resolve(dtype + ".safetensors");
            Safetensors.Writer w = Safetensors.writer();
            byte[] bytes = new byte[2 * bits.length];
            for (int i = 0; i < bits.length; i++) {
                bytes[2 * i] = (byte) bits[i];
                bytes[2 * i + 1] = (byte) (bits[i] >> 8);
            }
            w.putRaw("weight", dtype, bytes, 5);
            w.putRaw("bias", dtype, bytes, 5);
            w.putRaw("running_mean", dtype, bytes, 5);
            w.putRaw("running_var", dtype, bytes, 5);
            w.put("num_batches_tracked", new long[] {3}); // scalar
            w.write(file);
            BatchNorm2d bn = new BatchNorm2d(DType.F32, 5);
            try (SafetensorsFile f = Safetensors.open(file)) {
                StateDict.load(bn, f, StateDict.LoadOptions.STRICT);
            }
            float[] expected = new float[bits.length];
            for (int i = 0; i < bits.length; i++) {
                expected[i] = dtype == StDType.F16 ? HalfFloats.f16ToFloat(bits[i]) : HalfFloats.bf16ToFloat(bits[i]);
            }
            assertThat(expected[0]).isEqualTo(1.0f);
            assertThat(bn.params().runningVar().toFloatArray()).as("%s", dtype).containsExactly(expected);
            assertThat(bn.params().weight().toFloatArray()).containsExactly(expected);
            assertThat(bn.numBatchesTracked()).isEqualTo(3);
        }
        assertThat(HalfFloats.f16ToFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(HalfFloats.bf16ToFloat((short) 0x4049)).isEqualTo(3.140625f);
    }

    /** One file with a missing, an unexpected and two mis-shaped keys: one message lists all; nothing is written. */
    @Test
    void mismatchesAreListedTogetherAndLeaveTheModelUntouched() throws Exception {
        Path file = dir.resolve("bad.safetensors");
        Net source = net(DType.F32, 4, 3);
        Safetensors.Writer w = Safetensors.writer();
        source.stateDict().forEach((k, t) -> {
            switch (k) {
                case "fc.bias" -> { } // missing
                case "conv.weight" -> w.put(k, new float[4 * 2 * 5 * 5], 4, 2, 5, 5); // mis-shaped
                case "bn.num_batches_tracked" -> w.put(k, new float[] {1f}); // mis-typed: a float counter
                default -> w.put(k, t.toFloatArray(), t.shape());
            }
        });
        w.put("fc.weight_extra", new float[] {1f}, 1);
        w.write(file);
        Net target = net(DType.F32, 4, 4);
        Net pristine = net(DType.F32, 4, 4);
        try (SafetensorsFile f = Safetensors.open(file)) {
            assertThatThrownBy(() -> StateDict.load(target, f, StateDict.LoadOptions.STRICT))
                    .isInstanceOfSatisfying(StateDict.MismatchException.class, e -> {
                        assertThat(e.missing()).containsExactly("fc.bias");
                        assertThat(e.unexpected()).containsExactly("fc.weight_extra");
                        assertThat(e.misshaped()).containsExactly("conv.weight", "bn.num_batches_tracked");
                    })
                    .hasMessageContaining("load state dict into Net from safetensors " + file)
                    .hasMessageContaining("1 missing, 1 unexpected, 2 mis-shaped keys (STRICT)")
                    .hasMessageContaining("missing (in the model, not in the file):\n    'fc.bias'")
                    .hasMessageContaining("unexpected (in the file, not in the model):\n    'fc.weight_extra'")
                    .hasMessageContaining("'conv.weight' F32 (4, 2, 5, 5) in the file, model has F32 (4, 2, 3, 3)")
                    .hasMessageContaining("'bn.num_batches_tracked' F32 () in the file, model has integer ()");
            // Lenient loading tolerates missing and unexpected keys, never mis-shaped ones.
            assertThatThrownBy(() -> StateDict.load(target, f, StateDict.LoadOptions.LENIENT))
                    .hasMessageContaining("2 mis-shaped keys (LENIENT)");
        }
        assertSameState(target, pristine);
    }

    @Test
    void lenientLoadReportsMissingAndUnexpected() throws Exception {
        Path file = dir.resolve("partial.safetensors");
        Net source = net(DType.F32, 4, 5);
        Safetensors.Writer w = Safetensors.writer();
        source.stateDict().forEach((k, t) -> {
            if (k.equals("bn.num_batches_tracked")) {
                w.put(k, new long[] {7});
            } else if (!k.startsWith("fc.")) {
                w.put(k, t.toFloatArray(), t.shape());
            }
        });
        w.put("head.weight", new float[] {1f, 2f}, 2);
        w.write(file);
        Net target = new Net(DType.F32, 4);
        try (SafetensorsFile f = Safetensors.open(file)) {
            assertThatThrownBy(() -> StateDict.load(target, f, StateDict.LoadOptions.STRICT))
                    .hasMessageContaining("2 missing, 1 unexpected, 0 mis-shaped keys");
            StateDict.LoadReport r = StateDict.load(target, f, StateDict.LoadOptions.LENIENT);
            assertThat(r.missing()).containsExactly("fc.weight", "fc.bias");
            assertThat(r.unexpected()).containsExactly("head.weight");
            assertThat(r.loaded()).hasSize(6);
        }
        assertThat(target.stateDict().get("conv.weight").toFloatArray())
                .containsExactly(source.stateDict().get("conv.weight").toFloatArray());
    }

    /** A combined file: loading the "visual." part ignores everything outside the prefix. */
    @Test
    void prefixSelectsOnePartOfAFile() throws Exception {
        Path file = dir.resolve("combined.safetensors");
        Net visual = net(DType.F32, 3, 6);
        Safetensors.Writer w = Safetensors.writer();
        StateDict.of(visual).writeTo(w, "visual.");
        w.put("text.weight", new float[] {1f}, 1);
        w.write(file);
        Net target = new Net(DType.F32, 3);
        try (SafetensorsFile f = Safetensors.open(file)) {
            StateDict.load(target, f, StateDict.LoadOptions.STRICT.withPrefix("visual."));
            assertThat(f.info("visual.bn.num_batches_tracked").dtype()).isEqualTo(StDType.I64);
        }
        assertSameState(target, visual);
    }

    @Test
    void countersLoadFromI32AndRefuseValuesBeyondFloat64Precision() throws Exception {
        for (long count : new long[] {5, (1L << 53) + 1}) {
            Path file = dir.resolve("count" + count + ".safetensors");
            Safetensors.Writer w = Safetensors.writer();
            StateDict.of(new BatchNorm2d(DType.F32, 2)).tensors().forEach((k, t) -> {
                if (!k.equals("num_batches_tracked")) {
                    w.put(k, t.toFloatArray(), t.shape());
                }
            });
            if (count == 5) {
                w.put("num_batches_tracked", new int[] {5});
            } else {
                w.put("num_batches_tracked", new long[] {count});
            }
            w.write(file);
            BatchNorm2d bn = new BatchNorm2d(DType.F32, 2);
            try (SafetensorsFile f = Safetensors.open(file)) {
                if (count == 5) {
                    StateDict.load(bn, f, StateDict.LoadOptions.STRICT);
                    assertThat(bn.numBatchesTracked()).isEqualTo(5);
                } else {
                    assertThatThrownBy(() -> StateDict.load(bn, f, StateDict.LoadOptions.STRICT))
                            .hasMessageContaining("'num_batches_tracked' I64 () element 0 = 9007199254740993 is beyond "
                                    + "2^53");
                }
            }
        }
    }

    @Test
    void floatTensorFromAnIntegerFileIsMistyped() throws Exception {
        Path file = dir.resolve("int.safetensors");
        Safetensors.Writer w = Safetensors.writer();
        w.put("weight", new long[] {1, 2}, 2);
        w.put("bias", new float[] {0f, 0f}, 2);
        w.write(file);
        Linear lin = new Linear(DType.F32, 1, 2, true);
        try (SafetensorsFile f = Safetensors.open(file)) {
            assertThatThrownBy(() -> StateDict.load(lin, f, StateDict.LoadOptions.STRICT))
                    .hasMessageContaining("'weight' I64 (2) in the file, model has F32 (2, 1)");
        }
    }

    @Test
    void inMemoryStateDictLoadsLikeAFile() {
        Net source = net(DType.F32, 2, 8);
        Net target = new Net(DType.F32, 2);
        StateDict.of(source).loadInto(target, StateDict.LoadOptions.STRICT);
        assertSameState(target, source);
        Tensor w = target.stateDict().get("fc.weight");
        assertThat(w).isNotSameAs(source.stateDict().get("fc.weight"));
        assertThatThrownBy(() -> StateDict.of(Map.of("n", Tensor.zeros(DType.F32)), java.util.Set.of("n")))
                .hasMessageContaining("integer key 'n' must name a float64 tensor");
    }

    static void assertSameState(Module actual, Module expected) {
        Map<String, Tensor> e = expected.stateDict();
        assertThat(actual.stateDict().keySet()).containsExactlyElementsOf(e.keySet());
        actual.stateDict().forEach((k, t) -> assertThat(t.toDoubleArray()).as(k)
                .containsExactly(e.get(k).toDoubleArray()));
    }
}
