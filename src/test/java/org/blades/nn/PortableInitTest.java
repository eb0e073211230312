package org.blades.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.DoubleStream;
import org.blades.io.Json;
import org.blades.io.Safetensors;
import org.blades.io.SafetensorsFile;
import org.blades.tensor.DType;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.junit.jupiter.api.Test;

/**
 * The portable initialisation: its building blocks against published test vectors and java.util.SplittableRandom,
 * and its values against those numpy computed (the pin.* tensors of reference-data/models/resnet50_forward).
 */
class PortableInitTest {

    @Test
    void fnv1a64MatchesPublishedVectors() {
        assertThat(PortableInit.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(PortableInit.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(PortableInit.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void splitmix64IsSplittableRandomsStream() {
        // Vigna's splitmix64.c started at 1234567 (the reference implementation's example).
        assertThat(PortableInit.splitmix64(1234567L, 0)).isEqualTo(6457827717110365317L);
        assertThat(PortableInit.splitmix64(1234567L, 1)).isEqualTo(3203168211198807973L);
        for (long state : new long[] {0L, -1L, PortableInit.fnv1a64("layer1.0.conv1.weight")}) {
            SplittableRandom r = new SplittableRandom(state);
            for (int i = 0; i < 100; i++) {
                assertThat(PortableInit.splitmix64(state, i)).isEqualTo(r.nextLong());
            }
        }
    }

    /** The first values of some ResNet-50 tensors as numpy computed them: equal bit for bit. */
    @Test
    void valuesEqualNumpysPinnedValues() throws Exception {
        try (SafetensorsFile f = Safetensors.open(ReferenceFile.projectRoot()
                .resolve("reference-data/models/resnet50_forward.safetensors"))) {
            Map<String, Object> pin = Json.parseObject(f.metadata().get("pin"), "pin metadata");
            long seed = (Long) pin.get("seed");
            int count = ((Long) pin.get("count")).intValue();
            Map<String, int[]> shapes = new HashMap<>();
            for (Object e : (List<?>) Json.parseObject(f.metadata().get("resnet50"), "resnet50").get("state_dict")) {
                List<?> pair = (List<?>) e;
                shapes.put((String) pair.get(0), ((List<?>) pair.get(1)).stream().mapToInt(d -> ((Long) d).intValue())
                        .toArray());
            }
            List<?> keys = (List<?>) pin.get("keys");
            assertThat(keys).hasSizeGreaterThan(5);
            for (Object k : keys) {
                String key = (String) k;
                PortableInit.Rule rule = PortableInit.rule(key, shapes.get(key));
                float[] java = PortableInit.uniform(key, seed, count, rule.center(), rule.halfWidth());
                float[] numpy = f.floats("pin." + key);
                for (int i = 0; i < count; i++) {
                    assertThat(Float.floatToRawIntBits(java[i])).as("%s[%d]: java %s, numpy %s", key, i, java[i],
                            numpy[i]).isEqualTo(Float.floatToRawIntBits(numpy[i]));
                }
            }
        }
    }

    @Test
    void rulesByNameAndShape() {
        assertThat(PortableInit.rule("layer1.0.conv2.weight", new int[] {64, 64, 3, 3}))
                .isEqualTo(new PortableInit.Rule(0.0, 1.0 / Math.sqrt(576)));
        assertThat(PortableInit.rule("fc.weight", new int[] {768, 2048})).isEqualTo(new PortableInit.Rule(0.0,
                1.0 / Math.sqrt(2048)));
        assertThat(PortableInit.rule("bn1.weight", new int[] {64})).isEqualTo(new PortableInit.Rule(1.0, 0.1));
        assertThat(PortableInit.rule("fc.bias", new int[] {768})).isEqualTo(new PortableInit.Rule(0.0, 0.1));
        assertThat(PortableInit.rule("bn1.running_mean", new int[] {64})).isEqualTo(new PortableInit.Rule(0.0, 0.1));
        assertThat(PortableInit.rule("bn1.running_var", new int[] {64})).isEqualTo(new PortableInit.Rule(1.0, 0.5));
        assertThat(PortableInit.rule("bn1.num_batches_tracked", new int[0])).isEqualTo(PortableInit.Rule.ZERO);
        assertThatThrownBy(() -> PortableInit.rule("logit_scale", new int[0]))
                .hasMessageContaining("no rule for 'logit_scale' of shape ()");
    }

    @Test
    void fillsModelsInRangeDeterministicallyAndFloat64WithFloat32Values() {
        BatchNorm2d bn32 = new BatchNorm2d(DType.F32, 300);
        BatchNorm2d bn64 = new BatchNorm2d(DType.F64, 300);
        Conv2d conv = new Conv2d(DType.F32, 4, 6, 3, org.blades.tensor.Conv2dOptions.DEFAULT, true);
        PortableInit.init(bn32, 9);
        PortableInit.init(bn64, 9);
        PortableInit.init(conv, 9);
        double bound = 1.0 / Math.sqrt(36);
        assertThat(DoubleStream.of(conv.weight().toDoubleArray()).map(Math::abs).max().orElseThrow())
                .isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
        assertThat(DoubleStream.of(bn32.params().runningVar().toDoubleArray())).allMatch(v -> v >= 0.5 && v <= 1.5);
        assertThat(DoubleStream.of(bn32.params().weight().toDoubleArray())).allMatch(v -> v >= 0.9 && v <= 1.1);
        assertThat(bn32.numBatchesTracked()).isZero();
        bn64.stateDict().forEach((k, t) -> assertThat(t.toDoubleArray()).as(k)
                .containsExactly(bn32.stateDict().get(k).toDoubleArray()));
        Tensor again = Tensor.zeros(DType.F32, 6, 4, 3, 3);
        PortableInit.fill(again, "weight", 9, PortableInit.rule("weight", again.shape()));
        assertThat(again.toFloatArray()).containsExactly(conv.weight().toFloatArray());
        PortableInit.fill(again, "weight", 10, PortableInit.rule("weight", again.shape()));
        assertThat(again.toFloatArray()).isNotEqualTo(conv.weight().toFloatArray());
    }
}
