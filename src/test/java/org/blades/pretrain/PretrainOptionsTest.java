package org.blades.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import org.blades.data.loader.SamplerOptions;
import org.blades.io.Json;
import org.blades.tasks.OrdinalLoss;
import org.blades.tasks.Task;
import org.junit.jupiter.api.Test;

class PretrainOptionsTest {

    @Test
    void thePapersSettings() {
        PretrainOptions p = PretrainOptions.paper();
        assertThat(p.epochs()).isEqualTo(20);
        assertThat(p.inner().lr()).isEqualTo(1e-5);
        assertThat(p.inner().weightDecay()).isEqualTo(1e-3);
        assertThat(p.bilevelOptions().weightDecay()).isEqualTo(1e-3);
        assertThat(p.outer().lr()).isEqualTo(3e-4);
        assertThat(p.outer().weightDecay()).isZero();
        assertThat(p.fdScale()).isEqualTo(0.01);
        assertThat(p.initialLambda()).containsOnly(1.0);
        assertThat(p.outerWeights()[Task.COARSE.lambdaIndex()]).isEqualTo(1.0);
        assertThat(p.computedTasks()).containsExactlyElementsOf(EnumSet.allOf(Task.class));
    }

    @Test
    void aTaskSubsetKeepsTheOthersAtZeroAndStillComputesThePrimaryTask() {
        // Table 7d, "EXIF only": coarse is no pretext task but remains the outer loss
        EnumSet<Task> exif = EnumSet.range(Task.ISO, Task.EXPOSURE_PROGRAM);
        PretrainOptions o = PretrainOptions.paper().withTasks(exif);
        assertThat(o.initialLambda()[Task.COARSE.lambdaIndex()]).isZero();
        assertThat(o.initialLambda()[Task.ISO.lambdaIndex()]).isEqualTo(1.0);
        assertThat(o.movableLambda()[Task.COARSE.lambdaIndex()]).isFalse();
        assertThat(o.movableLambda()[Task.MAKE.lambdaIndex()]).isTrue();
        assertThat(o.computedTasks()).contains(Task.COARSE).doesNotContain(Task.FINE);
        // with bi-level off nothing reads the coarse loss, so it is not computed
        assertThat(o.withBilevel(false).computedTasks()).containsExactlyElementsOf(exif);
        assertThat(o.withBilevel(false).movableLambda()).containsOnly(false);
    }

    @Test
    void equalPrimaryWeightsThePretextTasksEqually() {
        PretrainOptions o = PretrainOptions.paper().withPrimary(PrimaryTask.EQUAL)
                .withTasks(EnumSet.of(Task.ISO, Task.MAKE, Task.COARSE, Task.FINE));
        double[] w = o.outerWeights();
        assertThat(w[Task.ISO.lambdaIndex()]).isEqualTo(0.25);
        assertThat(w[Task.FINE.lambdaIndex()]).isEqualTo(0.25);
        assertThat(w[Task.APERTURE.lambdaIndex()]).isZero();
        assertThat(PretrainOptions.paper().withPrimary(PrimaryTask.FINE).outerWeights()[Task.FINE.lambdaIndex()])
                .isEqualTo(1.0);
    }

    @Test
    void runConfigSurvivesJson() {
        PretrainOptions o = PretrainOptions.paper().withEpochs(3).withFdScale(0.02).withBilevel(false)
                .withPrimary(PrimaryTask.FINE).withTrainText(false)
                .withLosses(PretrainOptions.paper().losses().withFocalGamma(0).withOrdinalLoss(OrdinalLoss.LEVEL_CLASSIFICATION))
                .withTasks(EnumSet.of(Task.MAKE, Task.FINE));
        RunConfig c = new RunConfig("i.jsonl", "imgs", BladesPreset.tiny().withInputSize(48), o,
                new SamplerOptions(7, 5, SamplerOptions.LastBatch.KEEP), 3, null, "clip.safetensors");
        Map<String, Object> json = Json.parseObject(Json.write(c.toJson()), "test");
        assertThat(RunConfig.fromJson(json)).isEqualTo(c);
    }
}
